"""An arm reported as median with IQR and/or range, converted to mean and SD (Cochrane Handbook
6.5.2.5; metafor >= 4.0 ``conv.fivenum``, method "luo/wan/shi", dist "norm").

Three scenarios (Wan et al. 2014; Shi et al. 2023): 1 = minimum, median, maximum;
2 = q1, median, q3; 3 = all five. Mean by Luo et al. (2018), SD by Wan et al. (2014) or, with all
five numbers, by Shi et al. (2020); skewness by the tests of Shi et al. (2023), with their
closed-form critical values at the 0.05 level. The estimators assume normal data: an arm the test
finds skewed gets no mean or SD unless ``test=False`` (metafor's test=TRUE).

Luo D, Wan X, Liu J, Tong T. Stat Methods Med Res 2018;27:1785-1805.
Wan X, Wang W, Liu J, Tong T. BMC Med Res Methodol 2014;14:135.
Shi J, Luo D, Weng H, et al. Res Synth Methods 2020;11:641-654.
Shi J, Luo D, Wan X, et al. Stat Methods Med Res 2023;32:1338-1360.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

from scipy.special import ndtri

MIN_N = 5  # metafor conv.fivenum leaves smaller arms out; the papers' tables start at n = 5
SD_METHODS = ("shi", "wan")
SCENARIOS = {1: "minimum, median, maximum", 2: "q1, median, q3", 3: "minimum, q1, median, q3, maximum"}


@dataclass(frozen=True)
class ArmEstimate:
    """Estimated mean and SD of one arm (NaN when skewed and tested), its scenario (1, 2, 3), the
    methods used, and the Shi et al. (2023) skewness test: statistic, 0.05 critical value, verdict."""

    mean: float
    sd: float
    scenario: int
    method: str
    skew_statistic: float
    skew_critical: float
    skewed: bool


def xi(n: int) -> float:
    """2 Phi^-1((n - 0.375) / (n + 0.25)): Blom's approximation of the expected range of n standard
    normals (Wan et al. 2014, eq. 9)."""
    return 2 * float(ndtri((n - 0.375) / (n + 0.25)))


def eta(n: int) -> float:
    """2 Phi^-1((0.75 n - 0.125) / (n + 0.25)): the expected IQR of n standard normals, by Blom's
    approximation (Wan et al. 2014, eq. 16)."""
    return 2 * float(ndtri((0.75 * n - 0.125) / (n + 0.25)))


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, Real) or not float(n).is_integer():
        raise ValueError(f"n = {n!r}: the arm size must be a whole number")
    if n < MIN_N:
        raise ValueError(f"n = {n}: an arm needs at least {MIN_N} participants to be converted "
                         "(metafor conv.fivenum leaves smaller arms out)")
    return int(n)


def _scenario(q1=None, q3=None, minimum=None, maximum=None, median=None, *, n=None) -> int:
    """The scenario the reported numbers make (1, 2 or 3), after checking them.

    ValueError naming the problem: a quartile or an extreme without its partner, nothing to convert,
    a value that is not a finite number, numbers out of order (minimum <= q1 <= median <= q3 <=
    maximum), or, when given, an arm size that is not a whole number >= 5.
    """
    if n is not None:
        _check_n(n)
    values = {"minimum": minimum, "q1": q1, "median": median, "q3": q3, "maximum": maximum}
    for name, v in values.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v)):
            raise ValueError(f"{name} = {v!r} is not a finite number")
    if (q1 is None) != (q3 is None):
        raise ValueError("q1 and q3 go together: give both or neither")
    if (minimum is None) != (maximum is None):
        raise ValueError("minimum and maximum go together: give both or neither")
    if q1 is None and minimum is None:
        raise ValueError("nothing to convert: give q1 and q3, or minimum and maximum, or all four")
    given = [(name, v) for name, v in values.items() if v is not None]
    for (lo_name, lo), (hi_name, hi) in zip(given, given[1:]):
        if lo > hi:
            raise ValueError(f"{lo_name} ({lo}) is above {hi_name} ({hi})")
    return 3 if q1 is not None and minimum is not None else (2 if q1 is not None else 1)


def luo_mean(n: int, median: float, q1=None, q3=None, minimum=None, maximum=None) -> float:
    """Luo et al. (2018) mean: eq. 7 (scenario 1), eq. 11 (2), eq. 15 (3).

    1: w (a + b)/2 + (1 - w) m, w = 4 / (4 + n^0.75);
    2: w (q1 + q3)/2 + (1 - w) m, w = 0.7 + 0.39 / n;
    3: w1 (a + b)/2 + w2 (q1 + q3)/2 + (1 - w1 - w2) m, w1 = 2.2 / (2.2 + n^0.75), w2 = 0.7 - 0.72 / n^0.55.
    """
    s = _scenario(q1, q3, minimum, maximum, median, n=n)
    if s == 1:
        w = 4 / (4 + n**0.75)
        return w * (minimum + maximum) / 2 + (1 - w) * median
    if s == 2:
        w = 0.7 + 0.39 / n
        return w * (q1 + q3) / 2 + (1 - w) * median
    w1, w2 = 2.2 / (2.2 + n**0.75), 0.7 - 0.72 / n**0.55
    return w1 * (minimum + maximum) / 2 + w2 * (q1 + q3) / 2 + (1 - w1 - w2) * median


def wan_sd(n: int, q1=None, q3=None, minimum=None, maximum=None) -> float:
    """Wan et al. (2014) SD: range / xi(n) (eq. 9), IQR / eta(n) (eq. 16), or with both their
    average (range / xi(n) + IQR / eta(n)) / 2 (eq. 13)."""
    s = _scenario(q1, q3, minimum, maximum, n=n)
    if s == 1:
        return (maximum - minimum) / xi(n)
    if s == 2:
        return (q3 - q1) / eta(n)
    return ((maximum - minimum) / xi(n) + (q3 - q1) / eta(n)) / 2


def shi_sd(n: int, q1: float, q3: float, minimum: float, maximum: float) -> float:
    """Shi et al. (2020) SD from all five numbers (eq. 10): w range / xi(n) + (1 - w) IQR / eta(n),
    w = 1 / (1 + 0.07 n^0.6)."""
    if _scenario(q1, q3, minimum, maximum, n=n) != 3:
        raise ValueError("Shi et al. (2020) needs the minimum, q1, q3 and maximum")
    w = 1 / (1 + 0.07 * n**0.6)
    return w * (maximum - minimum) / xi(n) + (1 - w) * (q3 - q1) / eta(n)


def _ratio(x: float, y: float) -> float:
    """|x / y|, NaN for 0/0: all values tied, where no test is possible (Shi et al. 2023, 3.1)."""
    return abs(x / y) if y > 0 else math.nan


def skewness_test(n: int, median: float, q1=None, q3=None, minimum=None, maximum=None) -> tuple[float, float, bool]:
    """Shi et al. (2023) test for skewness at the 0.05 level (their Table 4): (statistic, critical
    value, skewed).

    1: T1 = |a + b - 2m| / (b - a), critical 1/ln(n + 9) + 2.5/(n + 1);
    2: T2 = |q1 + q3 - 2m| / (q3 - q1), critical 2.65/sqrt(n) - 6/n^2;
    3: T3 = max(2.65 ln(0.6 n)/sqrt(n) T1, T2), critical 3/sqrt(n) - 40/n^3.
    Skewed when the statistic reaches the critical value (metafor: tval >= crit); never when it
    is undefined (NaN: all values tied).
    """
    s = _scenario(q1, q3, minimum, maximum, median, n=n)
    if s == 1:
        t = _ratio(minimum + maximum - 2 * median, maximum - minimum)
        crit = 1 / math.log(n + 9) + 2.5 / (n + 1)
    elif s == 2:
        t = _ratio(q1 + q3 - 2 * median, q3 - q1)
        crit = 2.65 / math.sqrt(n) - 6 / n**2
    else:
        t1 = _ratio(minimum + maximum - 2 * median, maximum - minimum)
        t2 = _ratio(q1 + q3 - 2 * median, q3 - q1)
        t = math.nan if math.isnan(t1) or math.isnan(t2) else max(2.65 * math.log(0.6 * n) / math.sqrt(n) * t1, t2)
        crit = 3 / math.sqrt(n) - 40 / n**3
    return t, crit, bool(t >= crit)


def convert_arm(n: int, median: float, q1=None, q3=None, minimum=None, maximum=None,
                sd_method: str = "shi", test: bool = True) -> ArmEstimate:
    """Mean and SD of an arm from its median and IQR and/or range, with the skewness test.

    Mean by :func:`luo_mean`; SD by :func:`wan_sd` in scenarios 1 and 2, and in scenario 3 by
    :func:`shi_sd` (``sd_method="shi"``, metafor's default) or Wan's average (``"wan"``).
    ``test=True`` (metafor's default): an arm the test finds skewed gets mean = sd = NaN.
    """
    if sd_method not in SD_METHODS:
        raise ValueError(f"unknown SD method {sd_method!r}; choose one of {', '.join(SD_METHODS)}")
    s = _scenario(q1, q3, minimum, maximum, median, n=n)
    statistic, critical, skewed = skewness_test(n, median, q1, q3, minimum, maximum)
    shi = s == 3 and sd_method == "shi"
    method = f"mean: Luo et al. 2018; SD: {'Shi et al. 2020' if shi else 'Wan et al. 2014'}"
    if test and skewed:
        mean = sd = math.nan
    else:
        mean = luo_mean(n, median, q1, q3, minimum, maximum)
        sd = shi_sd(n, q1, q3, minimum, maximum) if shi else wan_sd(n, q1, q3, minimum, maximum)
    return ArmEstimate(mean, sd, s, method, statistic, critical, skewed)
