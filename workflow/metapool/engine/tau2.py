"""Between-study variance tau^2: one implementation of each estimator, for every fit.

Each estimator follows metafor's ``rma.uni`` (Viechtbauer 2010) line by line, including its
iteration (start value, step adjustment, stopping rule, truncation at 0), because the
iterative estimators' digits depend on them. It is written once, for one model of k studies and
p coefficients, in terms of the quantities of :mod:`metapool.engine.linear`: the intercept-only
model of a meta-analysis (every pooled fit, single or a row of a batch) and a meta-regression on
a design matrix X (Egger's test, trim-and-fill). With P = W - W X (X'WX)^-1 X'W:
  HE   (y'(I - H)y - tr((I - H)V)) / (k - p), H = X(X'X)^-1X'       (Hedges 1983)
  DL   (y'Py - (k - p)) / tr P, W = diag(1/v)                        (DerSimonian & Laird 1986)
  SJ   tau0 y'Py / (k - p), W = diag(1/(v + tau0)), tau0 = mean((y - ybar)^2)  (Sidik & Jonkman 2005)
  PM   the root of y'Py = k - p (R's uniroot)                        (Paule & Mandel 1982)
  ML, REML, EB  Fisher scoring from max(0, HE)                       (Viechtbauer 2005; Morris 1983)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from metapool.engine.batch import Batch
from metapool.engine.linear import div, fmax, intercepts
from metapool.engine.rootfind import R_TOL, zeroin
from metapool.errors import ConvergenceError

METHODS = ("REML", "DL", "PM", "ML", "SJ", "HE", "EB")
NAMES = {
    "REML": "restricted maximum likelihood",
    "DL": "DerSimonian-Laird",
    "PM": "Paule-Mandel",
    "ML": "maximum likelihood",
    "SJ": "Sidik-Jonkman",
    "HE": "Hedges",
    "EB": "empirical Bayes",
}


@dataclass(frozen=True)
class Control:
    """Iteration settings, metafor ``rma(..., control=list(...))``; the defaults are metafor's own.

    threshold, maxiter, stepadj: Fisher scoring for ML/REML/EB (and maxiter for Paule-Mandel's
    uniroot); tau2_max: upper end of the PM search (raised to 10 mad(y)^2 where larger, as metafor);
    tol: uniroot's tolerance (.Machine$double.eps^0.25).
    """

    threshold: float = 1e-5
    maxiter: int = 100
    stepadj: float = 1.0
    tau2_max: float = 100.0
    tol: float = R_TOL

    @classmethod
    def from_mapping(cls, values: dict | None) -> "Control":
        """Control from {"stepadj": 0.5, "maxiter": 1000, "threshold": 1e-8} (keys as SETTINGS)."""
        values = dict(values or {})
        unknown = sorted(set(values) - set(SETTINGS))
        if unknown:
            raise ValueError(f"unknown control setting(s) {', '.join(unknown)}; choose from {', '.join(SETTINGS)}")
        out = {}
        for key, value in values.items():
            kind = SETTINGS[key]
            try:
                num = kind(value)
            except (TypeError, ValueError):
                raise ValueError(f"control {key}={value!r} is not a {kind.__name__}") from None
            if kind is int and float(value) != num or not num > 0:
                raise ValueError(f"control {key}={value!r} must be a positive {kind.__name__}")
            out[key] = num
        return cls(**out)

    @classmethod
    def parse(cls, text: str) -> "Control":
        """Control from the command-line form "stepadj=0.5,maxiter=1000"."""
        pairs = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"control setting {item!r} is not of the form name=value")
            pairs[key.strip()] = value.strip()
        return cls.from_mapping(pairs)

    def settings(self) -> dict:
        """The user-selectable settings and their values (as reported in the JSON ``settings``)."""
        return {k: getattr(self, k) for k in SETTINGS}


SETTINGS = {"threshold": float, "maxiter": int, "stepadj": float}
"""The user-selectable settings (config ``control:``, ``--control``) and their types."""
DEFAULT = Control()
"""metafor's defaults (plain ``rma(yi, vi)``): the one default of every fit."""


def check_method(method: str) -> str:
    """The estimator's name, upper case; ValueError for an unknown one."""
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown tau^2 estimator {method!r}; choose one of {', '.join(METHODS)}")
    return method


def hedges(m) -> float:
    """Hedges (1983) / Hedges-Olkin: (y'(I - H)y - tr((I - H)V)) / (k - p), untruncated."""
    return (m.ols_rss() - m.ols_trace_v()) / (m.k - m.p)


def dersimonian_laird(m) -> float:
    """DerSimonian & Laird (1986): (Q - (k - p)) / tr P at W = diag(1/v)."""
    return div(m.q(0.0) - (m.k - m.p), m.trace_p(0.0))


