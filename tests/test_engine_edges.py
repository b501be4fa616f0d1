"""Edge cases of the engine: k = 1, 2, tau^2 on the boundary, non-convergence, zero and full
cells, missing data, counts up to 10^7, mixed counts and reported RRs, nothing to pool, and which
data enter an analysis of each measure (a reported effect only its own measure).

Reference values come from R metafor via tests/reference/engine_edges.R (its JSON output is
committed; R is not called here).
"""

import json
import math
from decimal import Decimal, getcontext
from pathlib import Path

import numpy as np
import oracle
import pytest

from metapool.measures.binary import log_rr_from_ci, log_rr_from_counts
from metapool.errors import ConvergenceError, InputError, MetapoolError
from metapool.engine.render import to_json, to_tsv
from metapool.engine.mantel_haenszel import mantel_haenszel
from metapool.engine.model import fit_fixed, fit_random, pool_many
from metapool.engine.pool import pool_random, pool_studies
from metapool.engine.tau2 import METHODS, Control
from metapool.measures import datakinds as rules

REF = json.loads((Path(__file__).parent / "reference" / "engine_edges.json").read_text())
CASES = {c["name"]: c for c in REF["cases"]}
CASES_RR = {c["name"]: c for c in oracle.CASES}
RTOL, ATOL = 1e-6, 1e-9
CI = {"z": "z", "knha": "hksj"}


def close(got, ref) -> bool:
    if ref is None:
        return got is None
    return got is not None and (abs(got - ref) <= ATOL or abs(got - ref) <= RTOL * abs(ref))


def no_nan(result: dict) -> dict:
    """The result survives strict JSON (no NaN, no inf) and both renderers."""
    json.dumps(result, allow_nan=False)
    to_json(result)
    to_tsv(result)
    return result


def counts_study(name, a, n1, c, n2, **extra):
    return {"study": name, "events_trt": a, "total_trt": n1, "events_ctl": c, "total_ctl": n2, **extra}


def rr_study(name, rr, lower, upper, measure="RR", **extra):
    """A study known by a reported effect (a risk ratio unless ``measure`` says otherwise) and its 95% CI."""
    return {"study": name, "effect_measure": measure, "effect": rr, "effect_lower": lower, "effect_upper": upper,
            **extra}


def case_effects(case):
    if "ai" in case:
        yi, vi, _ = log_rr_from_counts(case["ai"], case["n1"], case["ci"], case["n2"])
        ok = np.isfinite(yi)
        return yi[ok], vi[ok]
    return np.array(case["yi"]), np.array(case["vi"])


def reference_blocks():
    for case in REF["cases"]:
        for key in case["random"]:
            yield pytest.param(case, key, id=f"{case['name']}-{key}")


# --- every reference case, every estimator x CI method ------------------------------------

@pytest.mark.parametrize("case,key", list(reference_blocks()))
def test_random_effects_match_metafor(case, key):
    method, test = key.split("_")
    yi, vi = case_effects(case)
    ref = case["random"][key]
    if "error" in ref:
        with pytest.raises(ConvergenceError, match=method):
            fit_random(yi, vi, method, CI[test])
        return
    got = fit_random(yi, vi, method, CI[test])
    for field, value in ref.items():
        assert close(got[field], value), (field, got[field], value)


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if "ai" in c])
def test_study_effects_and_mh_match_metafor(name):
    case = CASES[name]
    yi, vi, _ = log_rr_from_counts(case["ai"], case["n1"], case["ci"], case["n2"])
    for got, ref in zip(list(yi) + list(vi), case["yi"] + case["vi"]):
        assert close(None if np.isnan(got) else float(got), ref)
    mh = mantel_haenszel(case["ai"], case["n1"], case["ci"], case["n2"])
    for field, ref in case["fixed_mh"].items():
        assert close(mh[field], ref), (field, mh[field], ref)


# --- k = 1 and k = 2 ---------------------------------------------------------------------

