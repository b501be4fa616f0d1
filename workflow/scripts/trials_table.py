"""Snakemake glue: results/trials.tsv, the validated trial table (metapool.jobs.run_trials_table)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)

from metapool.jobs import run_trials_table  # noqa: E402

run_trials_table(list(snakemake.input.trials), snakemake.output.table)  # noqa: F821
