"""Snakemake glue: results/summary_forest.{svg,png,pdf} (metapool.jobs.run_summary_forest)."""

import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821 (metapool lives in workflow/)

from metapool.pipeline.jobs import run_summary_forest  # noqa: E402

out = snakemake.output  # noqa: F821
run_summary_forest(list(snakemake.input.pooled), {"svg": out.svg, "png": out.png, "pdf": out.pdf})  # noqa: F821
