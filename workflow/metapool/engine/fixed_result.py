"""The result of a fixed-effect method on 2x2 tables (metafor ``rma.mh``, ``rma.peto``).

One dict shape: k, est, se, ci_lb, ci_ub, pval, Q, Qp, I2, H2; se, CI and p are None where metafor
has NA for the standard error.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import chdtrc, ndtr, ndtri

from metapool.engine.heterogeneity import i2_h2_from_q


def q_summary(q: float, k_yi: int) -> dict:
    """Qp on k_yi - 1 df, I^2 = max(0, 100 (Q - df) / Q), H^2 = Q / df, for the k_yi studies with
    an escalc yi; with one such study metafor reports Q = 0, Qp = 1, I^2 = 0, H^2 = 1."""
    if k_yi <= 1:
        return {"Q": 0.0, "Qp": 1.0, "I2": 0.0, "H2": 1.0}
    i2, h2 = i2_h2_from_q(np.float64(q), k_yi)
    return {"Q": q, "Qp": float(chdtrc(k_yi - 1, q)), "I2": float(i2), "H2": float(h2)}


def fixed_result(k: int, est: float, se: float | None, q: float, k_yi: int, level: float) -> dict:
    """Wald CI and two-sided z test of est with standard error se, and the heterogeneity of :func:`q_summary`.

    se = 0 gives z = +-Inf (p = 0), or 0/0 when est = 0 too: p is None there, as metafor's NA.
    """
    out = {"k": k, "est": est, "se": None, "ci_lb": None, "ci_ub": None, "pval": None}
    if se is not None and math.isfinite(se):
        crit = float(ndtri(1 - (1 - level) / 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            pval = float(2 * ndtr(-abs(np.float64(est) / se)))
        out.update(se=se, ci_lb=est - crit * se, ci_ub=est + crit * se, pval=None if math.isnan(pval) else pval)
    return out | q_summary(q, k_yi)
