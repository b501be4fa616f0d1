"""Snakemake glue: results/prisma.svg (metapool.pipeline.prisma.run_prisma)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.prisma import run_prisma  # noqa: E402

run_prisma(
    snakemake.input.records,  # noqa: F821
    list(snakemake.input.digests),  # noqa: F821
    snakemake.params.data_dir,  # noqa: F821
    snakemake.output.svg,  # noqa: F821
)
