"""Study-level log risk ratios and their sampling variances."""

from __future__ import annotations

import numpy as np

Z975 = 1.959964  # the 97.5% normal quantile as RevMan and the issue fix it for CI back-calculation


def log_rr_from_counts(ai, n1, ci, n2, add: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log RR and variance from 2x2 counts (metafor ``escalc("RR", add=1/2, to="only0", drop00=TRUE)``).

    yi = ln[(a/n1) / (c/n2)], vi = 1/a - 1/n1 + 1/c - 1/n2 (evaluated without cancellation). A study
    with any zero cell gets ``add`` in all four cells (Cochrane/RevMan, metafor); a study with no
    events in both arms (or only events in both arms) is not estimable: yi = vi = NaN.
    Returns (yi, vi, corrected).
    """
    ai, n1, ci, n2 = (np.asarray(x, dtype=float) for x in (ai, n1, ci, n2))
    bi, di = n1 - ai, n2 - ci
    double = ((ai == 0) & (ci == 0)) | ((bi == 0) & (di == 0))
    corrected = ~double & ((ai == 0) | (bi == 0) | (ci == 0) | (di == 0))
    inc = np.where(corrected, add, 0.0)
    a, b, c, d = ai + inc, bi + inc, ci + inc, di + inc
    m1, m2 = a + b, c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        # the same quantities in forms that do not cancel: products of counts are exact in double
        # precision (below 2^53), so RR = a m2 / (c m1) and RR - 1 = (a m2 - c m1) / (c m1) are each
        # rounded once; ln RR by log1p(RR - 1) near RR = 1 (small log RRs keep their relative
        # accuracy), by log(RR) elsewhere (log1p of a rounded RR - 1 near -1 would not);
        # 1/a - 1/m1 = b/(a m1). Accurate to a few ulps at 10^7 events, where the textbook forms lose digits.
        num, den = a * m2, c * m1
        excess = (num - den) / den
        yi = np.where(np.abs(excess) < 0.5, np.log1p(excess), np.log(num / den))
        vi = b / (a * m1) + d / (c * m2)
    yi = np.where(double, np.nan, yi)
    vi = np.where(double, np.nan, vi)
    return yi, vi, corrected


def log_rr_from_ci(rr, lower, upper) -> tuple[np.ndarray, np.ndarray]:
    """Generic inverse variance from a reported RR and 95% CI: yi = ln RR, se = (ln U - ln L) / (2 * 1.959964)."""
    rr, lower, upper = (np.asarray(x, dtype=float) for x in (rr, lower, upper))
    se = (np.log(upper) - np.log(lower)) / (2 * Z975)
    return np.log(rr), se**2
