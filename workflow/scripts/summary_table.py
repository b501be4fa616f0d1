"""Snakemake glue: results/summary.tsv (metapool.jobs.run_summary)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)

from metapool.jobs import run_summary  # noqa: E402

run_summary(list(snakemake.input.pooled), snakemake.output.table)  # noqa: F821
