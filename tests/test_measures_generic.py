"""Generic inverse variance from an estimate and 95% CI (metapool.measures.generic): ratio measures
on the log scale, additive ones on the raw scale, as the registry says; RR bit-identical to
log_rr_from_ci; a CI built from (yi, vi) comes back to (yi, vi)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metapool.measures.binary import Z975, log_rr_from_ci
from metapool.measures.generic import effect_from_ci
from metapool.measures.registry import MEASURES

RATIOS = [code for code, m in MEASURES.items() if m.log_scale]
DIFFERENCES = [code for code, m in MEASURES.items() if not m.log_scale]


def test_the_registry_splits_the_measures():
    assert set(RATIOS) == {"RR", "OR", "PETO", "IRR", "ROM", "HR"} and set(DIFFERENCES) == {"RD", "MD", "SMD"}


def test_rr_is_log_rr_from_ci_bit_for_bit():
    rr, lo, hi = np.array([1.08, 0.5, 2.3, 1.0]), np.array([0.80, 0.21, 1.1, 0.999]), np.array([1.5, 1.19, 4.8, 1.001])
    for got, ref in zip(effect_from_ci("RR", rr, lo, hi), log_rr_from_ci(rr, lo, hi)):
        assert np.array_equal(got, ref)
    for got, ref in zip(effect_from_ci("rr", 1.08, 0.80, 1.5), log_rr_from_ci(1.08, 0.80, 1.5)):
        assert got == ref


@pytest.mark.parametrize("code", RATIOS)
def test_ratio_measures_on_the_log_scale(code):
    """I-MICRO's 28-day mortality, RR 1.08 (0.80 to 1.5), read as each ratio measure."""
    yi, vi = effect_from_ci(code, 1.08, 0.80, 1.5)
    assert yi == math.log(1.08)
    assert vi == ((math.log(1.5) - math.log(0.80)) / (2 * Z975)) ** 2


@pytest.mark.parametrize("code", DIFFERENCES)
def test_additive_measures_on_the_raw_scale(code):
    """A difference of 1 (95% CI 0 to 3): se = 3 / (2 x 1.959964)."""
    yi, vi = effect_from_ci(code, 1.0, 0.0, 3.0)
    assert yi == 1.0 and vi == (3.0 / (2 * Z975)) ** 2


def test_a_negative_difference_is_fine_a_negative_ratio_is_not():
    assert effect_from_ci("MD", -2.5, -4.0, -1.0)[0] == -2.5
    with pytest.raises(ValueError, match="must be positive"):
        effect_from_ci("OR", 1.2, 0.0, 2.0)
    with pytest.raises(ValueError, match="must be positive"):
        effect_from_ci("HR", -1.0, 0.5, 2.0)


def test_limits_in_the_wrong_order_and_unknown_measures():
    with pytest.raises(ValueError, match="lower confidence limit is above"):
        effect_from_ci("RR", 1.2, 1.5, 0.9)
    with pytest.raises(ValueError, match="unknown effect measure"):
        effect_from_ci("NNT", 1.0, 0.5, 2.0)


@settings(deadline=None, max_examples=200)
@given(st.sampled_from(list(MEASURES)), st.floats(-5, 5), st.floats(1e-4, 5))
def test_a_ci_made_from_yi_vi_gives_them_back(code, yi, se):
    m = MEASURES[code]
    to_people = math.exp if m.log_scale else float
    est, lo, hi = (to_people(yi + k * Z975 * se) for k in (0, -1, 1))
    y, v = effect_from_ci(code, est, lo, hi)
    assert float(y) == pytest.approx(yi, rel=1e-12, abs=1e-12)
    assert math.sqrt(float(v)) == pytest.approx(se, rel=1e-9)
