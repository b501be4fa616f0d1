"""Snakemake glue: results/trials.tsv, the validated trial table (metapool.pipeline.jobs.run_trials_table)."""

import common

common.start(snakemake)  # noqa: F821 (snakemake is injected)

from metapool.pipeline.jobs import run_trials_table  # noqa: E402

run_trials_table(list(snakemake.input.trials), snakemake.output.table)  # noqa: F821
