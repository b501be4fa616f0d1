# Stage 4c: the reconciliation with published meta-analyses (data/validation/published.yaml,
# validated when the workflow is parsed): each analysis beside the closest published estimate,
# the trials in one but not the other, and a flag for a difference they do not explain.


rule validation:
    input:
        published=WORKFLOW_SETTINGS.published_estimates,
        pooled=all_pooled_json(),
    output:
        json=layout.VALIDATION["json"],
        md=layout.VALIDATION["md"],
        html=report(
            layout.VALIDATION["html"],
            caption="../report/validation.rst",
            category="Reconciliation",
        ),
    log:
        "logs/validation.log",
    conda:
        "../envs/metapool.yaml"
    script:
        "../scripts/validation.py"
