"""Snakemake glue: draw a batch of analyses' figures (metapool.jobs.run_plot)."""

import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821 (metapool lives in workflow/)

from metapool.pipeline.jobs import run_plot  # noqa: E402

run_plot(list(snakemake.params.analyses))  # noqa: F821
