"""metapool.versions.conclusions: which conclusion changed, in one sentence on the people's scale."""

import math

import pytest

import versions_helpers as vh
from metapool.versions import conclusions, store
from metapool.versions.compare import compare
from metapool.versions.report import build, to_markdown


def state(measure="RR", est=None, lo=None, hi=None, pi=(None, None), tsa=None, certainty=None) -> dict:
    """A minimal state (analysis scale); est, lo, hi on the people's scale for ratio measures."""
    f = math.log if measure in ("RR", "OR", "HR") else float
    g = (lambda x: None if x is None else f(x))
    return {"measure": measure, "k": 3, "participants": 300, "est": g(est), "ci_lb": g(lo), "ci_ub": g(hi),
            "pi_lb": g(pi[0]), "pi_ub": g(pi[1]), "tau2": 0.0, "I2": 0.0, "tsa": tsa,
            "certainty": certainty, "trials": {}}


def kinds(flags):
    return [f["kind"] for f in flags]


def test_a_trial_that_moves_the_ci_across_the_null_is_flagged(tmp_path):
    published = store.current_states(vh.write_results(tmp_path / "b", vh.rows()))
    current = store.current_states(vh.write_results(tmp_path / "a", vh.rows(vh.DELTA)))
    report = build(None, compare(published, current))
    e = vh.by_name(report)["mortality_28d"]
    assert report["analyses"][0] is e  # flagged first
    assert "ci_now_excludes_null" in kinds(e["conclusion_changes"])
    sentence = next(f["sentence"] for f in e["conclusion_changes"] if f["kind"] == "ci_now_excludes_null")
    assert sentence == "The 95% CI of the risk ratio now excludes 1 (0.74 to 0.92; was 0.74 to 1.08)."
    assert {"tsa_now_crosses_monitoring_boundary", "tsa_now_reaches_ris"} <= set(kinds(e["conclusion_changes"]))
    assert e["verdict"].startswith("The 95% CI of the risk ratio now excludes 1")
    md = to_markdown(report)
    assert md.index("## Conclusion changed") < md.index("## Unchanged")
    assert sentence in md


def test_no_flag_says_no_conclusion_changed(tmp_path):
    published = store.current_states(vh.write_results(tmp_path / "b", vh.rows()))
    current = store.current_states(vh.write_results(tmp_path / "a", vh.rows(vh.ECHO)))
    e = vh.by_name(build(None, compare(published, current)))["mortality_28d"]
    assert e["status"] == "changed" and e["conclusion_changes"] == []
    assert e["verdict"] == conclusions.NONE_TEXT == "no conclusion changed"


def test_ci_no_longer_excludes_the_null():
    flags = conclusions.flags(state(est=0.84, lo=0.71, hi=0.95), state(est=0.95, lo=0.80, hi=1.12))
    assert flags == [{"kind": "ci_no_longer_excludes_null",
                      "sentence": "The 95% CI of the risk ratio no longer excludes 1 (0.80 to 1.12; was 0.71 to 0.95)."}]


def test_estimate_changed_side_of_the_null():
    flags = conclusions.flags(state(est=0.92, lo=0.7, hi=1.2), state(est=1.08, lo=0.8, hi=1.4))
    assert kinds(flags) == ["estimate_changed_side"]
    assert flags[0]["sentence"] == ("The pooled risk ratio moved to the other side of 1: now 1.08, above 1 "
                                    "(was 0.92, below 1).")


def test_prediction_interval_now_excludes_the_null():
    flags = conclusions.flags(state(est=0.8, lo=0.7, hi=0.9, pi=(0.5, 1.3)),
                              state(est=0.8, lo=0.72, hi=0.88, pi=(0.65, 0.98)))
    assert kinds(flags) == ["pi_now_excludes_null"]
    assert flags[0]["sentence"] == ("The 95% prediction interval of the risk ratio now excludes 1 "
                                    "(0.65 to 0.98; was 0.50 to 1.30).")


def test_differences_use_zero_as_the_null_on_the_people_scale():
    flags = conclusions.flags(state("MD", -1.0, -2.5, 0.5), state("MD", -1.5, -2.75, -0.25))
    assert flags[0]["sentence"] == ("The 95% CI of the mean difference now excludes 0 "
                                    "(-2.75 to -0.25; was -2.50 to 0.50).")
    rd = conclusions.flags(state("RD", -0.02, -0.05, 0.01), state("RD", 0.03, 0.01, 0.05))
    assert kinds(rd) == ["ci_now_excludes_null", "estimate_changed_side"]
    assert "(0.010 to 0.050; was -0.050 to 0.010)" in rd[0]["sentence"]


@pytest.mark.parametrize("field, status, kind", [
    ("boundary_crossed", "boundary_crossed", "tsa_now_crosses_monitoring_boundary"),
    ("futility_crossed", "futility", "tsa_now_crosses_futility_boundary"),
    ("ris_reached", "ris_reached", "tsa_now_reaches_ris"),
])
def test_tsa_crossings(field, status, kind):
    none = {"status": "inconclusive", "boundary_crossed": False, "futility_crossed": False, "ris_reached": False}
    now = {**none, "status": status, field: True}
    flags = conclusions.flags(state(est=0.9, lo=0.7, hi=1.1, tsa=none), state(est=0.9, lo=0.7, hi=1.1, tsa=now))
    assert kinds(flags) == [kind]
    assert flags[0]["sentence"].startswith("The trial sequential analysis now ")
    assert "was: inconclusive" in flags[0]["sentence"]
    back = conclusions.flags(state(est=0.9, lo=0.7, hi=1.1, tsa=now), state(est=0.9, lo=0.7, hi=1.1, tsa=none))
    assert kinds(back) == [kind.replace("_now_", "_no_longer_")]


def test_certainty_change_is_flagged_only_when_both_sides_have_one():
    flags = conclusions.flags(state(est=0.9, lo=0.7, hi=1.1, certainty="moderate"),
                              state(est=0.9, lo=0.7, hi=1.1, certainty="low"))
    assert flags == [{"kind": "certainty_changed",
                      "sentence": "The certainty of the evidence changed from moderate to low."}]
    assert conclusions.flags(state(est=0.9, lo=0.7, hi=1.1), state(est=0.9, lo=0.7, hi=1.1, certainty="low")) == []


def test_certainty_is_read_from_the_pooled_result(tmp_path):
    results = vh.write_results(tmp_path / "r", vh.rows())
    pooled = store.read_json(results / "mortality_28d" / "pooled.json")
    living = store.read_json(results / "mortality_28d" / "living.json")
    from metapool.versions.state import analysis_state

    assert analysis_state(pooled, living)["certainty"] is None
    assert analysis_state({**pooled, "certainty": {"level": "moderate"}}, living)["certainty"] == "moderate"


def test_an_added_analysis_whose_ci_excludes_the_null_is_flagged():
    flags = conclusions.flags(None, state(est=0.8, lo=0.7, hi=0.9))
    assert flags == [{"kind": "ci_now_excludes_null",
                      "sentence": "The 95% CI of the risk ratio excludes 1 (0.70 to 0.90; new analysis)."}]
    assert conclusions.flags(None, state(est=0.9, lo=0.7, hi=1.1)) == []


def test_a_removed_analysis_has_no_flag():
    assert conclusions.flags(state(est=0.8, lo=0.7, hi=0.9), None) == []
