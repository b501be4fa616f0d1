"""Snakemake glue: pool a batch of analyses (metapool.pipeline.jobs.run_pool)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.jobs import run_pool  # noqa: E402

run_pool(  # noqa: F821
    list(snakemake.input.trials),  # noqa: F821
    list(snakemake.params.analyses),  # noqa: F821
    list(snakemake.input.rob),  # noqa: F821
    snakemake.output.digest,  # noqa: F821
)
