"""The one rounding path (metapool.rounding) and the ratio format (metapool.measures.text)."""

import math

import pytest

from metapool.measures.text import ratio
from metapool.rounding import decimals, whole


@pytest.mark.parametrize("x, places, want", [
    (1.995, 2, "2.00"), (1.99499999018, 2, "2.00"), (-0.495, 2, "-0.50"), (2.675, 2, "2.68"),
    (-0.001, 2, "0.00"), (0.0, 0, "0"), (1234.5, 0, "1235"),
])
def test_half_away_from_zero_after_the_guard(x, places, want):
    assert decimals(x, places) == want


def test_extreme_values_round_instead_of_failing():
    """A prediction limit far out on a log axis (exp of a wide interval) is still a number."""
    big = 1.2345e40
    assert decimals(big, 2) == f"{int(decimals(big, 0))}.00"
    assert whole(1e30) == 10 ** 30
    assert decimals(math.inf, 2) == "inf" and decimals(-math.inf, 2) == "-inf"


@pytest.mark.parametrize("x, want", [
    (None, "-"), (0.0005, "<0.001"), (0.0075, "0.0075"), (1.084, "1.08"), (241.4, "241"),
    (1000.0, "1000"), (1000.4, ">1000"), (3.5e40, ">1000"), (math.inf, ">1000"),
])
def test_ratio_format(x, want):
    assert ratio(x) == want
