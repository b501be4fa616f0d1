"""Study-level effects from 2x2 counts: log RR, log OR, RD and log Peto OR with their variances
(metafor ``escalc``, add=1/2, to="only0").

Every form is written without cancellation: products of counts are exact in double precision
(below 2^53), so a ratio or difference of such products is rounded once.
"""

from __future__ import annotations

import numpy as np

from metapool.measures import registry

Z975 = 1.959964  # the 97.5% normal quantile as RevMan and the issue fix it for CI back-calculation


def double_zero(ai, n1, ci, n2) -> np.ndarray:
    """Tables with no events in both arms or only events in both arms (escalc's drop00 rule)."""
    ai, n1, ci, n2 = (np.asarray(x, dtype=float) for x in (ai, n1, ci, n2))
    return ((ai == 0) & (ci == 0)) | ((n1 - ai == 0) & (n2 - ci == 0))


def _cells(ai, n1, ci, n2, add: float, keep_double: bool):
    """The four cells with ``add`` in every cell of a table with a zero cell (escalc to="only0").

    A :func:`double_zero` table is corrected only when ``keep_double`` (RD, escalc drop00=FALSE),
    otherwise left for NaN. Returns (a, b, c, d, corrected, double).
    """
    ai, n1, ci, n2 = (np.asarray(x, dtype=float) for x in (ai, n1, ci, n2))
    bi, di = n1 - ai, n2 - ci
    double = double_zero(ai, n1, ci, n2)
    corrected = (ai == 0) | (bi == 0) | (ci == 0) | (di == 0)
    if not keep_double:
        corrected = ~double & corrected
    inc = np.where(corrected, add, 0.0)
    return ai + inc, bi + inc, ci + inc, di + inc, corrected, double


def _unless(double, yi, vi):
    """yi, vi with NaN for the :func:`double_zero` tables: not estimable for a ratio measure."""
    return np.where(double, np.nan, yi), np.where(double, np.nan, vi)


def _log_ratio(num, den):
    """ln(num / den) for exact products num, den: log1p((num - den) / den) near 1, log elsewhere.

    (num - den) / den is rounded once, so small log ratios keep their relative accuracy; log1p of a
    rounded value near -1 would not, hence log(num / den) away from 1.
    """
    excess = (num - den) / den
    return np.where(np.abs(excess) < 0.5, np.log1p(excess), np.log(num / den))


def log_rr_from_counts(ai, n1, ci, n2, add: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log RR and variance from 2x2 counts (metafor ``escalc("RR", add=1/2, to="only0", drop00=TRUE)``).

    yi = ln[(a/n1) / (c/n2)], vi = 1/a - 1/n1 + 1/c - 1/n2 (evaluated without cancellation). A study
    with any zero cell gets ``add`` in all four cells (Cochrane/RevMan, metafor); a study with no
    events in both arms (or only events in both arms) is not estimable: yi = vi = NaN.
    Returns (yi, vi, corrected).
    """
    a, b, c, d, corrected, double = _cells(ai, n1, ci, n2, add, keep_double=False)
    m1, m2 = a + b, c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        # RR = a m2 / (c m1); 1/a - 1/m1 = b/(a m1). Accurate to a few ulps at 10^7 events, where
        # the textbook forms lose digits.
        yi = _log_ratio(a * m2, c * m1)
        vi = b / (a * m1) + d / (c * m2)
    return *_unless(double, yi, vi), corrected


def _log_or(a, b, c, d):
    """ln(ad / bc), vi = 1/a + 1/b + 1/c + 1/d written as m1/(ab) + m2/(cd) (escalc "OR")."""
    return _log_ratio(a * d, b * c), (a + b) / (a * b) + (c + d) / (c * d)


def _rd(a, b, c, d):
    """a/m1 - c/m2 = (a m2 - c m1) / (m1 m2), vi = ab/m1^3 + cd/m2^3 (escalc "RD", vtype "LS")."""
    m1, m2 = a + b, c + d
    return (a * m2 - c * m1) / (m1 * m2), a * b / m1**3 + c * d / m2**3


def _log_peto(a, b, c, d):
    """Peto's one-step log OR (O - E)/V, vi = 1/V (escalc "PETO"; Yusuf et al. 1985).

    O - E = (ad - bc)/N and V = (a+c)(b+d) m1 m2 / (N^2 (N-1)), so
    yi = (ad - bc) N (N-1) / ((a+c)(b+d) m1 m2) and vi = N^2 (N-1) / ((a+c)(b+d) m1 m2).
    """
    m1, m2 = a + b, c + d
    big_n = m1 + m2
    margins = ((a + c) * (b + d)) * (m1 * m2)
    return (a * d - b * c) * (big_n * (big_n - 1)) / margins, big_n**2 * (big_n - 1) / margins


_FORMS = {"OR": _log_or, "RD": _rd, "PETO": _log_peto}


def effect_from_counts(measure: str, ai, n1, ci, n2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """yi, vi of a binary measure (RR, OR, RD, PETO) from 2x2 counts, as metafor ``escalc``.

    1/2 is added to every cell of a table with a zero cell (add=1/2, to="only0"). A table with no
    events in either arm, or only events in both, is not estimable for the ratio measures RR, OR
    and PETO (yi = vi = NaN; drop00=TRUE); for RD it is estimable (corrected, yi near 0).
    RR is :func:`log_rr_from_counts`, bit for bit. Returns (yi, vi, corrected, estimable).
    """
    m = registry.get(measure)
    if m.kind != "binary":
        raise ValueError(f"{m.code} is not a measure of 2x2 counts; choose one of RR, OR, RD, PETO")
    if m.code == "RR":
        yi, vi, corrected = log_rr_from_counts(ai, n1, ci, n2)
    else:
        a, b, c, d, corrected, double = _cells(ai, n1, ci, n2, 0.5, keep_double=m.code == "RD")
        with np.errstate(divide="ignore", invalid="ignore"):
            yi, vi = _FORMS[m.code](a, b, c, d)
        if m.code != "RD":
            yi, vi = _unless(double, yi, vi)
    return yi, vi, corrected, np.isfinite(yi) & np.isfinite(vi)


def log_rr_from_ci(rr, lower, upper) -> tuple[np.ndarray, np.ndarray]:
    """Generic inverse variance from a reported RR and 95% CI: yi = ln RR, se = (ln U - ln L) / (2 * 1.959964)."""
    rr, lower, upper = (np.asarray(x, dtype=float) for x in (rr, lower, upper))
    se = (np.log(upper) - np.log(lower)) / (2 * Z975)
    return np.log(rr), se**2
