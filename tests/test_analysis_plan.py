"""One analysis plan in every output: an analysis that keeps its subgroups apart (pool_subgroups:
false) has no total in pooled.json, summary rows, SoF, living analyses, versions state or forest
plot; each subgroup has its own. Plus the stated reasons, time points and labels (issue 22)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from metapool.engine.pool import pool_studies
from metapool.engine.study_effects import reason
from metapool.engine.subgroups import subgroup_difference, subgroup_parts
from metapool.inputs.trials import load_trials, study_label, timepoint_text, trial_files
from metapool.pipeline import analyses
from metapool.pipeline.analysis_result import compute
from metapool.pipeline.summary_rows import summary_rows
from metapool.plotting import table
from metapool.plotting.forest_rows import footer_lines, forest_rows, nothing_to_pool
from metapool.plotting.options import ForestOptions
from metapool.versions import conclusions
from metapool.versions.state import analysis_state

ROOT = Path(__file__).resolve().parents[1]
BY_CLASS = "adjunct_agents_vs_placebo_or_standard_care_mortality"


def study(name, group, a, n1, c, n2, **extra):
    return {"study": name, "cls": group, "events_trt": a, "total_trt": n1, "events_ctl": c, "total_ctl": n2,
            **extra}


STUDIES = [study("A", "x", 10, 100, 20, 100), study("B", "x", 15, 90, 18, 95), study("C", "y", 30, 120, 25, 118),
           study("D", "y", 8, 60, 12, 61), study("E", "y", 40, 200, 45, 199), study("F", "z", None, None, None, None)]


@pytest.fixture(scope="module")
def apart():
    return pool_studies(STUDIES, by="cls", pool_subgroups=False)


def test_kept_apart_result_has_no_total_and_weights_within_each_subgroup(apart):
    together = pool_studies(STUDIES, by="cls")
    assert apart["pool_subgroups"] is False and together["pool_subgroups"] is True
    assert all(apart[key] is None for key in ("fixed_iv", "fixed_mh", "fixed_peto", "random"))
    assert together["random"] is not None
    for group in ("x", "y"):
        weights = [s["weight_random"] for s in apart["studies"] if s["group"] == group]
        assert sum(weights) == pytest.approx(100.0)
    # the subgroups' own fits are the same either way
    assert apart["subgroups"]["groups"] == together["subgroups"]["groups"]
    assert apart["notes"][0].startswith("Not pooled across subgroups (by cls)")


def test_subgroup_difference_i2_is_revman_s():
    test = subgroup_difference([0.1, 0.5, -0.2], [0.1, 0.2, 0.15])
    q, df = test["Q_between"], test["df"]
    assert test["I2"] == pytest.approx(100 * max(0.0, (q - df) / q))
    assert subgroup_difference([0.1, 0.1], [0.1, 0.2])["I2"] == 0.0  # Q = 0 < df


def test_subgroup_parts_carry_each_subgroup_alone(apart):
    parts = subgroup_parts({**apart, "analysis": "a", "title": "T"})
    assert [p["subgroup"] for p in parts] == ["x", "y", "z"]
    assert [p["title"] for p in parts] == ["T: x", "T: y", "T: z"]
    assert [p["k"] for p in parts] == [2, 3, 0]
    assert parts[1]["random"] == apart["subgroups"]["groups"][1]["random"]
    assert subgroup_parts(pool_studies(STUDIES, by="cls")) == []


def test_summary_rows_and_versions_state_per_subgroup(apart):
    result = {**apart, "analysis": "a", "title": "T"}
    rows = summary_rows(result)
    assert [r["subgroup"] for r in rows] == ["x", "y"]  # z has no pooled trial: no row
    assert rows[1]["effect"] == pytest.approx(apart["subgroups"]["groups"][1]["random"]["natural"]["est"])
    state = analysis_state(result, None)
    assert state["pool_subgroups"] is False and state["est"] is None
    assert state["subgroups"]["y"]["est"] == apart["subgroups"]["groups"][1]["random"]["est"]
    assert "pool_subgroups" not in analysis_state({**pool_studies(STUDIES), "analysis": "a"}, None)


def test_conclusion_flags_per_subgroup():
    def sub(lo, hi):
        return {"measure": "RR", "k": 2, "est": (lo + hi) / 2, "ci_lb": lo, "ci_ub": hi}
    before = {"measure": "RR", "subgroups": {"x": sub(-0.5, 0.2), "y": sub(-0.3, 0.3)}}
    after = {"measure": "RR", "subgroups": {"x": sub(-0.5, -0.1), "y": sub(-0.3, 0.3)}}
    flags = conclusions.flags(before, after)
    assert [f["kind"] for f in flags] == ["ci_now_excludes_null"]
    assert flags[0]["sentence"].startswith("x: The 95% CI")


@pytest.mark.parametrize("data, status, measure, text", [
    ({"events_trt": 3, "events_ctl": 4}, "no_data", "RR", "arm sizes not reported"),
    ({}, "no_data", "RR", "no usable numbers reported"),
    ({"effect_measure": "OR", "effect": 1.2, "effect_lower": 0.9, "effect_upper": 1.6, "total_trt": 100,
      "events_trt": 40, "events_ctl": 38, "total_ctl": 99}, "other_measure", "RR",
     "effect reported as OR; this analysis pools RR"),
    ({"effect_measure": "RD", "effect": 0.01, "effect_lower": -0.07, "effect_upper": 0.09}, "other_measure", "RR",
     "counts not reported: only an RD is given"),
    ({"effect_measure": "RR", "effect": 1.08, "effect_lower": 0.8, "effect_upper": 1.5, "events_trt": 48,
      "events_ctl": 47}, "other_measure", "RD", "arm sizes not reported: only an RR is given"),
    ({"events_trt": 0, "total_trt": 20, "events_ctl": 0, "total_ctl": 20}, "not_estimable", "RR",
     "no events in either arm"),
    ({"median_trt": 3, "q1_trt": 1, "q3_trt": 9, "n_trt": 30}, "skewed", "MD",
     "skewed: median and IQR (not converted to a mean and SD)"),
    ({"median_trt": 3, "q1_trt": 1, "q3_trt": 9, "median_ctl": 2, "q1_ctl": 1, "q3_ctl": 5}, "no_data", "MD",
     "median and IQR without arm sizes"),
    ({"events_trt": 3, "total_trt": 20, "events_ctl": 4, "total_ctl": 20}, "counts", "RR", None),
])
def test_reason_from_status_and_data(data, status, measure, text):
    assert reason({"study": "S", **data}, status, measure) == text


def test_every_non_contributing_study_carries_its_reason(apart):
    f = next(s for s in apart["studies"] if s["study"] == "F")
    assert f["reason"] == "no usable numbers reported" and f["weight_random"] is None
    assert all(s["reason"] is None for s in apart["studies"] if s["weight_random"] is not None)


def test_labels_never_nest_parentheses():
    row = {"first_author": "Liu", "year": 2018}
    assert study_label({**row, "trial": "Liu terlipressin (NCT01697410)"}) == "Liu 2018 terlipressin (NCT01697410)"
    assert study_label({**row, "trial": "Liu 2018 terlipressin (single-centre)"}) == \
        "Liu 2018 terlipressin (single-centre)"
    soap = {"first_author": "De Backer", "year": 2010}
    assert study_label({**soap, "trial": "SOAP II (septic shock subgroup)"}) == \
        "De Backer 2010 (SOAP II), septic shock subgroup"
    assert study_label({"first_author": "Chawla", "year": 2014, "trial": "ATHOS (pilot)"}) == "Chawla 2014 (ATHOS, pilot)"
    assert study_label({"first_author": "Khanna", "year": 2017, "trial": "ATHOS-3"}) == "Khanna 2017 (ATHOS-3)"


def test_timepoint_text():
    assert timepoint_text({"timepoint_days": 28}) == "28 d"
    assert timepoint_text({"timepoint_days": None, "quote": "x [note: ICU mortality, timepoint blank]"}) == "ICU"
    assert timepoint_text({"timepoint_days": None, "quote": "[note: hospital mortality, ...]"}) == "hospital"
    assert timepoint_text({"timepoint_days": None, "quote": "no note"}) == "not stated"


def test_a_trial_and_its_own_subgroup_never_enter_together():
    base = {"year": 2010, "population": "p", "poolable": ("counts",)}
    whole = {**base, "trial": "SOAP II", "septic_shock_only": "no", "population": "shock (all causes)"}
    sub = {**base, "trial": "SOAP II (septic shock subgroup)", "septic_shock_only": "yes"}
    other = {**base, "trial": "OTHER", "septic_shock_only": "yes"}
    kept = analyses.one_population([whole, sub, other])
    assert [r["trial"] for r in kept] == ["SOAP II (septic shock subgroup)", "OTHER"]
    assert kept[0]["population_note"] == ("Enters instead of the whole trial, SOAP II, whose population is shock (all "
                                          "causes): this review's population is septic shock; the two share patients.")
    kept = analyses.one_population([whole, {**sub, "poolable": ()}])
    assert [r["trial"] for r in kept] == ["SOAP II"]
    assert "no usable data" in kept[0]["population_note"]


def test_forest_kept_apart_has_no_total_and_says_why(apart):
    rows = forest_rows(apart, ForestOptions())
    kinds = [r.kind for r in rows]
    assert "overall" not in kinds and "prediction" not in kinds
    assert kinds.count("subtotal") == 2  # z has no pooled trial: no subtotal
    assert kinds.count("group_effect") == 2  # a test for overall effect per subgroup
    assert [r.cells["weight"] for r in rows if r.kind == "subtotal"] == ["100.0%", "100.0%"]
    f = next(r for r in rows if r.cells.get("study") == "F")
    assert f.cells["effect"] == "no usable numbers reported"
    lines = footer_lines(apart, ForestOptions())
    assert lines[0].startswith("No total:") and "weights are percent of the subgroup" in lines[0]


def test_one_trial_subgroup_has_no_fixed_effect_row(apart):
    one = pool_studies(STUDIES[:3], by="cls")
    rows = forest_rows(one, ForestOptions(show_fixed=True))
    y_rows = [r.kind for r in rows][rows.index(next(r for r in rows if r.cells.get("study") == "Y")):]
    assert y_rows[:3] == ["group", "study", "subtotal"] and y_rows[3] != "subtotal"


def test_tiny_weight_still_draws_a_visible_square():
    from metapool.plotting import style
    assert table.box_size(0.01, 60.0) * style.MAX_BOX == pytest.approx(style.MIN_BOX)
    assert table.box_size(60.0, 60.0) == 1.0 and table.box_size(None, 60.0) == 0.0


def test_nothing_to_pool_is_a_sentence_with_each_reason():
    result = pool_studies([study("F", "z", None, None, None, None), study("G", "z", 0, 10, 0, 12)])
    message, detail = nothing_to_pool(result)
    assert message == "Nothing to pool: none of the 2 trials this analysis selects contributes."
    assert detail == "F: no usable numbers reported; G: no events in either arm."
    assert nothing_to_pool(pool_studies([])) == ("Nothing to pool: this analysis selects no trial yet.", None)


def test_no_programmer_text_in_plotting_or_notes():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "workflow" / "metapool" / "plotting").glob("*.py"))
    for name in ("jobs.py", "analysis_result.py"):
        text += (ROOT / "workflow" / "metapool" / "pipeline" / name).read_text(encoding="utf-8")
    assert "row(s)" not in text and "trial(s)" not in text and "study(ies)" not in text


@pytest.fixture(scope="module")
def by_class():
    """The review's by-class analysis (pool_subgroups: false) on the real trial tables."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    analysis = next(a for a in analyses.from_config(config) if a.name == BY_CLASS)
    result = compute(analysis, load_trials(trial_files(ROOT / "data" / "raw")).rows)
    return analysis, result.pooled, result.living


