"""Snakemake glue: draw a batch of analyses' figures (metapool.pipeline.jobs.run_plot)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.jobs import run_plot  # noqa: E402

run_plot(list(snakemake.params.analyses), (list(snakemake.input.versions) or [None])[0])  # noqa: F821
