"""Between-study variance tau^2 for the intercept-only random-effects model.

Each estimator follows metafor's ``rma.uni`` (Viechtbauer 2010) line by line, including its
iteration (start value, step adjustment, stopping rule, truncation at 0), because the
iterative estimators' digits depend on them. Inputs are :class:`metapool.batch.Batch` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metapool.engine.batch import Batch, rowsum, rss, wmean
from metapool.errors import ConvergenceError
from metapool.engine.rootfind import R_TOL, zeroin

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


def _unweighted(b: Batch) -> tuple[np.ndarray, np.ndarray]:
    k = b.k
    ybar = rowsum(np.where(b.mask, b.y, 0.0)) / k
    ss = rowsum(np.where(b.mask, b.y - ybar[:, None], 0.0) ** 2)
    return ss, k


def hedges(b: Batch) -> np.ndarray:
    """Hedges (1983) / Hedges-Olkin: tau2 = sum (y - ybar)^2 / (k-1) - mean(v), untruncated."""
    ss, k = _unweighted(b)
    sum_v = rowsum(np.where(b.mask, b.v, 0.0))
    return (ss - sum_v * (k - 1) / k) / (k - 1)


def dersimonian_laird(b: Batch) -> np.ndarray:
    """DerSimonian & Laird (1986): tau2 = (Q - (k-1)) / (sum w - sum w^2 / sum w), w = 1/v."""
    w = b.weights(0.0)
    sw = rowsum(w)
    return (rss(b.y, w) - (b.k - 1)) / (sw - rowsum(w**2) / sw)


def sidik_jonkman(b: Batch) -> np.ndarray:
    """Sidik & Jonkman (2005): tau0 = var(y)(k-1)/k, w = 1/(v + tau0), tau2 = tau0 * y'Py / (k-1)."""
    ss, k = _unweighted(b)
    tau0 = ss / k
    return tau0 * rss(b.y, b.weights(tau0)) / (k - 1)


def q_statistic(b: Batch, tau2) -> np.ndarray:
    """Generalised Q: sum (y - mu_w)^2 / (v + tau2)."""
    return rss(b.y, b.weights(tau2))


def mad(b: Batch) -> np.ndarray:
    """R's ``mad()`` of each row's members: 1.4826 * median |y - median(y)|."""
    y = np.where(b.mask, b.y, np.nan)
    centre = np.nanmedian(y, axis=1, keepdims=True)
    return 1.4826 * np.nanmedian(np.abs(y - centre), axis=1)


def search_upper(b: Batch, control: Control = DEFAULT) -> np.ndarray:
    """metafor's upper end of the tau2 search: max(tau2.max, 10 mad(y)^2) (rma.uni's default control)."""
    return np.maximum(control.tau2_max, 10 * mad(b) ** 2)


def paule_mandel(b: Batch, control: Control = DEFAULT) -> tuple[np.ndarray, str | None]:
    """Paule & Mandel (1982): the tau2 solving Q(tau2) = k - 1 (0 if Q(0) < k - 1).

    Found by R's uniroot on [0, max(100, 10 mad(y)^2)] as metafor. A row where Q is still above
    k - 1 at the upper end (metafor: "Value of 'tau2.max' too low"), or where uniroot does not
    converge, is NaN; the second value says why (None when every row converged).
    """
    target = (b.k - 1).astype(float)
    upper = search_upper(b, control)
    q0 = q_statistic(b, 0.0) - target
    qmax = q_statistic(b, upper) - target
    tau2 = np.zeros(len(target))
    why = None
    high = qmax > 0
    if high.any():
        at = upper[np.flatnonzero(high)[0]]
        why = f"Q(tau2) still exceeds k - 1 at the search limit tau2 = {at:g} (extreme heterogeneity)"
        tau2[high] = np.nan
    search = (q0 >= 0) & ~high
    if search.any():
        idx = np.flatnonzero(search)
        sub = b.rows(idx)
        sub_target = target[idx]

        def f(x, rows):
            return q_statistic(sub.rows(rows), x) - sub_target[rows]

        root, conv = zeroin(f, np.zeros(len(idx)), upper[idx],
                            q0[idx], qmax[idx], tol=control.tol, maxiter=control.maxiter)
        if not conv.all():
            why = why or "uniroot did not converge"
            root = np.where(conv, root, np.nan)
        tau2[idx] = root
    return tau2, why


def _loglik(b: Batch, tau2: np.ndarray, reml: bool) -> np.ndarray:
    w = b.weights(tau2)
    k = b.k
    ll = -0.5 * rowsum(np.where(b.mask, np.log(b.v + tau2[:, None]), 0.0)) - 0.5 * rss(b.y, w)
    if reml:
        return ll - 0.5 * (k - 1) * np.log(2 * np.pi) - 0.5 * np.log(rowsum(w))
    return ll - 0.5 * k * np.log(2 * np.pi)


