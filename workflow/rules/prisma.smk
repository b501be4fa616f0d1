# Stage 4b, after the summaries: the PRISMA 2020 flow diagram of the search record
# (data/search/records.csv, validated when the workflow is parsed), with the studies that carry
# weight in at least one analysis.


rule prisma:
    input:
        records=WORKFLOW_SETTINGS.search_records,
        queries=search_queries_file(),
        digests=all_digests(),
    output:
        svg=report(
            layout.PRISMA["svg"],
            caption="../report/prisma.rst",
            category="Search",
        ),
    log:
        "logs/prisma.log",
    conda:
        "../envs/metapool.yaml"
    params:
        data_dir=WORKFLOW_SETTINGS.data_dir,
    script:
        "../scripts/prisma.py"
