"""Snakemake glue: results/trials.tsv, the validated trial table (metapool.jobs.run_trials_table)."""

import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
sys.path.insert(0, str(Path(snakemake.scriptdir).parent))  # noqa: F821 (metapool lives in workflow/)

from metapool.pipeline.jobs import run_trials_table  # noqa: E402

run_trials_table(list(snakemake.input.trials), snakemake.output.table)  # noqa: F821
