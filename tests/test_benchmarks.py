"""The benchmarks' synthetic review is a valid one: its trial tables pass the reader the workflow
uses (benchmarks are not timed tests, but they must keep running as the schema changes)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_workflow import build  # noqa: E402

from metapool.inputs.trials import load_trials, trial_files  # noqa: E402
from metapool.pipeline import analyses  # noqa: E402


def test_the_synthetic_review_reads_and_selects(tmp_path):
    build(tmp_path, 4)
    rows = load_trials(trial_files(tmp_path / "data" / "raw")).rows
    assert len(rows) == 8
    config = yaml.safe_load((tmp_path / "config" / "config.yaml").read_text(encoding="utf-8"))
    settings = analyses.from_config(config)
    assert [len(analyses.select(rows, a)) for a in settings] == [6, 6, 6, 6]


@pytest.mark.slow
def test_the_synthetic_review_runs_through_snakemake(tmp_path):
    """bench_workflow's whole-workflow timings need the workflow to accept the synthetic review."""
    import subprocess

    from bench_workflow import code_env

    build(tmp_path, 3)
    run = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all"], cwd=tmp_path,
                         capture_output=True, text=True, env=code_env(tmp_path))
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(list((tmp_path / "results").glob("a*/forest.svg"))) == 3