def test_one_study_is_the_study_itself():
    ref = REF["k1"]
    res = no_nan(pool_studies([counts_study("only", ref["ai"], ref["n1"], ref["ci"], ref["n2"])]))
    study = res["studies"][0]
    assert res["k"] == 1
    for block in (res["random"], res["fixed_iv"], res["fixed_mh"]):
        assert block["est"] == pytest.approx(study["yi"], abs=1e-12)
    rand = res["random"]
    for field in ("est", "se", "ci_lb", "ci_ub", "pval"):
        assert close(rand[field], ref[field]), field
    assert rand["se"] == pytest.approx(study["se"], rel=1e-12)
    assert rand["df"] is None                       # HKSJ has no t on 0 df: the Wald interval, as metafor
    for field in ("tau2", "tau2_ci_lb", "tau2_ci_ub", "I2", "I2_ci_lb", "I2_ci_ub", "H2", "pi_lb", "pi_ub"):
        assert rand[field] is None, field
    assert rand["natural"]["pi_lb"] is None and rand["natural"]["pi_ub"] is None
    assert rand["natural"]["est"] == pytest.approx(math.exp(rand["est"]), rel=1e-11)
    assert res["fixed_iv"]["I2"] is None and res["fixed_iv"]["H2"] is None
    assert study["weight_fixed"] == 100 and study["weight_random"] == 100
    assert any("Only one study" in n and "study itself" in n for n in res["notes"])


def test_two_studies_have_no_prediction_interval():
    res = no_nan(pool_studies([counts_study("a", 10, 50, 20, 50), counts_study("b", 30, 100, 25, 90)]))
    assert res["k"] == 2
    assert res["random"]["pi_lb"] is None and res["random"]["pi_ub"] is None
    assert res["random"]["natural"]["pi_lb"] is None and res["random"]["natural"]["pi_ub"] is None
    assert res["random"]["tau2"] is not None and res["random"]["df"] == 1
    assert any("prediction interval" in n for n in res["notes"])


def test_three_studies_have_a_prediction_interval():
    res = pool_studies([counts_study("a", 10, 50, 20, 50), counts_study("b", 30, 100, 25, 90),
                        counts_study("c", 5, 40, 9, 41)])
    r = res["random"]
    assert r["pi_lb"] < r["ci_lb"] <= r["est"] <= r["ci_ub"] < r["pi_ub"]


# --- tau^2 on the boundary ---------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_identical_effects_give_zero_heterogeneity(method):
    case = CASES["identical_yi"]
    got = fit_random(case["yi"], case["vi"], method, "z")
    assert got["tau2"] == 0 and got["I2"] == 0 and got["H2"] == 1
    assert (got["tau2_ci_lb"], got["tau2_ci_ub"]) == (0, 0)
    assert (got["I2_ci_lb"], got["I2_ci_ub"]) == (0, 0)


@pytest.mark.parametrize("method", [m for m in METHODS if m != "SJ"])
def test_homogeneous_counts_give_tau2_zero(method):
    """Q far below k - 1: every estimator but Sidik-Jonkman (positive by construction) is 0."""
    yi, vi = case_effects(CASES["near_homogeneous"])
    got = fit_random(yi, vi, method, "z")
    assert got["tau2"] == 0 and got["I2"] == 0
    assert (got["tau2_ci_lb"], got["tau2_ci_ub"]) == (0, 0)


def test_sidik_jonkman_stays_positive_on_homogeneous_data():
    yi, vi = case_effects(CASES["near_homogeneous"])
    assert fit_random(yi, vi, "SJ", "z")["tau2"] > 0


def test_tau2_interval_starts_at_zero_when_q_is_small():
    yi, vi = case_effects(CASES["mixed_counts_and_rr"])
    got = fit_random(yi, vi, "REML", "z")
    assert got["tau2_ci_lb"] == 0 and got["tau2_ci_ub"] > got["tau2"] > 0


def test_hksj_on_identical_effects_has_zero_se_and_json_null_statistic():
    """metafor: se = 0, zval = Inf, p = 0; the infinite statistic is null in JSON."""
    case = CASES["identical_yi"]
    res = no_nan(pool_studies([rr_study(f"s{i}", math.exp(y), math.exp(y - 1.959964 * math.sqrt(v)),
                                        math.exp(y + 1.959964 * math.sqrt(v)))
                               for i, (y, v) in enumerate(zip(case["yi"], case["vi"]))]))
    assert res["random"]["tau2"] == 0
    assert res["random"]["se"] == pytest.approx(0, abs=1e-12)


# --- iterative estimators that do not converge ----------------------------------------------

