"""Snakemake glue: results/summary_forest.{svg,png,pdf} (metapool.pipeline.jobs.run_summary_forest)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.jobs import run_summary_forest  # noqa: E402

out = snakemake.output  # noqa: F821
run_summary_forest(list(snakemake.input.pooled), {"svg": out.svg, "png": out.png, "pdf": out.pdf})  # noqa: F821
