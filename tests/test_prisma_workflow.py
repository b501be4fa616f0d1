"""The workflow checks the search record while it parses: a bad record stops the run, naming file,
row, column and rule, before any job; a record that lags the data only warns in the job's log."""

from __future__ import annotations

import pytest

import workflow_helpers as wf

pytestmark = pytest.mark.slow

RECORDS = ("data", "search", "records.csv")


def test_a_bad_record_stops_the_workflow_before_any_job(tmp_path):
    work = wf.make_copy(tmp_path / "wf")
    path = work.joinpath(*RECORDS)
    vasst = next(r for r in wf.read_rows(path) if r["trial"] == "VASST" and not r["duplicate_of"])
    wf.edit_cell(path, {"record_id": vasst["record_id"]}, "screening", "maybe")
    wf.edit_cell(path, {"record_id": vasst["record_id"]}, "table_added", "no")  # no problem: a warning only
    row = [r["record_id"] for r in wf.read_rows(path)].index(vasst["record_id"]) + 2
    proc = wf.snakemake(work, "--dry-run")
    assert proc.returncode != 0
    assert "Invalid input, nothing was run:" in proc.stdout
    assert (f"data/search/records.csv, row {row}, column 'screening': 'maybe' is not an allowed screening "
            "(allowed: included, excluded)") in proc.stdout
    assert "Job stats:" not in proc.stdout


def test_the_prisma_job_runs_after_the_pools_and_logs_its_warnings(tmp_path):
    work = wf.make_copy(tmp_path / "wf")
    path = work.joinpath(*RECORDS)
    vasst = next(r for r in wf.read_rows(path) if r["trial"] == "VASST" and not r["duplicate_of"])
    wf.edit_cell(path, {"record_id": vasst["record_id"]}, "table_added", "no")
    planned = wf.parse_job_stats(wf.run_ok(work, "results/prisma.svg", "--dry-run", "--quiet", "rules").stdout)
    assert planned["prisma"] == 1 and all(j.startswith(("analyse_", "prisma")) for j in planned)
    wf.run_ok(work, "results/prisma.svg")
    log = (work / "logs" / "prisma.log").read_text(encoding="utf-8")
    assert "data/raw/vasst.csv exists now; set table_added to yes" in log
    assert "PRISMA: " in log and (work / "results" / "prisma.svg").is_file()