def test_paule_mandel_reports_extreme_heterogeneity_by_name():
    case = CASES["outlier_pm_fails"]
    with pytest.raises(ConvergenceError, match="PM") as err:
        fit_random(case["yi"], case["vi"], "PM")
    assert err.value.estimator == "PM"
    assert "tau2.max" in case["random"]["PM_z"]["error"]          # metafor stops here too


def test_paule_mandel_failure_propagates_from_pool_studies():
    case = CASES["outlier_pm_fails"]
    studies = [rr_study(f"s{i}", math.exp(y), math.exp(y - 1.959964 * math.sqrt(v)),
                        math.exp(y + 1.959964 * math.sqrt(v)))
               for i, (y, v) in enumerate(zip(case["yi"], case["vi"]))]
    with pytest.raises(ConvergenceError, match="PM"):
        pool_studies(studies, "PM")
    assert no_nan(pool_studies(studies, "REML"))["random"]["tau2"] > 100


def test_paule_mandel_searches_beyond_100_as_metafor():
    """Q(100) > k - 1 but metafor widens the search to 10 mad(y)^2; so does the engine."""
    yi, vi = case_effects(CASES["spread_beyond_100"])
    got = fit_random(yi, vi, "PM", "z")
    assert got["tau2"] > 100
    assert close(got["tau2"], CASES["spread_beyond_100"]["random"]["PM_z"]["tau2"])


@pytest.mark.parametrize("method", ["REML", "ML", "EB"])
def test_fisher_scoring_out_of_iterations_names_the_estimator(method):
    bcg = REF["bcg_maxiter_1"]
    assert "did not converge" in bcg["outcome"][method]             # metafor agrees
    with pytest.raises(ConvergenceError, match=method) as err:
        fit_random(bcg["yi"], bcg["vi"], method, control=Control(maxiter=1))
    assert err.value.estimator == method
    with pytest.raises(ConvergenceError, match=method):
        pool_many(np.vstack([bcg["yi"]] * 3), np.vstack([bcg["vi"]] * 3), method,
                  control=Control(maxiter=1))


@pytest.mark.parametrize("method", ["REML", "ML", "EB"])
def test_enough_iterations_converge_to_finite_values(method):
    bcg = REF["bcg_maxiter_1"]
    got = fit_random(bcg["yi"], bcg["vi"], method)
    assert all(math.isfinite(got[f]) for f in ("est", "se", "ci_lb", "ci_ub", "tau2"))


# --- zero cells, not estimable, no data --------------------------------------------------------

def test_zero_events_in_one_arm_adds_half_to_that_study_only():
    res = no_nan(pool_studies([counts_study("zero", 0, 30, 4, 31), counts_study("plain", 5, 40, 8, 41)]))
    zero, plain = res["studies"]
    assert (zero["status"], plain["status"]) == ("counts_corrected", "counts")
    # (the JSON keeps 12 significant digits)
    assert zero["yi"] == pytest.approx(math.log((0.5 / 31) / (4.5 / 32)), rel=1e-11)
    assert zero["vi"] == pytest.approx(1 / 0.5 - 1 / 31 + 1 / 4.5 - 1 / 32, rel=1e-11)
    assert plain["yi"] == pytest.approx(math.log((5 / 40) / (8 / 41)), rel=1e-11)
    assert res["k"] == 2 and res["fixed_mh"] is not None


def test_no_events_or_only_events_in_both_arms_are_not_estimable():
    case = CASES["zero_and_all_events"]
    studies = [counts_study(f"s{i}", *row) for i, row in
               enumerate(zip(case["ai"], case["n1"], case["ci"], case["n2"]))]
    res = no_nan(pool_studies(studies))
    status = [s["status"] for s in res["studies"]]
    assert status == ["counts_corrected", "not_estimable", "counts", "counts", "not_estimable"]
    assert res["k"] == 3 and res["k_total"] == 5
    for s in res["studies"]:
        if s["status"] == "not_estimable":
            assert s["weight_fixed"] is None and s["weight_random"] is None
            assert s["yi"] is None and s["vi"] is None and s["natural"]["est"] is None
            assert s["reason"] in ("no events in either arm", "events in every patient of both arms")
            assert f"{s['study']}: not pooled ({s['reason']})." in res["notes"]
    assert sum(s["weight_random"] for s in res["studies"] if s["weight_random"]) == pytest.approx(100)
    # MH keeps every table, as rma.mh does
    assert res["fixed_mh"]["k"] == 5
    assert close(res["fixed_mh"]["est"], case["fixed_mh"]["est"])
    assert close(res["random"]["tau2"], case["random"]["REML_knha"]["tau2"])


