# Stage 4: across analyses, a summary table and a summary forest plot.


rule summary_table:
    input:
        pooled=all_pooled_json(),
    output:
        table=report(
            layout.SUMMARY["summary_tsv"],
            caption="../report/summary.rst",
            category="Summary",
        ),
    log:
        "logs/summary_table.log",
    conda:
        "../envs/metapool.yaml"
    script:
        "../scripts/summary_table.py"


rule summary_forest:
    input:
        pooled=all_pooled_json(),
    output:
        svg=report(
            layout.SUMMARY["summary_forest_svg"],
            caption="../report/summary_forest.rst",
            category="Summary",
        ),
        png=layout.SUMMARY["summary_forest_png"],
        pdf=layout.SUMMARY["summary_forest_pdf"],
    log:
        "logs/summary_forest.log",
    conda:
        "../envs/metapool.yaml"
    script:
        "../scripts/summary_forest.py"


rule summary_of_findings:
    input:
        pooled=all_pooled_json(),
    output:
        tsv=layout.SOF["tsv"],
        md=layout.SOF["md"],
        html=report(
            layout.SOF["html"],
            caption="../report/sof.rst",
            category="Summary of findings",
        ),
    log:
        "logs/summary_of_findings.log",
    conda:
        "../envs/metapool.yaml"
    script:
        "../scripts/summary_of_findings.py"
