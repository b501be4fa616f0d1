"""Random-effects meta-regression computed as metafor's ``rma.uni`` computes it (design matrix X).

The engine (``metapool.model``) fits the intercept-only model. Two analyses need more:
Egger's ``regtest`` (the standard error as a moderator) and trim-and-fill, whose side
estimate uses that regression and whose internal fits use metafor's *default* control
rather than the model's. metafor stops its Fisher scoring when the change in tau^2 drops
below ``threshold`` (1e-5), so the digits depend on the starting value (the Hedges
estimate), the step adjustment and the threshold; this module repeats those steps so that
the numbers agree with metafor to machine precision, not merely to the tolerance.

tau^2 estimators for general X (Viechtbauer 2005; Raudenbush 2009), P = W - W X (X'WX)^-1 X'W:
  HE   (Y'(I - H)Y - tr((I - H)V)) / (k - p), H = X(X'X)^-1X'
  DL   (Y'PY - (k - p)) / tr(P), W = diag(1/v)
  SJ   tau0^2 Y'PY / (k - p), W = diag(1/(v + tau0^2)), tau0^2 = mean((y - ybar)^2)
  PM   root of Y'PY = k - p (Brent, as ``uniroot``)
  ML, REML, EB  Fisher scoring from max(0, HE): adj = (Y'PPY - tr P)/tr(PP) (REML),
       (Y'PPY - sum w)/sum w^2 (ML), (Y'PY k/(k-p) - k)/sum w (EB); tau^2 += stepadj * adj.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, ndtri, stdtr, stdtrit

from metapool.errors import ConvergenceError
from metapool.engine.model import HKSJ
from metapool.engine.rootfind import zeroin
from metapool.engine.tau2 import DEFAULT, Control

_EPS = np.finfo(float).eps


def check_full_rank(X: np.ndarray) -> None:
    """metafor's test: every eigenvalue of X'X above 1e-7 (evtol), else the model cannot be fitted."""
    if np.linalg.eigvalsh(X.T @ X).min() <= 1e-7:
        raise np.linalg.LinAlgError("the model matrix is not of full rank (e.g. all studies have the same "
                                    "standard error)")


def _projection(X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X'WX)^-1 and P = W - W X (X'WX)^-1 X' W for weights w."""
    XtW = X.T * w
    inv = np.linalg.inv(XtW @ X)
    P = np.diag(w) - XtW.T @ inv @ XtW
    return inv, P


def _hedges(y: np.ndarray, v: np.ndarray, X: np.ndarray) -> float:
    """Hedges (HE) estimator: (Y'(I-H)Y - tr((I-H)V)) / (k - p)."""
    k, p = X.shape
    P = np.eye(k) - X @ np.linalg.inv(X.T @ X) @ X.T
    return float((y @ P @ y - np.sum(np.diag(P) * v)) / (k - p))


def _reml_loglik(y: np.ndarray, v: np.ndarray, X: np.ndarray, tau2: float) -> float:
    """Restricted log-likelihood without the constant log|X'X| term (metafor's ll0check)."""
    k, p = X.shape
    w = 1.0 / (v + tau2)
    inv, _ = _projection(X, w)
    beta = inv @ (X.T * w) @ y
    rss = float(np.sum(w * (y - X @ beta) ** 2))
    logdet = np.linalg.slogdet((X.T * w) @ X)[1]
    return -0.5 * (k - p) * math.log(2 * math.pi) - 0.5 * float(np.sum(np.log(v + tau2))) - 0.5 * logdet - 0.5 * rss


def _ml_loglik(y: np.ndarray, v: np.ndarray, X: np.ndarray, tau2: float) -> float:
    """Log-likelihood at tau2 with beta at its weighted least-squares value."""
    k = X.shape[0]
    w = 1.0 / (v + tau2)
    inv, _ = _projection(X, w)
    beta = inv @ (X.T * w) @ y
    rss = float(np.sum(w * (y - X @ beta) ** 2))
    return -0.5 * k * math.log(2 * math.pi) - 0.5 * float(np.sum(np.log(v + tau2))) - 0.5 * rss


