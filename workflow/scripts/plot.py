"""Snakemake glue: draw a batch of analyses' figures (metapool.jobs.run_plot)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)

from metapool.jobs import run_plot  # noqa: E402

run_plot(list(snakemake.params.analyses))  # noqa: F821