def test_a_row_without_data_is_listed_and_left_out():
    res = no_nan(pool_studies([
        counts_study("a", 10, 50, 20, 50), counts_study("b", 30, 100, 25, 90),
        {"study": "empty", **dict.fromkeys(rules.DATA_COLUMNS)},
        counts_study("partial", 4, None, 6, None),
    ]))
    assert [s["status"] for s in res["studies"]] == ["counts", "counts", "no_data", "no_data"]
    assert res["k"] == 2 and res["k_total"] == 4
    assert "empty: not pooled (no usable numbers reported)." in res["notes"]
    assert "partial: not pooled (arm sizes not reported)." in res["notes"]


def test_nothing_to_pool():
    res = no_nan(pool_studies([counts_study("none", 0, 20, 0, 22), counts_study("all", 20, 20, 22, 22),
                               {"study": "blank"}]))
    assert res["k"] == 0 and res["k_total"] == 3
    assert res["random"] is None and res["fixed_iv"] is None and res["fixed_mh"] is None
    assert any("nothing to pool" in n for n in res["notes"])
    assert [s["weight_random"] for s in res["studies"]] == [None, None, None]


def test_nothing_to_pool_with_subgroups():
    res = no_nan(pool_studies([counts_study("none", 0, 20, 0, 22, grp="x")], by="grp"))
    assert res["subgroups"]["groups"][0]["random"] is None
    assert res["subgroups"]["test"] is None


def test_mh_is_null_with_a_note_when_an_arm_never_has_events():
    res = no_nan(pool_studies([counts_study("a", 0, 20, 3, 22), counts_study("b", 0, 30, 5, 28)]))
    assert res["fixed_mh"] is None and res["k"] == 2
    assert any("Mantel-Haenszel not computed" in n for n in res["notes"])


# --- huge counts ------------------------------------------------------------------------------

def exact_log_rr(a, n1, c, n2) -> tuple[float, float]:
    """ln RR and its variance in 60-digit decimal arithmetic."""
    getcontext().prec = 60
    a, n1, c, n2 = map(Decimal, (a, n1, c, n2))
    return float(((a / n1) / (c / n2)).ln()), float(1 / a - 1 / n1 + 1 / c - 1 / n2)


@pytest.mark.parametrize("table", [
    (9_999_999, 10**7, 9_999_998, 10**7),
    (10**7 - 1, 10**7, 10**7 - 3, 10**7 - 1),
    (1, 10**7, 2, 10**7),
    (5_000_000, 10**7, 5_000_001, 10**7),
    (4_123_456, 10**7, 4_300_001, 10**7),
    (1, 10**7, 10**7 - 1, 10**7),                   # RR ~ 1e-7: far from 1 in both directions
    (10**7 - 1, 10**7, 1, 10**7),
    (1, 1, 0, 24_478),                               # zero cell: 1.5/2 vs 0.5/24479
    (0, 24_478, 1, 1),
])
def test_log_rr_and_variance_are_accurate(table):
    yi, vi, corrected = log_rr_from_counts(*table)
    a, n1, c, n2 = table
    assert bool(corrected) == (0 in (a, n1 - a, c, n2 - c))
    add = 0.5 if corrected else 0.0                     # 0.5 in each cell: 1 more in each total
    ey, ev = exact_log_rr(a + add, n1 + 2 * add, c + add, n2 + 2 * add)
    assert float(yi) == pytest.approx(ey, rel=1e-13, abs=1e-300)
    assert float(vi) == pytest.approx(ev, rel=1e-13)


def test_huge_counts_pool_to_finite_values_matching_metafor():
    case = CASES["huge_counts"]
    studies = [counts_study(f"s{i}", *row) for i, row in enumerate(zip(case["ai"], case["n1"], case["ci"], case["n2"]))]
    res = no_nan(pool_studies(studies, "REML", "z"))
    for field, ref in case["random"]["REML_z"].items():
        assert close(res["random"][field], ref), field
    assert close(res["fixed_mh"]["est"], case["fixed_mh"]["est"])


