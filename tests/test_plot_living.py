"""Living-review figures without rendering: data -> geometry and the rows/texts each figure shows."""

import json
import math
from pathlib import Path

import pytest

from metapool.plotting.cumulative_plot import cumulative_table
from examples import synthetic_studies
from metapool.plotting.funnel_plot import (K_MIN_SMALL_STUDY, caption_lines, contour_halfwidth,
                                           funnel_studies, pseudo_limits, se_axis)
from metapool.living.influence_flags import dfbetas, influential
from metapool.plotting.leave1out_plot import leave1out_table
from metapool.plotting.tsa_plot import futility_edge, nice_ticks, wedge_polygon, z_ticks, z_limit
from metapool.engine.pool import pool_studies
from metapool.living import K_MIN_SMALL_STUDY as ENGINE_K_MIN
from metapool.living import run_living


def analysis(k, seed=1, ci="hksj"):
    studies = synthetic_studies(k, seed=seed)
    pooled = pool_studies(studies, ci_method=ci)
    pooled.update(analysis=f"k{k}", title=f"{k} synthetic trials")
    return pooled, json.loads(json.dumps(run_living(studies, ci_method=ci)))


def two_sided_p(y, se):
    """Wald two-sided p of ln RR y with standard error se."""
    return math.erfc(abs(y) / se / math.sqrt(2))


# Funnel geometry ---------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.10, 0.05, 0.01])
@pytest.mark.parametrize("se", [0.05, 0.3, 1.7])
def test_contour_is_where_the_trial_p_value_equals_p(p, se):
    y = contour_halfwidth(se, p)
    assert two_sided_p(y, se) == pytest.approx(p, rel=1e-12)
    assert two_sided_p(y * 1.01, se) < p < two_sided_p(y * 0.99, se)


def test_contour_halfwidth_of_5_percent_is_1_96_se():
    assert contour_halfwidth(0.2, 0.05) == pytest.approx(1.959963984540054 * 0.2, rel=1e-14)
    assert contour_halfwidth(0.0, 0.05) == 0.0


def test_pseudo_limits_are_symmetric_around_the_estimate():
    lo, hi = pseudo_limits(-0.3, 0.25)
    assert (lo + hi) / 2 == pytest.approx(-0.3)
    assert hi - lo == pytest.approx(2 * 1.959963984540054 * 0.25)


@pytest.mark.parametrize("se_max", [0.013, 0.09, 0.1, 0.24, 0.5, 1.49, 3.7, 42.0])
def test_se_axis_holds_the_largest_se_with_at_most_five_even_steps(se_max):
    top, ticks = se_axis(se_max)
    assert ticks[0] == 0 and ticks[-1] == pytest.approx(top)
    assert top >= se_max * 1.05
    assert 1 <= len(ticks) - 1 <= 5
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1


def test_funnel_studies_are_the_pooled_ones_with_se_from_vi():
    pooled, _ = analysis(6)
    points = funnel_studies(pooled)
    pooled_studies = [s for s in pooled["studies"] if s["yi"] is not None]
    assert len(points) == pooled["k"] == len(pooled_studies)
    for (y, se), s in zip(points, pooled_studies):
        assert y == s["yi"] and se == pytest.approx(math.sqrt(s["vi"]))


def test_small_study_threshold_matches_the_engine():
    assert K_MIN_SMALL_STUDY == ENGINE_K_MIN == 10


def test_caption_says_why_tests_are_missing_below_ten_trials():
    _, sens = analysis(6)
    k = sens["small_study"]["k"]
    assert sens["small_study"] == {"run": False, "k": k, "min_k": 10, "reason": (
        f"k = {k} < 10: funnel plot, Egger's and Harbord's tests and trim-and-fill not run (Cochrane Handbook "
        "13.3.5.4: with fewer than 10 trials they cannot tell small-study effects from chance).")}
    assert caption_lines(sens, 6) == [
        f"No funnel plot: {k} trials, fewer than the 10 that a funnel plot and tests for small-study effects need."]
    assert all(sens[b] is None and sens["reasons"][b] == sens["small_study"]["reason"]
               for b in ("egger_rma", "egger_lm", "trimfill"))


