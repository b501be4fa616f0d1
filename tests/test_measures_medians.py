"""Median/IQR/range -> mean, SD and the skewness test (metapool.measures.medians) against the worked
examples in tests/reference/medians_examples.json (papers and metafor's documented output), the
input errors, and a cross-check against pimeta's conv_fivenum (skipped without pimeta)."""

import importlib.util
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metapool.measures.medians import (
    MIN_N, convert_arm, eta, luo_mean, shi_sd, skewness_test, wan_sd, xi,
)

EXAMPLES = json.loads((Path(__file__).parent / "reference" / "medians_examples.json").read_text())
NAMES = ("median", "q1", "q3", "minimum", "maximum")


def arm_args(inp: dict, log: bool = False) -> dict:
    f = math.log if log else float
    return {k: f(v) for k, v in inp.items() if k in NAMES} | {"n": inp["n"]}


def tolerance(example, field):
    tol = example["tolerance"]
    return tol[field] if isinstance(tol, dict) else tol


@pytest.mark.parametrize("example", EXAMPLES["arms"], ids=lambda e: str(sorted(e["input"].items())))
def test_worked_arms(example):
    args = arm_args(example["input"], example.get("log_values", False))
    got = convert_arm(**args)
    stat = {"statistic": got.skew_statistic, "critical": got.skew_critical}
    for field, printed in example["printed"].items():
        if field == "skewed":
            assert got.skewed is printed
        elif printed is None:  # metafor's NA: the arm is skewed and test=TRUE
            assert math.isnan(getattr(got, field))
        else:
            value = stat[field] if field in stat else getattr(got, field)
            assert abs(value - printed) <= tolerance(example, field), (field, value, printed)


ARMS_2023 = EXAMPLES["skewness_tests"]["arms"]


@pytest.mark.parametrize("arm", ARMS_2023, ids=[a["arm"] for a in ARMS_2023])
def test_shi_2023_table_3(arm):
    """|T2|, its critical value and the decision for the eight arms of Shi et al. (2023) Table 3(a)."""
    t, crit, skewed = skewness_test(**arm_args(arm["input"]))
    tol = EXAMPLES["skewness_tests"]["tolerance"]
    assert abs(t - arm["printed"]["statistic"]) <= tol
    assert abs(crit - arm["printed"]["critical"]) <= tol
    assert skewed is arm["printed"]["skewed"]


@pytest.mark.parametrize("example", EXAMPLES["critical_values"], ids=lambda e: f"S{e['scenario']}-n{e['n']}")
def test_printed_critical_values(example):
    n = example["n"]
    values = {1: dict(minimum=0.0, maximum=2.0), 2: dict(q1=0.0, q3=2.0), 3: dict(q1=0.5, q3=1.5, minimum=0.0, maximum=2.0)}
    _, crit, _ = skewness_test(n, 1.0, **values[example["scenario"]])
    assert abs(crit - example["printed"]) <= example["tolerance"]


@pytest.mark.parametrize("q", sorted(EXAMPLES["shi2020_theta"]["rows"], key=int))
def test_shi_2020_theta(q):
    """Shi et al. (2020) Table 1: S = range/theta1 + IQR/theta2 is their estimator (10)."""
    n = 4 * int(q) + 1
    theta1, theta2 = EXAMPLES["shi2020_theta"]["rows"][q]
    per_range = shi_sd(n, q1=0.0, q3=0.0, minimum=0.0, maximum=1.0)
    per_iqr = shi_sd(n, q1=0.0, q3=1.0, minimum=0.0, maximum=1.0) - per_range
    tol = EXAMPLES["shi2020_theta"]["tolerance"]
    assert abs(1 / per_range - theta1) <= tol and abs(1 / per_iqr - theta2) <= tol


def test_wan_2014_blom_approximations_track_the_exact_tables():
    ref = EXAMPLES["wan2014_exact"]
    rel = ref["relative_tolerance"]
    assert all(abs(xi(int(n)) / v - 1) <= rel for n, v in ref["xi"].items())
    assert all(abs(eta(4 * int(q) + 1) / v - 1) <= rel for q, v in ref["eta"].items())


