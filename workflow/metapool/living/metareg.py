"""Random-effects meta-regression computed as metafor's ``rma.uni`` computes it (design matrix X).

The pooled analyses fit the intercept-only model. Two analyses need more: Egger's ``regtest``
(the standard error as a moderator) and trim-and-fill, whose side estimate uses that regression
and whose internal fits use metafor's *default* control rather than the model's. tau^2 comes
from the one implementation of each estimator, :func:`metapool.engine.tau2.estimate`, on the
meta-regression's linear algebra (:class:`metapool.engine.linear.Design`); this module adds the
weighted least squares at that tau^2 and its tests.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri, stdtr, stdtrit

from metapool.engine.linear import Design, projection
from metapool.engine.model import HKSJ
from metapool.engine.tau2 import DEFAULT, Control, estimate

_EPS = np.finfo(float).eps


def check_full_rank(X: np.ndarray) -> None:
    """metafor's test: every eigenvalue of X'X above 1e-7 (evtol), else the model cannot be fitted."""
    if np.linalg.eigvalsh(X.T @ X).min() <= 1e-7:
        raise np.linalg.LinAlgError("the model matrix is not of full rank (e.g. all studies have the same "
                                    "standard error)")


def estimate_tau2(yi, vi, X, method: str = "REML", control: Control = DEFAULT) -> float:
    """tau^2 of the meta-regression of yi on X by ``method`` (HE DL SJ PM ML REML EB), metafor's steps."""
    return estimate(Design(yi, vi, X), method, control)


def fit_metareg(yi, vi, X, method: str = "REML", test: str = "z", level: float = 0.95,
                control: Control = DEFAULT, tau2: float | None = None) -> dict:
    """Weighted least squares at the estimated (or given) tau^2; Wald z or Knapp-Hartung t tests.

    Returns beta, se, stat, pval, ci_lb, ci_ub (arrays over the columns of X), tau2, df (None for
    z), s2w (the Knapp-Hartung scale, 1 for z) and vb. test "hksj" is metafor's test="knha":
    vb = s2w (X'WX)^-1 with s2w = sum w (y - Xb)^2 / (k - p), t on k - p df; "hksj_adhoc" is
    test="adhoc": s2w replaced by max(1, s2w).
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    X = np.asarray(X, dtype=float)
    k, p = X.shape
    check_full_rank(X)
    if tau2 is None:
        tau2 = 0.0 if method == "FE" else estimate_tau2(y, v, X, method, control)
    w = 1.0 / (v + tau2)
    inv, _ = projection(X, w)
    beta = inv @ (X.T * w) @ y
    s2w = 1.0
    df = None
    if test in HKSJ:
        rss = float(np.sum(w * (y - X @ beta) ** 2))
        s2w = 0.0 if rss <= _EPS else rss / (k - p)
        if test == "hksj_adhoc":
            s2w = max(1.0, s2w)
        df = k - p
    vb = s2w * inv
    se = np.sqrt(np.diag(vb))
    stat = beta / se
    if df is None:
        pval = 2 * ndtr(-np.abs(stat))
        crit = ndtri(1 - (1 - level) / 2)
    else:
        pval = 2 * stdtr(df, -np.abs(stat)) if df > 0 else np.full(p, np.nan)
        crit = stdtrit(df, 1 - (1 - level) / 2) if df > 0 else np.nan
    return {"beta": beta, "se": se, "stat": stat, "pval": pval, "ci_lb": beta - crit * se,
            "ci_ub": beta + crit * se, "tau2": float(tau2), "df": df, "s2w": s2w, "vb": vb}
