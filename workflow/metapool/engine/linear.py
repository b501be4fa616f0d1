"""The linear algebra under the tau^2 estimators, for one meta-analysis or one meta-regression.

:mod:`metapool.engine.tau2` writes each estimator once, in terms of these quantities of a model
with k studies and p coefficients (W = diag(1/(v + tau2)), P = W - W X (X'WX)^-1 X'W,
H = X (X'X)^-1 X'):

  q(t)            y'Py, the generalised Q          trace_p(t)     tr P
  scoring(t, m)   sum w, sum w^2, y'Py, y'PPy, tr P, tr PP (what Fisher scoring method m needs)
  ols_rss()       y'(I - H)y                        ols_trace_v()  tr((I - H)V)
  total_var()     mean((y - ybar)^2)                mad()          R's mad(y)
  loglik(t, reml) the (restricted) log-likelihood, up to a term free of tau^2

Two models supply them:

* :class:`Intercept` (X = 1: every pooled analysis), in Python floats. The operations are those of
  the masked numpy batch code this replaced, in the same order, so the digits are the same bit for
  bit (tests/test_engine_speed_identity.py): every sum runs left to right from 0.0 (as
  ``np.cumsum``); ``x**2`` is ``x * x``; ``w**3`` and ``log``, whose numpy kernels differ from C's
  libm, still go through numpy; a division that may meet 0 is :func:`div` (numpy's inf or NaN).
* :class:`Design` (any full-rank X: Egger's regression test, trim-and-fill's side), in numpy
  matrices, as metafor ``rma.uni`` with moderators; y is centred first, as metafor does (P
  annihilates the mean).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from metapool.engine.batch import Batch

NAN = math.nan
_LOG_2PI = float(np.log(2 * np.pi))


def div(a: float, b: float) -> float:
    """a / b with IEEE semantics where b == 0 (numpy under errstate(divide="ignore"))."""
    if b != 0.0:  # NaN included
        return a / b
    if a != a or a == 0.0:
        return NAN
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def fmax(a: float, x: float) -> float:
    """np.maximum(a, x) for a non-NaN ``a``: NaN stays NaN, a tie keeps x (so -0.0 stays -0.0)."""
    return x if (x >= a or x != x) else a


def fsum(xs) -> float:
    s = 0.0
    for x in xs:
        s += x
    return s


class Scoring(NamedTuple):
    """The terms of one Fisher scoring step at tau2 (None: not needed by the method asked)."""

    sw: float
    sw2: float | None
    ypy: float
    yppy: float | None
    tr_p: float | None
    tr_pp: float | None


def _median(xs: list[float], width: int) -> float:
    """np.nanmedian of one batch row of ``width`` columns (np.ma.median below 600 columns)."""
    s = sorted(xs)
    h, odd = divmod(len(s), 2)
    if odd:
        x = s[h]
        return (x + x) / 2 if width < 600 else x
    return (s[h - 1] + s[h]) / 2


class Intercept:
    """The intercept-only model of one meta-analysis: its members' y and v (Python floats).

    ``width``: the columns of the batch row they came from (numpy's median depends on it).
    """

    p = 1

    def __init__(self, y: list[float], v: list[float], width: int):
        self.y, self.v, self.k, self.width = y, v, len(y), width

    def _weighted_mean(self, t: float) -> tuple[list[float], float, float]:
        """(w, sum w, mu) with w = 1/(v + t), mu = sum w y / sum w (sequential sums)."""
        w = [1.0 / (vj + t) for vj in self.v]
        sw = swy = 0.0
        for wj, yj in zip(w, self.y):
            sw += wj
            swy += wj * yj
        return w, sw, div(swy, sw)

    def q(self, t: float) -> float:
        w, sw, mu = self._weighted_mean(t)
        s = 0.0
        for wj, yj in zip(w, self.y):
            d = yj - mu
            s += wj * (d * d)
        return s

    def trace_p(self, t: float) -> float:
        w = [1.0 / (vj + t) for vj in self.v]
        sw = fsum(w)
        return sw - div(fsum([x * x for x in w]), sw)

    def scoring(self, t: float, method: str) -> Scoring:
        w, sw, mu = self._weighted_mean(t)
        ypy = yppy = sw2 = 0.0
        for wj, yj in zip(w, self.y):
            r = yj - mu
            r2 = r * r
            ww = wj * wj
            ypy += wj * r2
            yppy += ww * r2
            sw2 += ww
        tr_p = tr_pp = None
        if method == "REML":
            tr_p = sw - div(sw2, sw)
            sw3 = fsum((np.array(w) ** 3).tolist())  # numpy's pow kernel
            tr_pp = sw2 - div(2 * sw3, sw) + div(sw2 * sw2, sw * sw)
        return Scoring(sw, sw2, ypy, yppy, tr_p, tr_pp)

    def ols_rss(self) -> float:
        ybar = fsum(self.y) / self.k
        s = 0.0
        for yj in self.y:
            d = yj - ybar
            s += d * d
        return s

    def ols_trace_v(self) -> float:
        return fsum(self.v) * (self.k - 1) / self.k

    def total_var(self) -> float:
        return self.ols_rss() / self.k

    def mad(self) -> float:
        centre = _median(self.y, self.width)
        return 1.4826 * _median([abs(yj - centre) for yj in self.y], self.width)

    def loglik(self, t: float, reml: bool) -> float:
        w = [1.0 / (vj + t) for vj in self.v]
        sw = fsum(w)
        rss = self.q(t)
        logs = np.log(np.array([vj + t for vj in self.v] + [sw])).tolist()  # numpy's log kernel
        ll = -0.5 * fsum(logs[:-1]) - 0.5 * rss
        if reml:
            return ll - 0.5 * (self.k - 1) * _LOG_2PI - 0.5 * logs[-1]
        return ll - 0.5 * self.k * _LOG_2PI


def intercepts(b: Batch) -> list[Intercept]:
    """One :class:`Intercept` per row of the batch (its members, in column order)."""
    width = b.y.shape[1]
    return [Intercept([y for y, m in zip(yr, mr) if m], [v for v, m in zip(vr, mr) if m], width)
            for yr, vr, mr in zip(b.y.tolist(), b.v.tolist(), b.mask.tolist())]


def projection(X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X'WX)^-1 and P = W - W X (X'WX)^-1 X' W for weights w."""
    XtW = X.T * w
    inv = np.linalg.inv(XtW @ X)
    P = np.diag(w) - XtW.T @ inv @ XtW
    return inv, P


class Design:
    """The meta-regression of y on the columns of X (k x p, full rank), y centred (metafor's Ymc)."""

    def __init__(self, y, v, X):
        y = np.asarray(y, dtype=float)
        self.y = y - y.mean()
        self.v = np.asarray(v, dtype=float)
        self.X = np.asarray(X, dtype=float)
        self.k, self.p = self.X.shape

    def _p(self, t: float) -> np.ndarray:
        return projection(self.X, 1.0 / (self.v + t))[1]

    def q(self, t: float) -> float:
        return float(self.y @ self._p(t) @ self.y)

    def trace_p(self, t: float) -> float:
        return float(np.trace(self._p(t)))

    def scoring(self, t: float, method: str) -> Scoring:
        w = 1.0 / (self.v + t)
        P = projection(self.X, w)[1]
        y = self.y
        sw = float(np.sum(w))
        if method == "EB":
            return Scoring(sw, None, float(y @ P @ y), None, None, None)
        PP = P @ P
        return Scoring(sw, float(np.sum(w**2)), float(y @ P @ y), float(y @ PP @ y), float(np.trace(P)),
                       float(np.trace(PP)))

    def _i_minus_h(self) -> np.ndarray:
        X = self.X
        return np.eye(self.k) - X @ np.linalg.inv(X.T @ X) @ X.T

    def ols_rss(self) -> float:
        return float(self.y @ self._i_minus_h() @ self.y)

    def ols_trace_v(self) -> float:
        return float(np.sum(np.diag(self._i_minus_h()) * self.v))

    def total_var(self) -> float:
        return float(np.var(self.y))

    def mad(self) -> float:
        return 1.4826 * float(np.median(np.abs(self.y - np.median(self.y))))

    def loglik(self, t: float, reml: bool) -> float:
        """With beta at its weighted least-squares value; REML without the constant log|X'X|."""
        y, v, X = self.y, self.v, self.X
        w = 1.0 / (v + t)
        inv, _ = projection(X, w)
        beta = inv @ (X.T * w) @ y
        rss = float(np.sum(w * (y - X @ beta) ** 2))
        logv = float(np.sum(np.log(v + t)))
        if reml:
            logdet = np.linalg.slogdet((X.T * w) @ X)[1]
            return -0.5 * (self.k - self.p) * math.log(2 * math.pi) - 0.5 * logv - 0.5 * logdet - 0.5 * rss
        return -0.5 * self.k * math.log(2 * math.pi) - 0.5 * logv - 0.5 * rss
