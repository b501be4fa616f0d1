"""Bad input and faults in the workflow (issue 6): a clear error, nothing lost, never a wrong number.

- bad trial tables stop Snakemake while it parses, naming file, row, column and rule, and leave
  every earlier result as it was (bytes and mtime);
- a run killed with SIGKILL and rerun with --rerun-incomplete ends byte-identical to a clean run;
- an analysis whose job fails leaves the other analyses complete and correct;
- two clean runs give byte-identical results/ trees, and so does the committed results/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

import workflow_helpers as wf

pytestmark = pytest.mark.slow

RAW = ("data", "raw")
WITH_STRESS_L = ("adjunct_agents_vs_placebo_or_standard_care_mortality", "beta1_blockers_vs_standard_care_mortality",
                 "beta1_blockers_vs_standard_care_28d", "beta1_blockers_vs_standard_care_90d", "adjuncts_mean_daily_sofa")


def raw(workdir, name):
    return workdir.joinpath(*RAW, name)


# --- bad trial tables ----------------------------------------------------------------------------

def negative_count(d):
    wf.edit_cell(raw(d, "stress-l.csv"), {"outcome": "all-cause mortality", "timepoint_days": "28"}, "events_trt", "-23")


def unknown_agent_class(d):
    wf.edit_cell(raw(d, "i-micro.csv"), {"outcome": "all-cause mortality"}, "agent_class", "prostaglandin")


def events_above_total(d):
    wf.edit_cell(raw(d, "stress-l.csv"), {"outcome": "all-cause mortality", "timepoint_days": "28"}, "events_trt", "70")


def zero_total(d):
    wf.edit_cell(raw(d, "stress-l.csv"), {"outcome": "all-cause mortality", "timepoint_days": "28"}, "total_ctl", "0")


def fractional_count(d):
    wf.edit_cell(raw(d, "stress-l.csv"), {"outcome": "all-cause mortality", "timepoint_days": "28"}, "events_ctl", "16.5")


def rr_without_upper(d):
    wf.edit_cell(raw(d, "combat-shine.csv"), {"outcome": "all-cause mortality", "timepoint_days": "90"},
                 "effect_upper", "")


def lower_above_rr(d):
    wf.edit_cell(raw(d, "combat-shine.csv"), {"outcome": "all-cause mortality", "timepoint_days": "90"},
                 "effect_lower", "1.2")


def trial_not_its_file(d):
    wf.edit_cell(raw(d, "vasst.csv"), {"timepoint_days": "28"}, "trial", "VASST-2")


def duplicate_row(d):
    path = raw(d, "stress-l.csv")
    rows = wf.read_rows(path)
    wf.write_rows(path, rows + [rows[0]], wf.header_of(path))


def misspelled_column(d):
    path = raw(d, "athos-3.csv")
    path.write_text(path.read_text(encoding="utf-8").replace("events_ctl", "event_ctl", 1), encoding="utf-8")


def not_utf8(d):
    path = raw(d, "vanish.csv")
    path.write_bytes(path.read_bytes().replace(b"septic", "septic\u2013".encode("cp1252"), 1))


def empty_file(d):
    raw(d, "censer.csv").write_bytes(b"")


def unknown_status(d):
    wf.edit_cell(raw(d, "stress-l.csv"), {"outcome": "all-cause mortality", "timepoint_days": "28"}, "status", "reported")


def year_out_of_range(d):
    wf.edit_cell(raw(d, "stress-l.csv"), {"outcome": "all-cause mortality", "timepoint_days": "28"}, "year", "1890")


# (break, [(file, row, column, rule)]): every problem must be reported, each on one line.
BAD_TABLES = [
    (negative_count, [("stress-l.csv", 2, "events_trt", "-23 is negative; must be 0 or more")]),
    (unknown_agent_class, [("i-micro.csv", 2, "agent_class", "'prostaglandin' is not an allowed agent_class")]),
    (events_above_total, [("stress-l.csv", 2, "events_trt", "events_trt (70) exceeds total_trt (62)")]),
    (zero_total, [("stress-l.csv", 2, "total_ctl", "total is 0")]),
    (fractional_count, [("stress-l.csv", 2, "events_ctl", "'16.5' is not a whole number")]),
    (rr_without_upper, [("combat-shine.csv", 3, "effect_upper", "give the effect with both 95% CI bounds or none")]),
    (lower_above_rr, [("combat-shine.csv", 3, "effect_lower", "effect_lower (1.2) is above effect (1.12)")]),
    (trial_not_its_file, [("vasst.csv", 2, "trial", "belongs in 'vasst-2.csv', not 'vasst.csv'"),
                          ("vasst.csv", 3, "trial", "'VASST' differs from 'VASST-2' on row 2")]),
    (duplicate_row, [("stress-l.csv", 5, "timepoint_days",
                      "trial x agent x comparator x outcome x timepoint_days must be unique")]),
    (misspelled_column, [("athos-3.csv", 1, "event_ctl", "unknown column; did you mean 'events_ctl'?"),
                         ("athos-3.csv", 2, "events_ctl", "blank while total_ctl is given")]),
    (not_utf8, [("vanish.csv", 1, None, "not valid UTF-8: byte 0x96")]),
    (empty_file, [("censer.csv", None, None, "the file is empty")]),
    (unknown_status, [("stress-l.csv", 2, "status", "'reported' is not an allowed status")]),
    (year_out_of_range, [("stress-l.csv", 2, "year", "year 1890 is out of range")]),
]


def problem_line(file, row, column, rule):
    """How common.smk prints one problem: 'data/raw/<file>, row N, column 'c': <rule ...>'."""
    where = f"data/raw/{file}" + (f", row {row}" if row is not None else "") + \
        (f", column '{column}'" if column else "")
    return where, rule


def assert_reported(output: str, problems) -> None:
    lines = output.splitlines()
    for problem in problems:
        where, rule = problem_line(*problem)
        assert any(f"- {where}: " in line and rule in line for line in lines), \
            f"{where}: {rule} not reported in:\n{output[-3000:]}"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return wf.make_copy(tmp_path_factory.mktemp("faults-fresh"))


@pytest.mark.parametrize("breaker, problems", BAD_TABLES, ids=[b.__name__ for b, _ in BAD_TABLES])
def test_bad_table_stops_the_workflow_before_any_job(fresh, tmp_path, breaker, problems):
    work = wf.copy_tree(fresh, tmp_path / "wf")
    breaker(work)
    proc = wf.snakemake(work, "--dry-run")
    assert proc.returncode != 0
    assert "Invalid input, nothing was run" in proc.stdout
    assert f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in the input" in proc.stdout
    assert_reported(proc.stdout, problems)
    assert "Building DAG of jobs" not in proc.stdout


def test_bad_published_estimate_stops_the_workflow_before_any_job(fresh, tmp_path):
    """data/validation/published.yaml is checked while Snakemake parses, like the trial tables."""
    work = wf.copy_tree(fresh, tmp_path / "wf")
    path = work / "data" / "validation" / "published.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("ci_upper: 1.12", "ci_upper: 0.9", 1),
                    encoding="utf-8")
    proc = wf.snakemake(work, "--dry-run")
    assert proc.returncode != 0 and "Invalid input, nothing was run" in proc.stdout
    assert "- data/validation/published.yaml, row 1, column 'estimate': the CI 0.86 to 0.9 must contain the " \
           "estimate 0.98" in proc.stdout
    assert "Building DAG of jobs" not in proc.stdout


def test_two_bad_files_both_reported_and_results_untouched(copy):
    before = wf.snapshot(copy)
    negative_count(copy)
    unknown_agent_class(copy)
    proc = wf.snakemake(copy)
    assert proc.returncode != 0
    assert "2 problems in the input" in proc.stdout
    assert_reported(proc.stdout, BAD_TABLES[0][1] + BAD_TABLES[1][1])
    assert "localrule" not in proc.stdout and "Building DAG of jobs" not in proc.stdout
    assert wf.snapshot(copy) == before


def test_bom_and_windows_line_endings_are_accepted(copy):
    """Saved by Excel on Windows (UTF-8 BOM, CRLF): accepted; only STRESS-L's analyses are out of date."""
    path = raw(copy, "stress-l.csv")
    text = path.read_bytes().decode("utf-8")
    assert "\r" not in text
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    jobs = wf.planned_jobs(copy)
    assert wf.analysis_jobs(WITH_STRESS_L) <= set(jobs)
    assert not wf.analysis_jobs(set(wf.analyses(copy)) - set(WITH_STRESS_L)) & set(jobs)