def test_each_estimator_by_its_formula():
    n = 40
    assert luo_mean(n, 16, minimum=2.25, maximum=74.25) == pytest.approx(
        4 / (4 + n**0.75) * 76.5 / 2 + (1 - 4 / (4 + n**0.75)) * 16, rel=1e-15)
    assert wan_sd(n, minimum=2.25, maximum=74.25) == pytest.approx(72 / xi(n), rel=1e-15)
    assert wan_sd(n, q1=10, q3=30, minimum=2, maximum=70) == pytest.approx((68 / xi(n) + 20 / eta(n)) / 2, rel=1e-15)
    wan = convert_arm(n, 20, 10, 30, 2, 38, sd_method="wan")
    shi = convert_arm(n, 20, 10, 30, 2, 38)
    assert wan.sd == wan_sd(n, 10, 30, 2, 38) and shi.sd == shi_sd(n, 10, 30, 2, 38)
    assert "Wan" in wan.method and "Shi" in shi.method and wan.mean == shi.mean
    # outside scenario 3 Shi et al. (2020) recommend Wan's estimators: the two methods agree
    assert convert_arm(n, 20, 10, 30, sd_method="wan") == convert_arm(n, 20, 10, 30, sd_method="shi")


def test_skewed_arm_has_no_mean_unless_untested():
    tested = convert_arm(20, 6, 4, 14, 2, 20)
    untested = convert_arm(20, 6, 4, 14, 2, 20, test=False)
    assert tested.skewed and math.isnan(tested.mean) and math.isnan(tested.sd)
    assert untested.skewed and untested.mean == luo_mean(20, 6, 4, 14, 2, 20)
    assert untested.skew_statistic == tested.skew_statistic


def test_tied_values_cannot_be_tested():
    """All values equal: T is 0/0, NaN and not 'skewed' (metafor: sig FALSE); the SD is 0."""
    arm = convert_arm(12, 3, 3, 3, 3, 3)
    assert math.isnan(arm.skew_statistic) and not arm.skewed and arm.sd == 0 and arm.mean == 3


@pytest.mark.parametrize("kwargs,message", [
    (dict(n=30, median=5, q1=6, q3=9), "q1 (6) is above median (5)"),
    (dict(n=30, median=5, q1=1, q3=4), "median (5) is above q3 (4)"),
    (dict(n=30, median=5, q1=2, q3=8, minimum=3, maximum=9), "minimum (3) is above q1 (2)"),
    (dict(n=30, median=5, q1=2, q3=8, minimum=1, maximum=7), "q3 (8) is above maximum (7)"),
    (dict(n=30, median=5, minimum=6, maximum=9), "minimum (6) is above median (5)"),
    (dict(n=30, median=5, q1=2), "q1 and q3 go together"),
    (dict(n=30, median=5, maximum=9), "minimum and maximum go together"),
    (dict(n=30, median=5), "nothing to convert"),
    (dict(n=1, median=5, q1=2, q3=8), "n = 1"),
    (dict(n=4, median=5, q1=2, q3=8), f"at least {MIN_N}"),
    (dict(n=30.5, median=5, q1=2, q3=8), "whole number"),
    (dict(n=30, median=float("nan"), q1=2, q3=8), "median = nan is not a finite number"),
    (dict(n=30, median=5, q1=2, q3=8, sd_method="hozo"), "unknown SD method"),
])
def test_impossible_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        convert_arm(**kwargs)


def test_i_micro_sofa_change_is_skewed_in_both_arms():
    """I-MICRO (Legrand et al. 2025): change in SOFA to day 7, median (IQR) -4 (-7 to 7) iloprost and
    -5 (-8 to 5) placebo, 236 analysed, arm sizes not printed: both arms are skewed for any n in 114..122."""
    for n in range(114, 123):
        for median, q1, q3 in ((-4, -7, 7), (-5, -8, 5)):
            arm = convert_arm(n, median, q1, q3)
            assert arm.skewed and arm.skew_statistic > 2 * arm.skew_critical
            assert math.isnan(arm.mean)


# --- pimeta's transcription of metafor's conv.fivenum --------------------------------------------

ordered = st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=5, max_size=5, unique=True).map(sorted)


@pytest.mark.skipif(importlib.util.find_spec("pimeta") is None, reason="pimeta (the bench extra) is not installed")
@settings(deadline=None, max_examples=300)
@given(ordered, st.integers(MIN_N, 5000), st.sampled_from((1, 2, 3)))
def test_agrees_with_pimeta_conv_fivenum(values, n, scen):
    from pimeta import conv

    a, q1, m, q3, b = values
    parts = {1: dict(minimum=a, maximum=b), 2: dict(q1=q1, q3=q3), 3: dict(q1=q1, q3=q3, minimum=a, maximum=b)}[scen]
    mine = convert_arm(n, m, **parts, test=False)
    names = {"minimum": "min", "maximum": "max"}
    ref = conv.conv_fivenum(median=m, n=n, test=False, **{names.get(k, k): v for k, v in parts.items()})
    assert mine.scenario == ref.case and mine.skewed == bool(ref.sig)
    for x, y in ((mine.mean, ref.mean), (mine.sd, ref.sd)):
        assert x == pytest.approx(y, rel=1e-12, abs=1e-12)
