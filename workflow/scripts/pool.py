"""Snakemake glue: pool a batch of analyses (metapool.jobs.run_pool)."""

import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821 (metapool lives in workflow/)

from metapool.pipeline.jobs import run_pool  # noqa: E402

run_pool(list(snakemake.input.trials), list(snakemake.params.analyses))  # noqa: F821