# --- mixed counts and reported RRs --------------------------------------------------------------

def test_mixed_counts_and_reported_rr():
    case = CASES["mixed_counts_and_rr"]
    res = no_nan(pool_studies([counts_study("A", 30, 100, 40, 100), counts_study("B", 12, 60, 15, 58),
                               rr_study("I-MICRO", 1.08, 0.80, 1.5, events_trt=48, events_ctl=47)]))
    assert [s["status"] for s in res["studies"]] == ["counts", "counts", "reported"]
    micro = res["studies"][2]
    y, v = log_rr_from_ci(1.08, 0.80, 1.5)
    assert micro["yi"] == pytest.approx(float(y)) and micro["vi"] == pytest.approx(float(v))
    assert micro["events_trt"] == 48 and micro["total_trt"] is None
    assert micro["reported"] == {"measure": "RR", "est": 1.08, "ci_lb": 0.80, "ci_ub": 1.5, "adjusted": None}
    assert [s["reported"] for s in res["studies"][:2]] == [None, None]
    # the pooled-scale CI is symmetric about ln 1.08 with the width of the reported one
    assert micro["natural"]["est"] == pytest.approx(1.08)
    width = math.log(micro["natural"]["ci_ub"]) - math.log(micro["natural"]["ci_lb"])
    assert width == pytest.approx(math.log(1.5) - math.log(0.80), rel=1e-6)
    assert res["fixed_mh"] is None
    assert any("Mantel-Haenszel not computed" in n for n in res["notes"])
    for field, ref in case["random"]["REML_knha"].items():
        assert close(res["random"][field], ref), field


def test_counts_win_over_a_reported_rr():
    res = pool_studies([counts_study("A", 30, 100, 40, 100, effect_measure="RR", effect=0.75, effect_lower=0.5,
                                     effect_upper=1.1)])
    study = res["studies"][0]
    assert study["status"] == "counts"
    assert study["yi"] == pytest.approx(math.log(0.75), rel=1e-11)  # (30/100)/(40/100), not the reported 0.75's CI
    assert study["vi"] == pytest.approx(1 / 30 - 1 / 100 + 1 / 40 - 1 / 100, rel=1e-11)
    assert study["reported"] == {"measure": "RR", "est": 0.75, "ci_lb": 0.5, "ci_ub": 1.1, "adjusted": None}
    assert res["fixed_mh"] is not None


# --- which data enter an analysis of each measure ------------------------------------------------

MEASURES = {c["name"]: c for c in oracle.MEASURES}
TWO = [counts_study("A", 30, 100, 40, 100), counts_study("B", 12, 60, 15, 58)]
IMICRO = rr_study("I-MICRO", 1.08, 0.80, 1.5, events_trt=48, events_ctl=47)
NOT_POOLED = {"yi": None, "vi": None, "se": None, "weight_fixed": None, "weight_random": None}


def binary_studies(name: str) -> list[dict]:
    c = MEASURES[name]
    return [counts_study(f"s{j}", *t) for j, t in enumerate(zip(c["ai"], c["n1"], c["ci"], c["n2"]))]


def assert_not_pooled(study: dict, status: str) -> None:
    assert study["status"] == status
    assert {k: study[k] for k in NOT_POOLED} == NOT_POOLED
    assert study["natural"] == {"est": None, "ci_lb": None, "ci_ub": None}


@pytest.mark.parametrize("measure", ["OR", "RD", "PETO"])
def test_a_reported_rr_never_enters_another_measure(measure):
    res = no_nan(pool_studies(TWO + [IMICRO], measure=measure))
    assert [s["status"] for s in res["studies"]] == ["counts", "counts", "other_measure"]
    assert_not_pooled(res["studies"][2], "other_measure")
    assert res["studies"][2]["reported"]["measure"] == "RR"   # still shown as reported
    assert res["k"] == 2 and res["k_total"] == 3
    assert "I-MICRO: not pooled (arm sizes not reported: only an RR is given)." in res["notes"]
    assert res["random"] == pool_studies(TWO, measure=measure)["random"]
    fixed = "fixed_peto" if measure == "PETO" else "fixed_mh"
    assert res[fixed] is not None and res[fixed]["k"] == 2     # the RR-only study does not block MH/Peto


