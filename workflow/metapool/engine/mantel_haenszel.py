"""Mantel-Haenszel fixed-effect risk ratio (metafor ``rma.mh(measure="RR")``)."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import chdtrc, ndtr, ndtri

from metapool.measures.binary import log_rr_from_counts


def mantel_haenszel(ai, n1, ci, n2, level: float = 0.95) -> dict | None:
    """MH pooled log RR with the Greenland-Robins (1985) variance; None when either arm has no events.

    RR_MH = R/S, R = sum a n2/N, S = sum c n1/N; var(ln RR_MH) = sum(n1 n2 (a+c)/N^2 - a c/N) / (R S).
    Raw counts (no continuity correction). Q, I^2 use escalc's yi, vi (0.5 added to zero cells,
    double-zero studies dropped) about the MH estimate, as metafor does.
    """
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (ai, n1, ci, n2))
    big_n = n1 + n2
    r = np.sum(a * n2 / big_n)
    s = np.sum(c * n1 / big_n)
    if a.sum() == 0 or c.sum() == 0:
        return None
    est = math.log(r / s)
    se = math.sqrt(np.sum((n1 / big_n) * (n2 / big_n) * (a + c) - (a / big_n) * c) / (r * s))
    crit = float(ndtri(1 - (1 - level) / 2))
    yi, vi, _ = log_rr_from_counts(a, n1, c, n2)
    ok = np.isfinite(yi)
    k_yi = int(ok.sum())
    if k_yi > 1:
        q = max(0.0, float(np.sum((yi[ok] - est) ** 2 / vi[ok])))
        qp = float(chdtrc(k_yi - 1, q))
        i2 = max(0.0, 100 * (q - (k_yi - 1)) / q) if q > 0 else 0.0
        h2 = q / (k_yi - 1)
    else:
        q, qp, i2, h2 = 0.0, 1.0, 0.0, 1.0
    return {
        "k": int(len(a)), "est": est, "se": se, "ci_lb": est - crit * se, "ci_ub": est + crit * se,
        "pval": float(2 * ndtr(-abs(est / se))), "Q": q, "Qp": qp, "I2": i2, "H2": h2,
    }
