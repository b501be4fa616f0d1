"""Living updates (issue 4): a new or edited trial table reruns only the analyses it touches.

Each scenario works on a copy of one clean run of the workflow; a dry run says which jobs
Snakemake would run, then the real run must change exactly those analyses' files.
"""

from __future__ import annotations

import pytest

import workflow_helpers as wf

pytestmark = pytest.mark.slow

ACROSS = {"summary_table", "summary_of_findings", "changes", "validation", "trials_table", "prisma", "all"}
# A new iloprost vs placebo trial (an adjunct) with 28-day deaths enters these analyses of config/config.yaml.
ILOPROST_28D = ("iloprost_vs_placebo_28d", "iloprost_vs_placebo_mortality",
                "adjunct_agents_vs_placebo_or_standard_care_mortality", "adjunct_agents_vs_placebo_mortality_rd")
# STRESS-L (landiolol vs standard care: 28- and 90-day mortality, mean SOFA) is in these three.
WITH_STRESS_L = ("adjunct_agents_vs_placebo_or_standard_care_mortality", "beta1_blockers_vs_standard_care_mortality",
                 "beta1_blockers_vs_standard_care_28d", "beta1_blockers_vs_standard_care_90d", "adjuncts_mean_daily_sofa")


def across(planned: set, measures: tuple = ("rr",)) -> set:
    """The planned jobs that are not per-analysis: the summaries, and the summary-forest pages
    (one per measure and outcome; only those of the analyses touched)."""
    pages = {j for j in planned if j.startswith("summary_forest_")}
    assert all(any(j.startswith(f"summary_forest_{m}_") for m in measures) for j in pages), pages
    return (planned & ACROSS) | pages

SYNTHETIC_QUOTE = ('"At day 28, 31 of 110 patients in the iloprost group and 35 of 108 in the placebo group '
                   'had died." [note: SYNTHETIC trial written by tests/test_workflow_living.py, not real data]')


def test_clean_run_has_every_analysis_output(clean):
    files = wf.snapshot(clean)
    for name in wf.analyses(clean):
        for leaf in ("pooled.json", "pooled.tsv", "forest.svg", "forest.png", "forest.pdf"):
            assert f"{name}/{leaf}" in files
    assert {"summary.tsv", "trials.tsv"} <= set(files)


def test_nothing_changed_nothing_to_do(copy):
    before = wf.snapshot(copy)
    assert wf.planned_jobs(copy) == {}
    proc = wf.run_ok(copy)
    assert "Nothing to be done" in proc.stdout
    assert wf.snapshot(copy) == before


def add_synthetic_trial(workdir):
    """data/raw/ilo-synth.csv: a made-up iloprost vs placebo trial with 28-day counts (test data only)."""
    raw = workdir / "data" / "raw"
    row = wf.synthetic_row(raw / "i-micro.csv", trial="ILO-SYNTH", first_author="Synthetica", year="2025",
                           journal="Synthetic Test Data", doi="", pmid="", population="septic shock",
                           timepoint_days="28", events_trt="31", total_trt="110", events_ctl="35",
                           total_ctl="108", effect_measure="", effect="", effect_lower="", effect_upper="",
                           effect_adjusted="", status="verbatim",
                           quote=SYNTHETIC_QUOTE, source="https://example.org/synthetic-test-trial")
    wf.write_rows(raw / "ilo-synth.csv", [row], wf.header_of(raw / "i-micro.csv"))


def test_new_trial_reruns_only_the_analyses_it_enters(copy):
    names = wf.analyses(copy)
    before = wf.snapshot(copy)
    k_before = {a: wf.pooled(copy, a)["k"] for a in ILOPROST_28D}
    add_synthetic_trial(copy)

    planned = set(wf.planned_jobs(copy))
    assert planned == wf.analysis_jobs(ILOPROST_28D) | ACROSS | across(planned, ("rr", "rd"))

    wf.run_ok(copy)
    after = wf.snapshot(copy)
    for a in ILOPROST_28D:
        p = wf.pooled(copy, a)
        entry = [s for s in p["studies"] if s["trial"] == "ILO-SYNTH"]
        assert len(entry) == 1 and entry[0]["status"] == "counts"
        assert (entry[0]["events_trt"], entry[0]["total_trt"], entry[0]["events_ctl"], entry[0]["total_ctl"]) \
            == (31, 110, 35, 108)
        assert entry[0]["weight_random"] > 0
        assert p["k"] == k_before[a] + 1
        assert "Synthetica 2025 (ILO-SYNTH)" in wf.pooled_tsv(copy, a)
        assert after[f"{a}/forest.svg"][0] != before[f"{a}/forest.svg"][0]
    for a in set(names) - set(ILOPROST_28D):
        assert wf.under(after, a) == wf.under(before, a), f"{a} was rewritten"
    assert "ILO-SYNTH" in (copy / "results" / "trials.tsv").read_text(encoding="utf-8")
    assert wf.planned_jobs(copy) == {}


def test_edited_row_reruns_only_analyses_containing_that_trial(copy):
    names = wf.analyses(copy)
    before = wf.snapshot(copy)
    wf.edit_cell(copy / "data" / "raw" / "stress-l.csv", {"outcome": "all-cause mortality", "timepoint_days": "90"},
                 "events_trt", "28")

    planned = set(wf.planned_jobs(copy))
    assert planned == wf.analysis_jobs(WITH_STRESS_L) | ACROSS | across(planned, ("rr", "md"))

    wf.run_ok(copy)
    after = wf.snapshot(copy)
    for a in ("adjunct_agents_vs_placebo_or_standard_care_mortality", "beta1_blockers_vs_standard_care_mortality",
              "beta1_blockers_vs_standard_care_90d"):
        (entry,) = [s for s in wf.pooled(copy, a)["studies"] if s["trial"] == "STRESS-L"]
        assert entry["events_trt"] == 28
        assert wf.contents(wf.under(after, a)) != wf.contents(wf.under(before, a))
    # The SOFA and 28-day analyses hold STRESS-L's untouched rows: rerun (the file changed), same numbers.
    for a in ("adjuncts_mean_daily_sofa", "beta1_blockers_vs_standard_care_28d"):
        assert wf.contents(wf.under(after, a)) == wf.contents(wf.under(before, a))
    for a in set(names) - set(WITH_STRESS_L):
        assert wf.under(after, a) == wf.under(before, a), f"{a} was rewritten"
