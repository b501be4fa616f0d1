"""Snakemake glue: results/sof.{tsv,md,html} (metapool.pipeline.jobs.run_sof)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.jobs import run_sof  # noqa: E402

out = snakemake.output  # noqa: F821
run_sof(list(snakemake.input.digests), list(snakemake.params.names), {"tsv": out.tsv, "md": out.md, "html": out.html})  # noqa: F821