# --- interrupted and failing runs ----------------------------------------------------------------

def final_outputs(workdir):
    """Every file `rule all` asks for, relative to results/ (from the clean run's tree)."""
    return sorted(p.relative_to(workdir / "results").as_posix() for p in (workdir / "results").rglob("*")
                  if p.is_file() and not p.name.startswith("."))


def test_killed_run_resumes_to_the_clean_result(clean, tmp_path):
    """SIGKILL the whole process group once the first figure appears, then --rerun-incomplete."""
    expected = wf.contents(wf.snapshot(clean))
    work = wf.make_copy(tmp_path / "wf")
    targets = [work / "results" / name for name in final_outputs(clean)]
    figures = [p for p in targets if p.suffix in (".svg", ".png", ".pdf")]
    proc = subprocess.Popen(wf.command(work), cwd=work, env=wf.environment(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + wf.TIMEOUT
        while not any(p.exists() for p in figures):
            assert proc.poll() is None, "the run ended before any figure was written"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    written = [p for p in targets if p.exists()]
    assert 0 < len(written) < len(targets), "the kill did not land mid-way"

    # Snakemake's lock survives SIGKILL: the next run refuses until --unlock, then resumes.
    locked = wf.snakemake(work, "--rerun-incomplete")
    assert locked.returncode != 0 and "Directory cannot be locked" in locked.stdout
    wf.run_ok(work, "--unlock")
    wf.run_ok(work, "--rerun-incomplete")
    assert wf.contents(wf.snapshot(work)) == expected
    assert wf.temp_files(work) == []
    assert wf.planned_jobs(work) == {}


SYNTH_QUOTE = ('"Synthetic: RR {rr} (95% CI {lo} to {hi})." [note: SYNTHETIC trial written by '
               'tests/test_workflow_faults.py to make Paule-Mandel fail; not real data]')


def add_unpoolable_analysis(workdir):
    """Three synthetic trials, one an outlier so extreme (RR 1e9) that Paule-Mandel has no root below
    its search limit (as in metafor), and an analysis pooling them with tau2: PM: it does not converge."""
    template = raw(workdir, "combat-shine.csv")
    header = wf.header_of(template)
    trials = {"SYNTH-A": ("1.0", "0.9", "1.1"), "SYNTH-B": ("1.01", "0.91", "1.11"),
              "SYNTH-C": ("1000000000", "900000000", "1100000000")}
    for name, (rr, lo, hi) in trials.items():
        row = wf.synthetic_row(template, trial=name, first_author="Synthetica", year="2025",
                               journal="Synthetic Test Data", doi="", pmid="", outcome="synthetic outcome",
                               timepoint_days="28", effect_measure="RR", effect=rr, effect_lower=lo,
                               effect_upper=hi, effect_adjusted="", status="verbatim",
                               quote=SYNTH_QUOTE.format(rr=rr, lo=lo, hi=hi),
                               source="https://example.org/synthetic-test-trial")
        wf.write_rows(raw(workdir, f"{name.lower()}.csv"), [row], header)
    with open(workdir / "config" / "config.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n  synthetic_pm_fails:\n"
                 "    title: \"Synthetic trials Paule-Mandel cannot fit\"\n"
                 "    filter:\n"
                 "      outcome: synthetic outcome\n"
                 "    tau2: PM\n")


def add_empty_analysis(workdir):
    """An analysis whose filter selects no row (each value occurs in the data, the combination in
    no row; a value no row has is a config error): it must say so in its outputs, not fail."""
    with open(workdir / "config" / "config.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n  shock_reversal_28d:\n"
                 "    title: \"No trial reports adverse events of vasopressin\"\n"
                 "    filter:\n"
                 "      outcome: serious adverse events\n"
                 "      agent: vasopressin\n")


def test_a_fit_that_does_not_converge_finishes_and_the_others_stay_intact(copy, clean):
    """One analysis' estimator does not converge (PM), one selects nothing, one healthy analysis is
    forced to rerun: every job finishes (issue 24: a fit that does not converge still finishes its
    analysis, with the declared fallback and metafor's remedy in pooled.json, the figure and the
    console); the analyses not involved are not rewritten."""
    expected = wf.contents(wf.snapshot(clean))
    before = wf.snapshot(copy)
    add_unpoolable_analysis(copy)
    add_empty_analysis(copy)
    # What a write killed by SIGKILL leaves next to the forced analysis' outputs; its jobs remove it.
    for leaf in (".pooled.json.k1ll3d.tmp", ".forest.png.k1ll3d.tmp"):
        (copy / "results" / "iloprost_vs_placebo_28d" / leaf).write_bytes(b"half a file")
    proc = wf.snakemake(copy, "--keep-going", "--forcerun", "analyse_iloprost_vs_placebo_28d")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "warning: analysis synthetic_pm_fails: The PM estimator of tau\u00b2 did not converge" in proc.stdout
    failing = wf.pooled(copy, "synthetic_pm_fails")
    assert failing["convergence"]["fallback"] == "DL" and failing["random"]["tau2_method"] == "DL"
    assert "tau2: REML" in failing["convergence"]["remedy"] and failing["notes"][0] == failing["convergence"]["sentence"]
    assert (copy / "results" / "synthetic_pm_fails" / "forest.png").is_file()
    assert wf.temp_files(copy) == []
    after = wf.snapshot(copy)

    for name in wf.analyses(clean):
        assert wf.contents(wf.under(after, name)) == wf.under(expected, name)
        if name != "iloprost_vs_placebo_28d":
            assert wf.under(after, name) == wf.under(before, name), f"{name} was rewritten"
    assert wf.under(after, "iloprost_vs_placebo_28d") != wf.under(before, "iloprost_vs_placebo_28d"), \
        "the forced analysis did not run"

    empty = wf.pooled(copy, "shock_reversal_28d")
    assert (empty["k"], empty["k_total"], empty["studies"], empty["random"]) == (0, 0, [], None)
    assert "Nothing to pool: this analysis selects no trial yet." in empty["notes"]
    def leaves(name):
        return {path.split("/", 1)[1] for path in wf.under(after, name)}
    assert leaves("shock_reversal_28d") == leaves("iloprost_vs_placebo_28d")


# --- determinism ---------------------------------------------------------------------------------

def test_two_clean_runs_are_byte_identical(clean, tmp_path):
    work = wf.make_copy(tmp_path / "wf")
    wf.run_ok(work)
    assert wf.contents(wf.snapshot(work)) == wf.contents(wf.snapshot(clean))


def test_committed_results_match_a_clean_run(tmp_path):
    """What CI checks: a clean checkout (published versions included) regenerates results/ exactly."""
    tracked = subprocess.run(["git", "ls-files", "results"], cwd=wf.REPO, capture_output=True, text=True,
                             check=False).stdout.split()
    if not tracked:
        pytest.skip("results/ is not committed in this checkout")
    work = wf.make_copy(tmp_path / "checkout", published=True)
    wf.run_ok(work)
    assert wf.contents(wf.snapshot(wf.REPO)) == wf.contents(wf.snapshot(work))
