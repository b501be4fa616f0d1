"""Snakemake glue: results/changes.{json,md,html} (metapool.versions.job.run_changes)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.settings import WorkflowSettings  # noqa: E402
from metapool.pipeline.changes_job import run_changes  # noqa: E402

out = snakemake.output  # noqa: F821
run_changes(
    list(snakemake.input.digests),  # noqa: F821
    list(snakemake.params.names),  # noqa: F821
    WorkflowSettings.from_config(snakemake.config).versions_file,  # noqa: F821
    out.json,
    out.md,
    out.html,
    list(snakemake.input.networks),  # noqa: F821
)