def test_a_reported_or_enters_an_or_analysis_only():
    liu = rr_study("Liu", 0.7, 0.45, 1.1, measure="OR")
    res = no_nan(pool_studies(TWO + [liu], measure="OR"))
    study = res["studies"][2]
    assert study["status"] == "reported"
    assert study["yi"] == pytest.approx(math.log(0.7), rel=1e-11)
    assert study["se"] == pytest.approx((math.log(1.1) - math.log(0.45)) / (2 * 1.959964), rel=1e-6)
    assert study["natural"]["est"] == pytest.approx(0.7, rel=1e-11)
    assert res["fixed_mh"] is None and any("Mantel-Haenszel not computed" in n for n in res["notes"])
    assert_not_pooled(no_nan(pool_studies(TWO + [liu], measure="RR"))["studies"][2], "other_measure")


def test_a_risk_difference_never_becomes_a_ratio():
    rd = rr_study("SEPSIS-ACT", -0.036, -0.09, 0.02, measure="RD")
    res = no_nan(pool_studies(TWO + [rd], measure="RD"))
    assert (res["measure"], res["measure_name"], res["log_scale"]) == ("RD", "Risk difference", False)
    study = res["studies"][2]
    assert study["status"] == "reported"
    assert study["yi"] == pytest.approx(-0.036, rel=1e-11)                      # raw, not log
    assert study["se"] == pytest.approx(0.11 / (2 * 1.959964), rel=1e-6)
    assert study["natural"]["est"] == pytest.approx(-0.036, rel=1e-11)            # not exp(-0.036)
    assert study["natural"]["ci_lb"] == pytest.approx(study["ci_lb"], rel=1e-12)
    assert res["random"]["natural"]["est"] == pytest.approx(res["random"]["est"], rel=1e-12)
    for measure in ("RR", "OR", "PETO", "HR"):
        other = no_nan(pool_studies(TWO + [rd], measure=measure))
        assert_not_pooled(other["studies"][2], "other_measure")
        assert other["k"] == (0 if measure == "HR" else 2)


def test_counts_enter_a_binary_analysis_before_a_reported_effect_of_any_measure():
    a = counts_study("A", 30, 100, 40, 100, effect_measure="OR", effect=0.5, effect_lower=0.3, effect_upper=0.9)
    for measure, yi in (("RR", math.log(0.75)), ("OR", math.log((30 * 60) / (40 * 70))), ("RD", -0.1)):
        study = pool_studies([a], measure=measure)["studies"][0]
        assert study["status"] == "counts" and study["yi"] == pytest.approx(yi, rel=1e-11), measure


@pytest.mark.parametrize("include", [True, False])
def test_adjusted_effects_excluded_on_request(include):
    studies = TWO + [rr_study("adj", 0.8, 0.6, 1.05, effect_adjusted="yes"),
                     rr_study("unadj", 0.9, 0.7, 1.2, effect_adjusted="no"),
                     rr_study("unstated", 1.1, 0.8, 1.4),
                     counts_study("C", 5, 40, 8, 41, effect_measure="RR", effect=0.6, effect_lower=0.2,
                                  effect_upper=1.8, effect_adjusted="yes")]
    res = no_nan(pool_studies(studies, include_adjusted=include))
    status = [s["status"] for s in res["studies"]]
    assert status == ["counts", "counts", "reported" if include else "adjusted_excluded", "reported", "reported",
                      "counts"]
    assert res["settings"]["include_adjusted"] is include and res["settings"]["include_skewed"] is False
    assert [s["reported"]["adjusted"] for s in res["studies"][2:]] == [True, False, None, True]
    assert res["k"] == (6 if include else 5)
    note = "adj: not pooled (adjusted effect only; this analysis excludes adjusted effects)."
    assert (note in res["notes"]) is not include
    if not include:
        assert_not_pooled(res["studies"][2], "adjusted_excluded")
        assert res["random"] == pool_studies(studies[:2] + studies[3:])["random"]


