# Stage 4: across analyses, a summary table, the summary forest plot in pages (by measure and
# outcome: a trial redraws only its pages) and the Summary of findings.


rule summary_table:
    input:
        digests=all_digests(),
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
    params:
        names=list(SETTINGS),
    script:
        "../scripts/summary_table.py"


for page in SUMMARY_PAGES:

    rule:
        name:
            f"summary_forest_{page.id.replace('-', '_')}"
        input:
            pooled=[layout.pool_outputs(name)["pooled_json"] for name in page.analyses],
        output:
            svg=report(
                layout.summary_forest_page(page.id)["svg"],
                caption="../report/summary_forest.rst",
                category="Summary",
                labels={"page": page.title},
            ),
            png=layout.summary_forest_page(page.id)["png"],
            pdf=layout.summary_forest_page(page.id)["pdf"],
        log:
            f"logs/summary_forest/{page.id}.log",
        conda:
            "../envs/metapool.yaml"
        params:
            title=page.title,
        script:
            "../scripts/summary_forest.py"


rule summary_forest_index:
    output:
        index=layout.SUMMARY["summary_forest_index"],
    log:
        "logs/summary_forest_index.log",
    conda:
        "../envs/metapool.yaml"
    params:
        pages=[
            {"id": p.id, "title": p.title, "analyses": list(p.analyses)}
            for p in SUMMARY_PAGES
        ],
        titles={name: s["title"] for name, s in SETTINGS.items()},
    script:
        "../scripts/summary_forest_index.py"


rule summary_of_findings:
    input:
        digests=all_digests(),
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
    params:
        names=list(SETTINGS),
    script:
        "../scripts/summary_of_findings.py"
