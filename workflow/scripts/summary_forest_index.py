"""Snakemake glue: results/summary_forest/index.md (metapool.pipeline.jobs.run_summary_forest_index)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.jobs import run_summary_forest_index  # noqa: E402

run_summary_forest_index(
    list(snakemake.params.pages),  # noqa: F821
    dict(snakemake.params.titles),  # noqa: F821
    snakemake.output.index,  # noqa: F821
)
