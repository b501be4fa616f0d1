"""Snakemake glue: one network meta-analysis (metapool.pipeline.network_job.run_network)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.network_job import run_network  # noqa: E402

run_network(
    list(snakemake.input.trials),  # noqa: F821
    dict(snakemake.params.definition),  # noqa: F821
    dict(snakemake.output.items()),  # noqa: F821
)