def test_every_output_of_a_kept_apart_analysis_follows_the_plan(by_class):
    analysis, pooled, living = by_class
    assert analysis.pool_subgroups is False
    # pooled.json: no total, no restriction across classes, per class its own
    assert pooled["pool_subgroups"] is False and pooled["random"] is None and pooled["restricted"] == []
    groups = pooled["subgroups"]["groups"]
    assert all("restricted" in g for g in groups)
    # living: nothing across trials, absolute effects per class
    assert all(living[name] is None for name in ("cumulative", "leave1out", "tsa", "trimfill", "absolute"))
    assert living["reasons"]["tsa"].startswith("Not computed: this analysis keeps its subgroups (by agent class) apart")
    assert "_" not in living["reasons"]["tsa"]  # no field names in a figure
    assert [p["group"] for p in living["subgroups"]] == [g["group"] for g in groups]
    # SoF: one row per class with trials, never a field name, never "not estimable"
    sof = pooled["sof"]
    assert len(sof) == sum(1 for g in groups if g["k"]) and len(sof) >= 2
    for row in sof:
        assert "agent_class" not in row["outcome"] and row["text"]["relative"] != "not estimable"
        assert row["outcome"].startswith(analysis.title + ": ") and row["timepoints"]
    # summary rows and versions state: per class
    assert [r["subgroup"] for r in summary_rows(pooled)] == [g["group"] for g in groups if g["k"]]
    state = analysis_state(pooled, living)
    assert state["pool_subgroups"] is False and set(state["subgroups"]) == {g["group"] for g in groups}
    # forest: no total, within-class weights, a stated reason on every row that does not contribute
    rows = forest_rows(pooled, ForestOptions())
    assert "overall" not in [r.kind for r in rows]
    for r in rows:
        if r.kind == "study" and r.interval is None:
            assert r.cells["effect"] and r.cells["effect"] not in ("not estimable", "no usable data")
    for g in groups:
        weights = [s["weight_random"] for s in pooled["studies"] if s["group"] == g["group"]
                   and s["weight_random"] is not None]
        assert not weights or math.isclose(sum(weights), 100.0, rel_tol=1e-9)


def test_changes_report_states_each_subgroup_and_no_total():
    from metapool.versions import numbers

    state = {"measure": "RR", "est": None, "subgroups": {
        "x": {"k": 2, "est": math.log(0.8), "ci_lb": math.log(0.6), "ci_ub": math.log(1.07)},
        "z": {"k": 0, "est": None, "ci_lb": None, "ci_ub": None}}}
    assert numbers.estimate(state) == "by subgroup, no total: x: RR 0.80 (95% CI 0.60 to 1.07)"