def test_rd_is_estimable_for_a_double_zero_table_and_or_rr_peto_are_not():
    studies = binary_studies("double_zero_RD")
    assert (studies[0]["events_trt"], studies[0]["events_ctl"]) == (0, 0)
    rd = no_nan(pool_studies(studies, measure="RD"))
    ref = MEASURES["double_zero_RD"]["ref"]
    assert rd["k"] == 5 and rd["studies"][0]["status"] == "counts_corrected"
    assert oracle.close([s["yi"] for s in rd["studies"]], ref["yi"])
    assert oracle.close([s["vi"] for s in rd["studies"]], ref["vi"])
    for field, value in ref["REML_knha"].items():
        assert oracle.close(rd["random"][field], value), field
    for field, value in ref["fixed_mh"].items():
        assert oracle.close(rd["fixed_mh"][field], value), field
    for measure in ("RR", "OR", "PETO"):
        res = no_nan(pool_studies(studies, measure=measure))
        assert res["k"] == 4, measure
        assert_not_pooled(res["studies"][0], "not_estimable")
        assert "s0: not pooled (no events in either arm)." in res["notes"]
        if measure != "RR":
            assert oracle.close([s["yi"] for s in res["studies"]], MEASURES[f"double_zero_{measure}"]["ref"]["yi"])


@pytest.mark.parametrize("measure", ["RR", "OR", "RD", "PETO"])
def test_mantel_haenszel_for_rr_or_rd_and_peto_for_peto(measure):
    res = no_nan(pool_studies(binary_studies("bcg_OR"), measure=measure))
    ref = CASES_RR["bcg"]["ref"] if measure == "RR" else MEASURES[f"bcg_{measure}"]["ref"]
    present, absent = ("fixed_peto", "fixed_mh") if measure == "PETO" else ("fixed_mh", "fixed_peto")
    assert res[absent] is None
    for field, value in ref[present].items():
        assert oracle.close(res[present][field], value), (present, field)
    assert res[present]["k"] == 13
    people = math.exp if measure != "RD" else float
    assert res[present]["natural"]["est"] == pytest.approx(people(res[present]["est"]), rel=1e-11)


def test_mh_risk_difference_of_plus_one_has_no_standard_error():
    """One table 1/1 vs 0/659: RD = 1 and a variance 0 in exact arithmetic that rounds below 0;
    metafor 3.8-1 rma.mh(measure="RD") gives se NaN (NaNs produced), and so None here."""
    res = no_nan(pool_studies([counts_study("a", 1, 1, 0, 659)], measure="RD"))
    mh = res["fixed_mh"]
    assert mh["est"] == pytest.approx(1.0, rel=1e-12)
    assert mh["se"] is None and mh["ci_lb"] is None and mh["pval"] is None
    # with a second table metafor gives a standard error again
    ref = {"est": 0.0831017933821672, "se": 0.212743503185802, "ci_lb": -0.333867810806888,
           "ci_ub": 0.500071397571222, "pval": 0.696078396617383, "Q": 5.47823253620169}
    two = pool_studies([counts_study("a", 1, 1, 0, 659), counts_study("b", 3, 10, 4, 10)], measure="RD")
    for field, value in ref.items():
        assert oracle.close(two["fixed_mh"][field], value), field


def test_peto_odds_ratio_beyond_the_float_range_is_null():
    """One table 1/1 vs 0/659: log Peto OR 660 (CI 609.6 to 710.4); metafor's exp(ci.ub) is Inf."""
    res = no_nan(pool_studies([counts_study("a", 1, 1, 0, 659)], measure="PETO"))
    peto_block = res["fixed_peto"]
    for field, value in {"est": 660.0, "se": 25.7099497753434, "ci_lb": 609.609424395993,
                         "ci_ub": 710.390575604007}.items():
        assert oracle.close(peto_block[field], value), field
    assert peto_block["natural"]["ci_lb"] == pytest.approx(5.62353149001840e+264, rel=1e-6)
    assert peto_block["natural"]["ci_ub"] is None


@pytest.mark.parametrize("measure", ["MD", "SMD", "ROM"])
def test_no_mantel_haenszel_or_peto_for_continuous_measures(measure):
    c = MEASURES[f"normand1999_{measure}"]
    studies = [{"study": f"s{j}", "n_trt": n1, "mean_trt": m1, "sd_trt": s1, "n_ctl": n2, "mean_ctl": m2,
                "sd_ctl": s2} for j, (m1, s1, n1, m2, s2, n2) in
               enumerate(zip(c["m1"], c["sd1"], c["n1"], c["m2"], c["sd2"], c["n2"]))]
    res = no_nan(pool_studies(studies, measure=measure))
    assert res["fixed_mh"] is None and res["fixed_peto"] is None
    assert {s["status"] for s in res["studies"]} == {"means"}
    assert oracle.close([s["yi"] for s in res["studies"]], c["ref"]["yi"])
    for field, value in c["ref"]["REML_knha"].items():
        assert oracle.close(res["random"][field], value), field


