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