def _halve_until_nonnegative(t: np.ndarray, adj: np.ndarray) -> np.ndarray:
    """metafor's ``while (tau2 + adj < 0) adj <- adj / 2``, element by element.

    At tau2 = 0 a negative step halves about 1075 times until it underflows to -0.0; that end
    point is set directly (the same bits), and only the remaining offending rows are halved.
    """
    adj = np.where((t == 0) & (adj < 0), -0.0, adj)
    neg = np.flatnonzero(t + adj < 0)
    while neg.size:
        adj[neg] = adj[neg] / 2
        neg = neg[t[neg] + adj[neg] < 0]
    return adj


def fisher_scoring(b: Batch, method: str, control: Control = DEFAULT) -> tuple[np.ndarray, str | None]:
    """ML, REML (Viechtbauer 2005) or empirical Bayes (Morris 1983) by metafor's Fisher scoring.

    Start at max(0, Hedges); step adj = (y'PPy - tr P)/tr(PP) (REML), (y'PPy - sum w)/sum w^2 (ML),
    (y'Py k/(k-1) - k)/sum w (EB), times ``stepadj``, halved while tau2 + adj < 0; stop when
    |change| <= threshold. For ML/REML, tau2 = 0 if the log-likelihood at 0 is higher (ll0check).
    A row still moving after ``maxiter`` steps, or with a non-finite step, is NaN (metafor stops
    with "Fisher scoring algorithm did not converge"); the second value says why.
    """
    k = b.k
    tau2 = np.maximum(0.0, hedges(b))
    change = np.full(len(k), control.threshold + 1)
    active = change > control.threshold
    failed = np.zeros(len(k), dtype=bool)
    why = None
    it = 0
    while active.any():
        it += 1
        i = np.flatnonzero(active)
        sub = b.rows(i)
        t = tau2[i]
        w = sub.weights(t)
        sw = rowsum(w)
        mu = wmean(sub.y, w)
        r = np.where(sub.mask, sub.y - mu[:, None], 0.0)
        ypy = rowsum(w * r**2)
        yppy = rowsum(w**2 * r**2)
        sw2 = rowsum(w**2)
        ki = k[i]
        if method == "REML":
            tr_p = sw - sw2 / sw
            tr_pp = sw2 - 2 * rowsum(w**3) / sw + sw2**2 / sw**2
            adj = (yppy - tr_p) / tr_pp
        elif method == "ML":
            adj = (yppy - sw) / sw2
        else:  # EB
            adj = (ypy * ki / (ki - 1) - ki) / sw
        adj = adj * control.stepadj
        adj = np.where(np.isnan(adj), 0.0, adj)
        bad = ~np.isfinite(adj)
        if bad.any():
            why = why or "the Fisher scoring step is not finite"
            failed[i[bad]] = True
            adj = np.where(bad, 0.0, adj)
        adj = _halve_until_nonnegative(t, adj)
        new = t + adj
        change[i] = np.where(bad, 0.0, np.abs(t - new))
        tau2[i] = new
        if it > control.maxiter:  # every row still active has taken maxiter + 1 steps
            why = why or f"Fisher scoring needed more than {control.maxiter} iterations"
            failed[i] = True
            break
        active = (change > control.threshold) & ~failed
    if method in ("ML", "REML"):
        ll0 = _loglik(b, np.zeros(len(k)), method == "REML")
        ll = _loglik(b, tau2, method == "REML")
        tau2 = np.where((ll0 - ll > control.tol) & (tau2 > control.threshold), 0.0, tau2)
    return np.where(failed, np.nan, tau2), why


def estimate(b: Batch, method: str, control: Control = DEFAULT, strict: bool = True) -> np.ndarray:
    """tau^2 by ``method`` (one of METHODS) per row, truncated at 0; 0 where k = 1.

    A row whose iteration fails raises ConvergenceError, or with ``strict=False`` is NaN (as
    metafor's cumul and leave1out record NA for a refit that stops).
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown tau^2 estimator {method!r}; choose one of {', '.join(METHODS)}")
    k = b.k
    out = np.zeros(len(k))
    multi = k > 1
    if multi.any():
        idx = np.flatnonzero(multi)
        sub = b.rows(idx)
        why = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if method == "DL":
                t = dersimonian_laird(sub)
            elif method == "HE":
                t = hedges(sub)
            elif method == "SJ":
                t = sidik_jonkman(sub)
            elif method == "PM":
                t, why = paule_mandel(sub, control)
            else:
                t, why = fisher_scoring(sub, method, control)
        if strict and not np.isfinite(t).all():
            raise ConvergenceError(method, why or "the estimate is not a finite number")
        out[idx] = np.maximum(0.0, t)  # NaN stays NaN
    return out