def sidik_jonkman(m) -> float:
    """Sidik & Jonkman (2005): tau0 = mean((y - ybar)^2), tau2 = tau0 * y'Py / (k - p) at w = 1/(v + tau0)."""
    tau0 = m.total_var()
    return tau0 * m.q(tau0) / (m.k - m.p)


def search_upper(m, control: Control = DEFAULT) -> float:
    """metafor's upper end of the tau2 search: max(tau2.max, 10 mad(y)^2) (rma.uni's default control)."""
    mad = m.mad()
    return fmax(control.tau2_max, 10 * (mad * mad))


def paule_mandel(m, control: Control = DEFAULT) -> tuple[float, str | None]:
    """Paule & Mandel (1982): the tau2 solving Q(tau2) = k - p (0 if Q(0) < k - p).

    Found by R's uniroot on [0, max(100, 10 mad(y)^2)] as metafor. Where Q is still above k - p
    at the upper end (metafor: "Value of 'tau2.max' too low"), or uniroot does not converge, the
    estimate is NaN and the second value says why.
    """
    target = float(m.k - m.p)
    upper = search_upper(m, control)
    q0 = m.q(0.0) - target
    qmax = m.q(upper) - target
    if qmax > 0:
        return math.nan, (f"Q(tau2) still exceeds k - {m.p} at the search limit tau2 = {upper:g} "
                          "(extreme heterogeneity)")
    if q0 < 0:
        return 0.0, None
    root, conv = zeroin(lambda x: m.q(x) - target, 0.0, upper, q0, qmax, control.tol, control.maxiter)
    return (root, None) if conv else (math.nan, "uniroot did not converge")


def fisher_scoring(m, method: str, control: Control = DEFAULT) -> tuple[float, str | None]:
    """ML, REML (Viechtbauer 2005) or empirical Bayes (Morris 1983) by metafor's Fisher scoring.

    Start at max(0, HE); step adj = (y'PPy - tr P)/tr(PP) (REML), (y'PPy - sum w)/sum w^2 (ML),
    (y'Py k/(k-p) - k)/sum w (EB), times ``stepadj``, halved while tau2 + adj < 0; stop when
    |change| <= threshold. For ML/REML, tau2 = 0 if the log-likelihood at 0 is higher (ll0check).
    Still moving after ``maxiter`` steps, or a non-finite step: NaN (metafor stops with "Fisher
    scoring algorithm did not converge"); the second value says why.
    """
    k, p = m.k, m.p
    threshold = control.threshold
    tau2 = fmax(0.0, hedges(m))
    change = threshold + 1
    it = 0
    while change > threshold:
        it += 1
        t = tau2
        s = m.scoring(t, method)
        if method == "REML":
            adj = div(s.yppy - s.tr_p, s.tr_pp)
        elif method == "ML":
            adj = div(s.yppy - s.sw, s.sw2)
        else:  # EB
            adj = div(s.ypy * k / (k - p) - k, s.sw)
        adj = adj * control.stepadj
        if adj != adj:
            adj = 0.0
        if not math.isfinite(adj):
            return math.nan, "the Fisher scoring step is not finite"
        if t == 0 and adj < 0:  # halving from 0 ends at -0.0 (after ~1075 halvings)
            adj = -0.0
        while t + adj < 0:
            adj = adj / 2
        tau2 = t + adj
        change = abs(t - tau2)
        if it > control.maxiter:
            return math.nan, f"Fisher scoring needed more than {control.maxiter} iterations"
    if method in ("ML", "REML") and tau2 > threshold:
        reml = method == "REML"
        if m.loglik(0.0, reml) - m.loglik(tau2, reml) > control.tol:
            tau2 = 0.0
    return tau2, None


def estimate(m, method: str, control: Control = DEFAULT, strict: bool = True) -> float:
    """tau^2 of model ``m`` (:mod:`metapool.engine.linear`) by ``method`` (one of METHODS),
    truncated at 0; 0 where k = p.

    An iteration that fails raises ConvergenceError, or with ``strict=False`` gives NaN (as
    metafor's cumul and leave1out record NA for a refit that stops).
    """
    method = check_method(method)
    if m.k <= m.p:
        return 0.0
    why = None
    if method == "DL":
        t = dersimonian_laird(m)
    elif method == "HE":
        t = hedges(m)
    elif method == "SJ":
        t = sidik_jonkman(m)
    elif method == "PM":
        t, why = paule_mandel(m, control)
    else:
        t, why = fisher_scoring(m, method, control)
    if not math.isfinite(t):
        if strict:
            raise ConvergenceError(method, why or "the estimate is not a finite number")
        return math.nan
    return fmax(0.0, t)


def estimate_rows(b: Batch, method: str, control: Control = DEFAULT, strict: bool = True) -> np.ndarray:
    """:func:`estimate` for the intercept-only model of each row of the batch; 0 where k = 1."""
    method = check_method(method)
    return np.array([estimate(m, method, control, strict) for m in intercepts(b)], dtype=float).reshape(-1)
