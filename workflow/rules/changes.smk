# Stage 5: what changed since the last published version (metapool publish), and whether any
# conclusion changed: results/changes.{json,md} and a page of the HTML report.


rule changes:
    input:
        digests=all_digests(),
        versions=published_versions(),
        networks=all_network_outputs(),
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
    params:
        names=list(SETTINGS),
    script:
        "../scripts/changes.py"
