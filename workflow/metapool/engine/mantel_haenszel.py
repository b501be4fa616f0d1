"""Mantel-Haenszel fixed-effect risk ratio, odds ratio and risk difference (metafor ``rma.mh``)."""

from __future__ import annotations

import math

import numpy as np

from metapool.engine.fixed_result import fixed_result
from metapool.engine.r_integer import overflows
from metapool.measures import registry
from metapool.measures.binary import double_zero, effect_from_counts


def _rr(a, n1, c, n2) -> tuple[float, float] | None:
    """ln RR_MH = ln(R/S), R = sum a n2/N, S = sum c n1/N, with the Greenland-Robins (1985) variance
    sum(n1 n2 (a+c)/N^2 - a c/N) / (R S); None when either arm has no events."""
    big_n = n1 + n2
    r = np.sum(a * n2 / big_n)
    s = np.sum(c * n1 / big_n)
    if a.sum() == 0 or c.sum() == 0:
        return None
    est = math.log(r / s)
    return est, math.sqrt(np.sum((n1 / big_n) * (n2 / big_n) * (a + c) - (a / big_n) * c) / (r * s))


def _or(a, n1, c, n2) -> tuple[float, float] | None:
    """ln OR_MH = ln(R/S), R = sum a d/N, S = sum b c/N, with the Robins, Breslow & Greenland (1986)
    variance sum PR/(2R^2) + sum(PS + QR)/(2RS) + sum QS/(2S^2), P = (a+d)/N, Q = (b+c)/N;
    None when R or S is 0."""
    b, d = n1 - a, n2 - c
    big_n = n1 + n2
    p, q = a / big_n + d / big_n, b / big_n + c / big_n
    ri, si = (a / big_n) * d, (b / big_n) * c
    r, s = np.sum(ri), np.sum(si)
    if r == 0 or s == 0:
        return None
    var = 0.5 * (np.sum(p * ri) / r**2 + np.sum(p * si + q * ri) / (r * s) + np.sum(q * si) / s**2)
    return math.log(r / s), math.sqrt(var)


def _rd(a, n1, c, n2) -> tuple[float, float | None]:
    """RD_MH = sum(a n2 - c n1)/N / W, W = sum n1 n2/N (Greenland & Robins 1985), with the Sato,
    Greenland & Robins (1989) variance (RD_MH P + Q) / W^2,
    P = sum(c (n1/N)^2 - a (n2/N)^2 + (n1/N)(n2/N)(n2 - n1)/2), Q = sum(a (n2 - c) + c (n1 - a))/(2N).

    metafor forms a (n2 - c) and c (n1 - a) in R integer arithmetic: beyond 2^31 - 1 its variance
    is NA, and so is se here (None); likewise where rounding makes the variance negative.
    """
    big_n = n1 + n2
    w = np.sum(n1 * (n2 / big_n))
    est = float(np.sum(a * (n2 / big_n) - c * (n1 / big_n)) / w)
    if overflows(a, n2 - c) or overflows(c, n1 - a):
        return est, None
    p = np.sum(c * (n1 / big_n) ** 2 - a * (n2 / big_n) ** 2 + (n1 / big_n) * (n2 / big_n) * (n2 - n1) / 2)
    q = np.sum(a * (n2 - c) / big_n + c * (n1 - a) / big_n) / 2
    var = float((est * p + q) / w**2)
    # 0 in exact arithmetic for RD = +-1 (e.g. 1/1 vs 0/659) comes out as -1e-17: R's sqrt gives NaN, se NA
    return est, math.sqrt(var) if var >= 0 else None


_POOLED = {"RR": _rr, "OR": _or, "RD": _rd}


def mantel_haenszel(ai, n1, ci, n2, level: float = 0.95, measure: str = "RR") -> dict | None:
    """Mantel-Haenszel pooled RR, OR (both on the log scale) or RD from raw counts, as ``rma.mh``.

    No continuity correction in the pooled estimate. None where metafor's estimate is NA (RR: an
    arm with no events in any study; OR: R or S is 0). Q, I^2 and H^2 use escalc's yi, vi about the
    MH estimate on k_yi - 1 df: 1/2 added to the cells of a table with a zero cell, and a table with
    no or only events in both arms left out, for RD too (rma.mh passes drop00=TRUE to escalc).
    """
    m = registry.get(measure)
    if "mh" not in m.fixed:
        raise ValueError(f"Mantel-Haenszel pools {', '.join(_POOLED)}, not {m.code}")
    a, n1, c, n2 = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (ai, n1, ci, n2))
    pooled = _POOLED[m.code](a, n1, c, n2)
    if pooled is None:
        return None
    est, se = pooled
    yi, vi, _, ok = effect_from_counts(m.code, a, n1, c, n2)
    ok &= ~double_zero(a, n1, c, n2)
    q = max(0.0, float(np.sum((yi[ok] - est) ** 2 / vi[ok])))
    return fixed_result(int(len(a)), est, se, q, int(ok.sum()), level)
