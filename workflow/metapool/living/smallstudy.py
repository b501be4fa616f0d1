"""Tests for small-study effects (funnel-plot asymmetry).

- Egger's test as metafor ``regtest(model)``: the random-effects model with the standard error
  as moderator, yi = b0 + b1 sei (same tau^2 estimator, test and control as the model); z and
  p of b1, and b0 as the limit estimate (the effect as se -> 0) (Egger et al. 1997 BMJ 315:629;
  Sterne & Egger 2005).
- Egger's classic form as ``regtest(model, model="lm")``: weighted least squares of yi on sei
  with weights 1/vi and a free residual scale; t of b1 on k - 2 df.
- Harbord's score test for binary outcomes (Harbord, Egger, Sterne 2006 Stat Med 25:3443), as
  R meta ``metabias(method.bias = "Harbord")``: with the efficient score Z = a - (a + c) n1 / N
  and its hypergeometric variance V = n1 n2 (a + c)(N - a - c) / (N^2 (N - 1)), ordinary least
  squares of Z / sqrt(V) on sqrt(V); t of the intercept on k - 2 df.
The Cochrane Handbook (10.4.3.1) advises these tests only when k >= 10; that rule is applied by
``run_living``, not here.
"""

from __future__ import annotations

import numpy as np
from scipy.special import stdtr

from metapool.engine.tau2 import DEFAULT, Control

from metapool.living.metareg import check_full_rank, fit_metareg


def _ls_coefficient_test(y: np.ndarray, X: np.ndarray, w: np.ndarray, j: int) -> dict:
    """Weighted least squares with residual variance sum w e^2 / (k - p): coefficient j's t test."""
    k, p = X.shape
    check_full_rank(X)
    XtW = X.T * w
    inv = np.linalg.inv(XtW @ X)
    beta = inv @ XtW @ y
    resid = y - X @ beta
    df = k - p
    sigma2 = float(np.sum(w * resid**2)) / df
    se = np.sqrt(sigma2 * np.diag(inv))
    t = float(beta[j] / se[j])
    return {"t": t, "df": df, "p": float(2 * stdtr(df, -abs(t))), "beta": beta, "se": se}


def egger_rma(yi, vi, tau2_method: str = "REML", ci_method: str = "z", control: Control = DEFAULT) -> dict:
    """metafor regtest(model): z, p of the sei slope and limit_est (intercept), with its CI."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    X = np.column_stack([np.ones_like(vi), np.sqrt(vi)])
    fit = fit_metareg(yi, vi, X, method=tau2_method, test=ci_method, control=control)
    return {"k": len(yi), "z": float(fit["stat"][1]), "p": float(fit["pval"][1]), "df": fit["df"],
            "limit_est": float(fit["beta"][0]), "limit_ci_lb": float(fit["ci_lb"][0]),
            "limit_ci_ub": float(fit["ci_ub"][0]), "tau2": fit["tau2"]}


def egger_lm(yi, vi) -> dict:
    """metafor regtest(model, model="lm"): weighted regression of yi on sei, weights 1/vi."""
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    X = np.column_stack([np.ones_like(vi), np.sqrt(vi)])
    res = _ls_coefficient_test(yi, X, 1.0 / vi, 1)
    return {"k": len(yi), "t": res["t"], "df": res["df"], "p": res["p"], "limit_est": float(res["beta"][0])}


def harbord_score(ai, n1, ci, n2) -> tuple[np.ndarray, np.ndarray]:
    """Efficient score Z and Fisher information V of the log odds ratio under the null, per study."""
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (ai, n1, ci, n2))
    n = n1 + n2
    events = a + c
    z = a - events * n1 / n
    v = n1 * n2 * events * (n - events) / (n**2 * (n - 1))
    return z, v


def harbord(ai, n1, ci, n2) -> dict:
    """Harbord's test: OLS of Z/sqrt(V) on sqrt(V); t, df, p of the intercept (the bias)."""
    z, v = harbord_score(ai, n1, ci, n2)
    keep = v > 0
    z, v = z[keep], v[keep]
    X = np.column_stack([np.ones_like(v), np.sqrt(v)])
    res = _ls_coefficient_test(z / np.sqrt(v), X, np.ones_like(v), 0)
    return {"k": int(keep.sum()), "t": res["t"], "df": res["df"], "p": res["p"],
            "bias": float(res["beta"][0]), "se_bias": float(res["se"][0])}