# --- invalid numbers are refused, never pooled -------------------------------------------------

@pytest.mark.parametrize("study,column", [
    (counts_study("x", 12, 10, 3, 10), "events_trt"),
    (counts_study("x", -1, 10, 3, 10), "events_trt"),
    (counts_study("x", 2.5, 10, 3, 10), "events_trt"),
    (counts_study("x", 2, 10, 3, 0), "total_ctl"),
    (counts_study("x", 2, 10, float("nan"), 10), "events_ctl"),
    (counts_study("x", 2, 10, "3", 10), "events_ctl"),
    (rr_study("x", 1.2, 1.3, 1.5), "effect_lower"),
    (rr_study("x", 0, 0.5, 1.5), "effect"),
    (rr_study("x", 1.0, 1.0, 1.0), "effect_upper"),
    (rr_study("x", 1.0, 0.5, float("inf")), "effect_upper"),
    (rr_study("x", 1.0, 0.5, 2.0, measure="RRR"), "effect_measure"),
    (rr_study("x", 1.0, 0.5, 2.0, effect_adjusted=True), "effect_adjusted"),
    ({"study": "x", "n_trt": 10, "mean_trt": 5.0, "sd_trt": -1.0, "n_ctl": 10, "mean_ctl": 6.0, "sd_ctl": 1.0},
     "sd_trt"),
    ({"study": "x", "n_trt": 10, "median_trt": 5.0, "q1_trt": 3.0, "min_trt": 1.0, "max_trt": 9.0,
      "n_ctl": 10, "median_ctl": 5.0, "q1_ctl": 3.0, "q3_ctl": 7.0}, "q3_trt"),
    ({**counts_study("x", 2, 10, 3, 10), "n_trt": 10, "mean_trt": 5.0, "sd_trt": 1.0, "n_ctl": 10,
      "mean_ctl": 6.0, "sd_ctl": 1.0}, "n_trt"),
    (counts_study("x", 2, 10, 3, 10, effect_measure="MD", effect=1.0, effect_lower=0.5, effect_upper=1.5),
     "effect_measure"),
])
def test_impossible_numbers_raise_input_error(study, column):
    with pytest.raises(InputError) as err:
        pool_studies([counts_study("ok", 3, 10, 4, 10), study])
    assert f"study 2 ('x'), column '{column}'" in str(err.value)


def test_every_impossible_number_is_reported_at_once():
    with pytest.raises(InputError) as err:
        pool_studies([counts_study("a", 12, 10, 3, 10), rr_study("b", 2.0, 0.5, 1.5)])
    assert len(err.value.problems) == 2


def test_non_positive_variance_is_refused():
    with pytest.raises(MetapoolError, match="vi > 0"):
        fit_random([0.1, 0.2], [0.01, 0.0])
    with pytest.raises(MetapoolError, match="vi > 0"):
        pool_many([[0.1, 0.2]], [[0.01, -1.0]])


def test_single_fit_of_nothing_is_a_clear_error():
    with pytest.raises(MetapoolError, match="no study"):
        fit_fixed([np.nan], [np.nan])
    with pytest.raises(MetapoolError, match="no study"):
        fit_random([], [])


@pytest.mark.parametrize("name", sorted(CASES_RR))
@pytest.mark.parametrize("measure", ["RR", "OR", "RD"])
def test_pool_random_is_the_random_block_of_pool_studies(name, measure):
    """The restricted re-pools' random-effects fit alone is pool_studies' random block, exactly."""
    c = CASES_RR[name]
    studies = [{"study": f"s{j}", "events_trt": a, "total_trt": n1, "events_ctl": cc, "total_ctl": n2}
               for j, (a, n1, cc, n2) in enumerate(zip(c["ai"], c["n1"], c["ci"], c["n2"]))]
    for settings in ({}, {"tau2_method": "dl", "ci_method": "Z"}, {"control": Control(stepadj=0.5, maxiter=1000)}):
        assert pool_random(studies, measure=measure, **settings) == \
            pool_studies(studies, measure=measure, **settings)["random"]
