"""Snakemake glue: pool a batch of analyses (metapool.pipeline.jobs.run_pool)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.jobs import run_pool  # noqa: E402

run_pool(list(snakemake.input.trials), list(snakemake.params.analyses), list(snakemake.input.rob))  # noqa: F821
