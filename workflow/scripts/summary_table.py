"""Snakemake glue: results/summary.tsv (metapool.jobs.run_summary)."""

import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821 (metapool lives in workflow/)

from metapool.pipeline.jobs import run_summary  # noqa: E402

run_summary(list(snakemake.input.pooled), snakemake.output.table)  # noqa: F821
