"""Snakemake glue: pool, appraise and draw a batch of analyses (metapool.pipeline.jobs.run_analyses)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.analyses import job_definitions  # noqa: E402
from metapool.pipeline.jobs import run_analyses  # noqa: E402

run_analyses(  # noqa: F821
    list(snakemake.input.trials),  # noqa: F821
    job_definitions(snakemake.config, list(snakemake.params.analyses), snakemake.params.definitions),  # noqa: F821
    list(snakemake.input.rob),  # noqa: F821
    (list(snakemake.input.versions) or [None])[0],  # noqa: F821
    snakemake.output.digest,  # noqa: F821
)
