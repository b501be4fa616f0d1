"""Property-based tests (hypothesis) over random 2x2 tables: k 1..15, totals 1..10^5.

- every fit, of every binary measure, gives finite numbers or a clear MetapoolError;
- the fixed-effect estimate lies within [min yi, max yi];
- the order of the studies changes no pooled number (1e-9 relative);
- swapping the arms negates the log RR of fixed IV, MH and random effects for every estimator;
- multiplying every count by 10 shrinks the fixed-effect CI (by sqrt(10) when no cell is zero).
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from metapool.measures.binary import log_rr_from_counts
from metapool.errors import ConvergenceError, MetapoolError
from metapool.engine.mantel_haenszel import mantel_haenszel
from metapool.engine.model import fit_fixed, fit_random
from metapool.engine.pool import pool_studies
from metapool.engine.tau2 import METHODS
from metapool.measures import registry

SETTINGS = settings(deadline=None, max_examples=120, suppress_health_check=[HealthCheck.too_slow])
COUNTS = ("events_trt", "total_trt", "events_ctl", "total_ctl")
RTOL = 1e-9
ATOL = 1e-12  # values that are 0 in exact arithmetic come out as rounding noise of order 1e-16


@st.composite
def table(draw, zero_cells=True):
    """(events_trt, total_trt, events_ctl, total_ctl); without zero cells: 1 <= events <= total - 1."""
    lo = 0 if zero_cells else 1
    n1 = draw(st.integers(1 + lo, 10**5))
    n2 = draw(st.integers(1 + lo, 10**5))
    return draw(st.integers(lo, n1 - lo)), n1, draw(st.integers(lo, n2 - lo)), n2


TABLES = st.lists(table(), min_size=1, max_size=15)
FULL_TABLES = st.lists(table(zero_cells=False), min_size=1, max_size=15)


def studies_of(tables):
    return [{"study": f"s{i}", **dict(zip(COUNTS, t))} for i, t in enumerate(tables)]


def effects(tables):
    a, n1, c, n2 = (np.array(x, dtype=float) for x in zip(*tables))
    yi, vi, _ = log_rr_from_counts(a, n1, c, n2)
    ok = np.isfinite(yi)
    return yi[ok], vi[ok]


def near(a, b) -> bool:
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b))


def assert_same(x, y, path="result", skip=()):
    """Numbers equal to 1e-9 relative (1e-12 absolute), everything else exactly."""
    if isinstance(x, dict):
        assert isinstance(y, dict) and x.keys() == y.keys(), path
        for key in x:
            if key not in skip:
                assert_same(x[key], y[key], f"{path}.{key}", skip)
    elif isinstance(x, list):
        assert isinstance(y, list) and len(x) == len(y), path
        for i, (u, v) in enumerate(zip(x, y)):
            assert_same(u, v, f"{path}[{i}]", skip)
    elif isinstance(x, float) and isinstance(y, float):
        assert near(x, y), (path, x, y)
    else:
        assert x == y, (path, x, y)


def hksj_ill_conditioned(yi) -> bool:
    """Effects (nearly) identical: the HKSJ scale is rounding noise, so t and p are arbitrary.

    Their spread is then below 1e-6 of their size, and the residual sum of squares has fewer
    than 10 significant digits; est, se and the CI are still well defined (se ~ 0).
    """
    yi = np.asarray(yi)
    return len(yi) > 1 and np.ptp(yi) <= 1e-6 * max(1.0, float(np.max(np.abs(yi))))


# --- finite or a clear error ---------------------------------------------------------------------

@SETTINGS
@given(TABLES, st.sampled_from(METHODS), st.sampled_from(["hksj", "z"]), st.sampled_from(["RR", "OR", "RD", "PETO"]))
def test_finite_results_or_a_clear_error(tables, method, ci, measure):
    try:
        res = pool_studies(studies_of(tables), method, ci, measure=measure)
    except ConvergenceError as e:
        assert e.estimator == method and method in str(e)
        return
    except MetapoolError as e:  # pragma: no cover - no other error is expected for valid tables
        pytest.fail(f"unexpected MetapoolError for valid tables: {e}")
    k = res["k"]
    assert k == sum(s["status"] in ("counts", "counts_corrected") for s in res["studies"])
    if k == 0:
        assert res["random"] is None and res["fixed_iv"] is None
        return
    for name in ("fixed_iv", "random"):
        block = res[name]
        for field in ("est", "se", "ci_lb", "ci_ub"):
            assert block[field] is not None and math.isfinite(block[field]), (name, field)
        assert block["ci_lb"] <= block["est"] <= block["ci_ub"]
        assert block["pval"] is not None or block["se"] == 0, name
        for field in ("est", "ci_lb", "ci_ub"):
            people = block["natural"][field]
            if measure == "RR":  # |log RR| < 13 for totals up to 10^5: always a positive number
                assert people is not None and people > 0, (name, field)
            if not registry.get(measure).log_scale:
                assert people == block[field], (name, field)
            elif block[field] > 709.78:  # exp overflows: Inf in R, null in JSON
                assert people is None, (name, field)
            else:
                assert people == pytest.approx(math.exp(block[field]), rel=1e-9, abs=1e-300), (name, field)
    rand = res["random"]
    if k >= 2:
        for field in ("tau2", "tau2_ci_lb", "tau2_ci_ub", "I2", "H2", "Q", "Qp"):
            assert rand[field] is not None and math.isfinite(rand[field]), field
        assert 0 <= rand["tau2_ci_lb"] <= rand["tau2_ci_ub"]
        assert 0 <= rand["I2"] <= 100
    if k >= 3:
        assert rand["pi_lb"] <= rand["est"] <= rand["pi_ub"]
    weights = [s["weight_random"] for s in res["studies"] if s["weight_random"] is not None]
    assert len(weights) == k and sum(weights) == pytest.approx(100)


# --- the fixed effect lies among the studies -------------------------------------------------------

@SETTINGS
@given(TABLES)
def test_fixed_effect_within_study_range(tables):
    yi, vi = effects(tables)
    assume(len(yi) > 0)
    est = fit_fixed(yi, vi)["est"]
    slack = 4 * np.finfo(float).eps * max(1.0, float(np.max(np.abs(yi))))
    assert yi.min() - slack <= est <= yi.max() + slack


# --- order does not matter ----------------------------------------------------------------------

@SETTINGS
@given(TABLES.flatmap(lambda t: st.tuples(st.just(t), st.permutations(range(len(t))))),
       st.sampled_from(METHODS), st.sampled_from(["hksj", "z"]))
def test_order_of_studies_changes_nothing(tables_and_order, method, ci):
    tables, order = tables_and_order
    studies = studies_of(tables)
    try:
        first = pool_studies(studies, method, ci)
    except ConvergenceError:
        with pytest.raises(ConvergenceError):
            pool_studies([studies[i] for i in order], method, ci)
        return
    second = pool_studies([studies[i] for i in order], method, ci)
    skip = ()
    if hksj_ill_conditioned(effects(tables)[0]):
        skip = ("stat", "pval")
    for block in ("fixed_iv", "fixed_mh", "random"):
        assert_same(first[block], second[block], block, skip)
    assert first["k"] == second["k"]
    by_name = {s["study"]: s for s in second["studies"]}
    for s in first["studies"]:
        assert_same(s, by_name[s["study"]], f"study {s['study']}")
    assert sorted(first["notes"]) == sorted(second["notes"])


# --- swapping the arms inverts the RR -----------------------------------------------------------

@SETTINGS
@given(TABLES)
def test_swapping_arms_inverts_the_risk_ratio(tables):
    swapped = [(c, n2, a, n1) for a, n1, c, n2 in tables]
    yi, vi = effects(tables)
    ys, vs = effects(swapped)
    assume(len(yi) > 0)
    assert np.allclose(ys, -yi, rtol=0, atol=1e-12) and np.array_equal(vs, vi)
    assert abs(fit_fixed(ys, vs)["est"] + fit_fixed(yi, vi)["est"]) <= 1e-9
    mh, mh_swapped = mantel_haenszel(*zip(*tables)), mantel_haenszel(*zip(*swapped))
    assert (mh is None) == (mh_swapped is None)
    if mh is not None:
        assert abs(mh["est"] + mh_swapped["est"]) <= 1e-9
        assert mh["se"] == pytest.approx(mh_swapped["se"], rel=1e-9)
    for method in METHODS:
        try:
            fit = fit_random(yi, vi, method, "z")
        except ConvergenceError:
            with pytest.raises(ConvergenceError):
                fit_random(ys, vs, method, "z")
            continue
        mirror = fit_random(ys, vs, method, "z")
        assert abs(fit["est"] + mirror["est"]) <= 1e-9, method
        assert abs(fit["ci_lb"] + mirror["ci_ub"]) <= 1e-9, method
        assert near(fit["tau2"] or 0.0, mirror["tau2"] or 0.0), method


# --- more patients, narrower CI -------------------------------------------------------------------

@SETTINGS
@given(FULL_TABLES)
def test_ten_times_the_counts_shrinks_the_fixed_effect_ci(tables):
    """Without zero cells yi is unchanged and every vi is divided by 10 exactly in exact arithmetic."""
    scaled = [tuple(10 * x for x in t) for t in tables]
    base, big = fit_fixed(*effects(tables)), fit_fixed(*effects(scaled))
    width, width10 = base["ci_ub"] - base["ci_lb"], big["ci_ub"] - big["ci_lb"]
    assert width10 < width
    assert width / width10 == pytest.approx(math.sqrt(10), rel=1e-9)
    assert big["est"] == pytest.approx(base["est"], rel=1e-9, abs=1e-12)


def test_zero_cell_correction_is_not_scale_invariant():
    """Why the scaling property excludes zero cells: 0.5 added to 0/1 vs 1/2 gives a smaller
    variance than 0.5 added to 0/10 vs 10/20 (1.83 vs 1.96), so scaling widens that CI."""
    small = fit_fixed(*effects([(0, 1, 1, 2)]))
    scaled = fit_fixed(*effects([(0, 10, 10, 20)]))
    assert scaled["se"] > small["se"]
