"""Snakemake glue: one page of results/summary_forest/ (metapool.pipeline.jobs.run_summary_forest)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.jobs import run_summary_forest  # noqa: E402

out = snakemake.output  # noqa: F821
run_summary_forest(  # noqa: F821
    list(snakemake.input.pooled),  # noqa: F821
    {"svg": out.svg, "png": out.png, "pdf": out.pdf},
    snakemake.params.title,  # noqa: F821
)
