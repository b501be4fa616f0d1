"""Snakemake glue: results/validation.{json,md,html} (metapool.pipeline.jobs.run_validation)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.jobs import run_validation  # noqa: E402

out = snakemake.output  # noqa: F821
run_validation(
    list(snakemake.input.pooled),  # noqa: F821
    snakemake.input.published,  # noqa: F821
    {"json": out.json, "md": out.md, "html": out.html},
)
