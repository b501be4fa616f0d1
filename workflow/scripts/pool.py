"""Snakemake glue: pool a batch of analyses (metapool.jobs.run_pool)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)

from metapool.jobs import run_pool  # noqa: E402

run_pool(list(snakemake.input.trials), list(snakemake.params.analyses))  # noqa: F821