def _fisher_scoring(y, v, X, method, control) -> float:
    """ML / REML / EB: metafor's Fisher scoring from max(0, HE), with the ll0 check."""
    k, p = X.shape
    tau2 = max(0.0, _hedges(y, v, X))
    change = control.threshold + 1
    it = 0
    while change > control.threshold:
        it += 1
        old = tau2
        w = 1.0 / (v + tau2)
        _, P = _projection(X, w)
        if method == "EB":
            adj = (float(y @ P @ y) * k / (k - p) - k) / float(np.sum(w))
        else:
            PP = P @ P
            if method == "ML":
                adj = (float(y @ PP @ y) - float(np.sum(w))) / float(np.sum(w**2))
            else:
                adj = (float(y @ PP @ y) - float(np.trace(P))) / float(np.trace(PP))
        adj *= control.stepadj
        if math.isnan(adj):
            adj = 0.0
        while tau2 + adj < 0.0:
            adj /= 2
        tau2 = tau2 + adj
        change = abs(old - tau2)
        if it > control.maxiter:
            raise ConvergenceError(method, f"Fisher scoring did not converge in {control.maxiter} iterations")
    if method in ("ML", "REML") and tau2 > control.threshold:
        ll = _reml_loglik if method == "REML" else _ml_loglik
        if ll(y, v, X, 0.0) - ll(y, v, X, tau2) > control.tol:
            tau2 = 0.0
    return tau2


def _paule_mandel(y, v, X, control) -> float:
    """Paule-Mandel 1982: generalised Q(tau2) = k - p, solved on [0, tau2_max] as uniroot does."""
    k, p = X.shape
    target = k - p
    med = np.median(y)
    tau2_max = max(control.tau2_max, 10 * (1.4826 * float(np.median(np.abs(y - med)))) ** 2)

    def q_minus(t2: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return np.array([float(y @ _projection(X, 1.0 / (v + t))[1] @ y) - target for t in t2])

    f0 = q_minus(np.array([0.0]), None)[0]
    if f0 < 0:
        return 0.0
    fmax = q_minus(np.array([tau2_max]), None)[0]
    if fmax > 0:
        raise ConvergenceError("PM", "tau2_max too low")
    root, ok = zeroin(q_minus, np.array([0.0]), np.array([tau2_max]), np.array([f0]), np.array([fmax]),
                      tol=control.tol, maxiter=control.maxiter)
    if not ok[0]:
        raise ConvergenceError("PM", "uniroot did not converge")
    return float(root[0])


def estimate_tau2(yi, vi, X, method: str = "REML", control: Control = DEFAULT) -> float:
    """tau^2 of the meta-regression of yi on X by ``method`` (HE DL SJ PM ML REML EB), metafor's steps."""
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    X = np.asarray(X, dtype=float)
    k, p = X.shape
    if k == p:
        return 0.0
    y = y - y.mean()  # metafor centres Y before estimating tau^2 (Ymc); P annihilates the mean
    if method == "HE":
        tau2 = _hedges(y, v, X)
    elif method == "DL":
        _, P = _projection(X, 1.0 / v)
        tau2 = (float(y @ P @ y) - (k - p)) / float(np.trace(P))
    elif method == "SJ":
        tau0 = float(np.var(y))
        _, P = _projection(X, 1.0 / (v + tau0))
        tau2 = tau0 * float(y @ P @ y) / (k - p)
    elif method == "PM":
        tau2 = _paule_mandel(y, v, X, control)
    elif method in ("ML", "REML", "EB"):
        tau2 = _fisher_scoring(y, v, X, method, control)
    else:
        raise ValueError(f"unknown tau2 method {method!r}")
    return max(0.0, tau2)


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
    inv, _ = _projection(X, w)
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
