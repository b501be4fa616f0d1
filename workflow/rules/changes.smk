# Stage 5: what changed since the last published version (metapool publish), and whether any
# conclusion changed: results/changes.{json,md} and a page of the HTML report.


rule changes:
    input:
        pooled=all_pooled_json(),
        living=all_living_json(),
        versions=published_versions(),
    output:
        json=layout.CHANGES["json"],
        md=layout.CHANGES["md"],
        html=report(
            layout.CHANGES["html"],
            caption="../report/changes.rst",
            category="What changed",
        ),
    log:
        "logs/changes.log",
    conda:
        "../envs/metapool.yaml"
    script:
        "../scripts/changes.py"