def test_a_living_json_without_the_small_study_block_falls_back_to_k():
    assert caption_lines({}, 9)[0].startswith("No funnel plot: 9 trials, fewer than the 10")
    assert not caption_lines({}, 10)[0].startswith("No funnel plot")


def test_caption_reports_every_test_from_ten_trials():
    pooled, sens = analysis(14, seed=5)
    lines = caption_lines(sens, pooled["k"])
    assert pooled["k"] >= 10 and len(lines) == 4
    e = sens["egger_rma"]
    assert lines[0].startswith("Egger's test (random-effects meta-regression on SE")
    assert f"t = {e['z']:.2f} (df = {e['df']})" in lines[0]
    assert f"t = {sens['egger_lm']['t']:.2f}" in lines[1]
    if sens["harbord"]:
        assert f"t = {sens['harbord']['t']:.2f}" in lines[2]
    else:
        assert sens["reasons"]["harbord"] in lines[2]
    assert lines[3].startswith("Trim-and-fill (L0)")


def test_caption_gives_the_reason_of_a_test_that_failed():
    _, sens = analysis(14, seed=5)
    sens = {**sens, "egger_lm": None, "reasons": {**sens["reasons"], "egger_lm": "Not computed: singular."}}
    assert caption_lines(sens, 14)[1] == "Egger's test, classic form: Not computed: singular."


# TSA geometry ------------------------------------------------------------------------------

def test_futility_wedge_opens_where_the_boundary_crosses_zero():
    x, b = [100.0, 200.0, 400.0], [-1.0, 1.0, 2.0]
    edge = futility_edge(x, b)
    assert edge == [(150.0, 0.0), (200.0, 1.0), (400.0, 2.0)]
    assert wedge_polygon(edge) == [(150.0, 0.0), (200.0, 1.0), (400.0, 2.0), (400.0, -2.0),
                                   (200.0, -1.0)]


def test_futility_wedge_from_the_first_look_and_without_area():
    assert futility_edge([10.0, 20.0], [0.5, 0.8]) == [(10.0, 0.5), (20.0, 0.8)]
    assert wedge_polygon(futility_edge([10.0, 20.0], [0.5, 0.8])) == [
        (10.0, 0.5), (20.0, 0.8), (20.0, -0.8), (10.0, -0.5)]
    assert futility_edge([10.0, 20.0], [-3.0, -0.1]) == []
    assert wedge_polygon([(10.0, 0.6)]) == []  # one look: markers, no area


def test_z_axis_holds_the_curve_and_the_conventional_lines():
    assert z_limit({"z": [0.5, -1.0], "efficacy": [2.0, None]}) == 5.0
    assert z_limit({"z": [0.5, -11.2, None], "efficacy": [9.0, 3.0, 2.0]}) == math.ceil(11.2 * 1.15)
    assert z_limit({"z": [0.5, -1.0], "efficacy": [6.2, 5.1]}) == 7.0  # boundaries show
    assert z_limit({"z": [0.5, -1.0], "efficacy": [25.0, 19.0]}) == 9.0  # up to the cap of 8
    for ylim in (5.0, 7.0, 13.0, 40.0):
        ticks = z_ticks(ylim)
        assert 0.0 in ticks and ticks == [-t for t in reversed(ticks)]
        assert max(ticks) <= ylim and len(ticks) <= 13


@pytest.mark.parametrize("top", [9.0, 840.0, 5483.0 * 1.06, 21000.0, 1.2e6])
def test_participant_ticks_are_round_and_inside(top):
    ticks = nice_ticks(top)
    assert ticks[0] == 0 and ticks[-1] <= top and 3 <= len(ticks) <= 6
    step = ticks[1]
    assert step / 10 ** math.floor(math.log10(step)) in (1, 2, 2.5, 5)


# Influence flags ---------------------------------------------------------------------------

def test_influence_flags_follow_each_criterion():
    k = 5
    base = {"dffits": [0.1] * k, "cooks_d": [0.1] * k, "hat": [0.2] * k, "tau2_del": [0.0] * k}
    vi = [0.04] * k
    assert influential(base, vi) == [False] * k
    for key, value in (("dffits", -1.6), ("cooks_d", 0.46), ("hat", 0.61)):
        changed = {**base, key: [value] + base[key][1:]}
        assert influential(changed, vi)[0], key
    # |DFBETAS| = |DFFITS| sqrt(h (v + tau2) sum 1/(v_j + tau2)) = 1.2 * sqrt(0.2 * 5) > 1
    changed = {**base, "dffits": [1.2, 0.1, 0.1, 0.1, 0.1], "hat": [0.2] * k}
    assert dfbetas(changed, vi)[0] == pytest.approx(1.2)
    assert influential(changed, vi)[0]


