"""Snakemake glue: results/summary.tsv (metapool.pipeline.jobs.run_summary)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.jobs import run_summary  # noqa: E402

run_summary(list(snakemake.input.digests), list(snakemake.params.names), snakemake.output.table)  # noqa: F821