INFLUENCE_REF = Path(__file__).parent / "reference"


def influence_cases():
    inputs = json.loads((INFLUENCE_REF / "influence_flags_inputs.json").read_text())
    refs = json.loads((INFLUENCE_REF / "influence_flags.json").read_text())
    return [pytest.param(i, r, id=f"k{i['k']}-seed{i['seed']}-{i['ci']}") for i, r in zip(inputs, refs)]


@pytest.mark.parametrize("inputs,ref", influence_cases())
def test_influence_flags_and_dfbetas_match_metafor(inputs, ref):
    """Against tests/reference/influence_flags.R (metafor influence(): is.infl and DFBETAS)."""
    pooled, sens = analysis(inputs["k"], seed=inputs["seed"], ci=inputs["ci"])
    pooled_studies = [s for s in pooled["studies"] if s["yi"] is not None]
    assert [s["yi"] for s in pooled_studies] == inputs["yi"]  # the data the reference was computed on
    assert [s["vi"] for s in pooled_studies] == inputs["vi"]
    assert sens["influence"]["study"] == [s["study"] for s in pooled_studies]
    assert sens["influence"]["influential"] == ref["infl"]  # living.json carries metafor's inf flag
    assert sens["influence"]["dfbetas"] == pytest.approx(ref["dfbs"], rel=1e-6, abs=1e-9)


# Rows of the cumulative and leave-one-out plots --------------------------------------------

def test_cumulative_rows_follow_the_block():
    pooled, sens = analysis(12)
    table = cumulative_table(pooled, sens, {})
    block = sens["cumulative"]
    labels = {s["study"]: s["label"] for s in pooled["studies"]}
    assert [r.cells["label"] for r in table.rows] == [f"+ {labels[s]}" for s in block["study"]]
    assert [c.header for c in table.columns[2:]] == [("k",), ("RR [95% CI]",), ("Tau\u00b2",)]
    for i, r in enumerate(table.rows):
        assert r.cells["k"] == str(i + 1)
        assert r.cells["effect"] == (f"{math.exp(block['est'][i]):.2f} [{math.exp(block['ci_lb'][i]):.2f}, "
                                 f"{math.exp(block['ci_ub'][i]):.2f}]")
        iv = r.interval
        assert (iv.est, iv.lo, iv.hi) == (block["est"][i], block["ci_lb"][i], block["ci_ub"][i])
    last = table.rows[-1]
    assert last.interval.est == pytest.approx(pooled["random"]["est"], rel=1e-9)
    assert any("Not included (no estimable effect): AuthorD 2003 (TRIAL-04); AuthorE 2004 (TRIAL-05)."
               == f for f in table.footers)


def test_leave1out_rows_end_with_all_trials_and_flag_influential_ones():
    pooled, sens = analysis(12)
    table = leave1out_table(pooled, sens, {})
    block = sens["leave1out"]
    assert len(table.rows) == len(block["study"]) + 1
    summary = table.rows[-1]
    assert summary.kind == "summary" and summary.cells["label"] == f"All trials (k = {pooled['k']})"
    assert table.reference == (pooled["random"]["est"], pooled["random"]["ci_lb"], pooled["random"]["ci_ub"])
    flags = sens["influence"]["influential"]
    assert any(flags)
    assert [r.interval.kind == "flag" for r in table.rows[:-1]] == flags
    assert [r.cells["flag"] for r in table.rows[:-1]] == ["*" if f else "" for f in flags]


def test_leave1out_without_influence_says_so():
    pooled, sens = analysis(6)
    sens = {**sens, "influence": None, "reasons": {**sens["reasons"], "influence": "Not computed: test."}}
    table = leave1out_table(pooled, sens, {})
    assert not any(r.interval.kind == "flag" for r in table.rows)
    assert "Influence diagnostics: Not computed: test." in table.footers
