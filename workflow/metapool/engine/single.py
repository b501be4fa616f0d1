"""One random-effects fit in Python floats: ``model.random_batch`` for m = 1, without masks.

``fit_random`` used to run the masked (m, K) batch code with m = 1, paying numpy's per-call
overhead (a ``rowsum`` is ~12 us, whatever K) hundreds of times per fit, most of it in the two
Q-profile uniroot solves. This module does the same floating-point operations, in the same
order, on the members' values as Python floats:

* every sum is accumulated left to right from 0.0, as ``batch.rowsum`` (padding cells add +0.0
  there, which changes nothing, so they are simply left out);
* products and quotients are grouped as the numpy expressions group them (``w * r**2`` is
  ``w * (r * r)``: ``x**2`` of a float64 array is ``x * x``);
* the few operations whose result numpy computes differently from C's libm (``w**3`` and
  ``log``: numpy has its own SIMD kernels) are still done by numpy, on an array, so each element
  goes through the same kernel; scipy's distribution functions are called with the same float64
  arguments (their results do not depend on the array shape);
* ``np.maximum(a, x)`` is ``x if x >= a or x is NaN else a`` (numpy keeps the second argument
  on a tie, so -0.0 stays -0.0).

Python raises on a division by zero where numpy returns inf or NaN (``_div`` does numpy's where
a zero divisor is expected), and never warns where numpy warns about an overflow; on such
inputs (and input errors, unknown methods, effects or variances beyond 1e+-60) ``fit`` returns
None and the caller runs the batch code, which gives the old result, warning or error.
tests/test_engine_speed_identity.py holds this path to the old implementation's digits and to
the batch path's, bit for bit.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.special import chdtrc, chdtri, ndtr, ndtri, stdtr, stdtrit

from metapool.engine.rootfind import R_TOL
from metapool.engine.tau2 import DEFAULT, METHODS, Control
from metapool.errors import ConvergenceError

CI_METHODS = ("hksj", "hksj_adhoc", "z")
_EPS2 = 2 * float(np.finfo(float).eps)  # rootfind's 2 * _EPS
_LOG_2PI = float(np.log(2 * np.pi))     # tau2._loglik's np.log(2 * np.pi)
_NAN = math.nan
_INF = math.inf
# Inputs with |y| <= 1e60 and 1e-60 <= v <= 1e60 keep every intermediate (w <= 1e60, w^2 r^2,
# (sum w^2)^2, w^3, ...) far from overflow, where numpy warns (overflow is not in the batch code's
# errstate); others are left to the batch code, warnings and all.
_LO, _HI = 1e-60, 1e60


class _Decline(Exception):
    """This input is left to the batch code."""


def _div(a: float, b: float) -> float:
    """a / b with IEEE semantics for b == 0 (what numpy returns under errstate(divide="ignore"))."""
    if b != 0.0:  # NaN included
        return a / b
    if a != a or a == 0.0:
        return _NAN
    return math.copysign(_INF, a) * math.copysign(1.0, b)


def _max(a: float, x: float) -> float:
    """np.maximum(a, x) for a non-NaN ``a``."""
    return x if (x >= a or x != x) else a


@lru_cache(maxsize=256)
def _stdtrit(df: float, p: float) -> float:
    return float(stdtrit(df, p))


@lru_cache(maxsize=256)
def _chdtri(df: float, p: float) -> float:
    return float(chdtri(df, p))


@lru_cache(maxsize=64)
def _z_crit(level: float) -> float:
    return float(ndtri(1 - (1 - level) / 2))


def _members(yi, vi) -> tuple[list[float], list[float], list[int], int]:
    """The finite (y, v) pairs in order, their positions and the input length (Batch.from_arrays)."""
    y = np.asarray(yi, dtype=float).reshape(-1)
    v = np.asarray(vi, dtype=float).reshape(-1)
    if y.shape != v.shape:
        raise _Decline
    ys, vs, pos = [], [], []
    isfinite = math.isfinite
    for j, (a, b) in enumerate(zip(y.tolist(), v.tolist())):
        if isfinite(a) and isfinite(b):
            if b <= 0 or not (_LO <= b <= _HI and -_HI <= a <= _HI):
                raise _Decline
            ys.append(a)
            vs.append(b)
            pos.append(j)
    if not ys:
        raise _Decline
    return ys, vs, pos, len(y)


def _q(y: list[float], v: list[float], t: float) -> float:
    """batch.rss(y, weights(t)): w = 1/(v + t), mu = sum w y / sum w, sum w (y - mu)^2."""
    w = [1.0 / (vj + t) for vj in v]
    sw = 0.0
    swy = 0.0
    for wj, yj in zip(w, y):
        sw += wj
        swy += wj * yj
    mu = swy / sw
    s = 0.0
    for wj, yj in zip(w, y):
        d = yj - mu
        s += wj * (d * d)
    return s


def _sum(xs) -> float:
    s = 0.0
    for x in xs:
        s += x
    return s


def _zeroin(f, a: float, b: float, fa: float, fb: float, tol: float, maxiter: int) -> tuple[float, bool]:
    """rootfind.zeroin for one problem: the same steps in the same floating-point operations."""
    c, fc = a, fa
    if fa == 0.0:
        return a, True
    if fb == 0.0:
        return b, True
    half_tol = tol / 2
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = _EPS2 * abs(b) + half_tol
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b, True
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                qq = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0))
                q = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            p = abs(p)
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b = b + new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b, False


# --- tau^2 (tau2.py, one row) -------------------------------------------------------------

def _unweighted(y: list[float], k: int) -> float:
    ybar = _sum(y) / k
    s = 0.0
    for yj in y:
        d = yj - ybar
        s += d * d
    return s


def _hedges(y, v, k) -> float:
    ss = _unweighted(y, k)
    return (ss - _sum(v) * (k - 1) / k) / (k - 1)


def _dersimonian_laird(y, v, k) -> float:
    w = [1.0 / (vj + 0.0) for vj in v]
    sw = _sum(w)
    return _div(_q(y, v, 0.0) - (k - 1), sw - _sum([x * x for x in w]) / sw)


def _sidik_jonkman(y, v, k) -> float:
    tau0 = _unweighted(y, k) / k
    return tau0 * _q(y, v, tau0) / (k - 1)


def _median(xs: list[float], width: int) -> float:
    """np.nanmedian of one row of ``width`` columns (np.ma.median below 600 columns)."""
    s = sorted(xs)
    h, odd = divmod(len(s), 2)
    if odd:
        x = s[h]
        return (x + x) / 2 if width < 600 else x
    return (s[h - 1] + s[h]) / 2


def _paule_mandel(y, v, k, width, control: Control) -> tuple[float, str | None]:
    target = float(k - 1)
    centre = _median(y, width)
    mad = 1.4826 * _median([abs(yj - centre) for yj in y], width)
    upper = _max(control.tau2_max, 10 * (mad * mad))
    q0 = _q(y, v, 0.0) - target
    qmax = _q(y, v, upper) - target
    if qmax > 0:
        return _NAN, f"Q(tau2) still exceeds k - 1 at the search limit tau2 = {upper:g} (extreme heterogeneity)"
    if q0 >= 0:
        root, conv = _zeroin(lambda x: _q(y, v, x) - target, 0.0, upper, q0, qmax,
                             control.tol, control.maxiter)
        if not conv:
            return _NAN, "uniroot did not converge"
        return root, None
    return 0.0, None


def _loglik(y, v, k, tau2: float, reml: bool) -> float:
    w = [1.0 / (vj + tau2) for vj in v]
    sw = _sum(w)
    # numpy's log (its own kernel, not libm's) on one array: v + tau2 and, last, sum w
    rss = _q(y, v, tau2)
    logs = np.log(np.array([vj + tau2 for vj in v] + [sw])).tolist()
    ll = -0.5 * _sum(logs[:-1]) - 0.5 * rss
    if reml:
        return ll - 0.5 * (k - 1) * _LOG_2PI - 0.5 * logs[-1]
    return ll - 0.5 * k * _LOG_2PI


def _fisher_scoring(y, v, k, method: str, control: Control) -> tuple[float, str | None]:
    threshold = control.threshold
    tau2 = _max(0.0, _hedges(y, v, k))
    change = threshold + 1
    failed = False
    why = None
    it = 0
    while change > threshold and not failed:
        it += 1
        t = tau2
        w = [1.0 / (vj + t) for vj in v]
        sw = 0.0
        swy = 0.0
        for wj, yj in zip(w, y):
            sw += wj
            swy += wj * yj
        mu = swy / sw
        ypy = 0.0
        yppy = 0.0
        sw2 = 0.0
        for wj, yj in zip(w, y):
            r = yj - mu
            r2 = r * r
            ww = wj * wj
            ypy += wj * r2
            yppy += ww * r2
            sw2 += ww
        if method == "REML":
            tr_p = sw - sw2 / sw
            sw3 = _sum((np.array(w) ** 3).tolist())  # numpy's pow, as rowsum(w**3)
            tr_pp = sw2 - 2 * sw3 / sw + (sw2 * sw2) / (sw * sw)
            adj = _div(yppy - tr_p, tr_pp)
        elif method == "ML":
            adj = _div(yppy - sw, sw2)
        else:  # EB
            adj = (ypy * k / (k - 1) - k) / sw
        adj = adj * control.stepadj
        if adj != adj:
            adj = 0.0
        bad = not math.isfinite(adj)
        if bad:
            why = why or "the Fisher scoring step is not finite"
            failed = True
            adj = 0.0
        # tau2._halve_until_nonnegative
        if t == 0 and adj < 0:
            adj = -0.0
        while t + adj < 0:
            adj = adj / 2
        new = t + adj
        change = 0.0 if bad else abs(t - new)
        tau2 = new
        if it > control.maxiter:
            why = why or f"Fisher scoring needed more than {control.maxiter} iterations"
            failed = True
            break
    if failed:
        return _NAN, why
    if method in ("ML", "REML"):
        reml = method == "REML"
        ll0 = _loglik(y, v, k, 0.0, reml)
        ll = _loglik(y, v, k, tau2, reml)
        if ll0 - ll > control.tol and tau2 > threshold:
            tau2 = 0.0
    return tau2, why


def _estimate(y, v, k, width, method: str, control: Control) -> float:
    """tau2.estimate(strict=True) for one row of k >= 2."""
    why = None
    if method == "DL":
        t = _dersimonian_laird(y, v, k)
    elif method == "HE":
        t = _hedges(y, v, k)
    elif method == "SJ":
        t = _sidik_jonkman(y, v, k)
    elif method == "PM":
        t, why = _paule_mandel(y, v, k, width, control)
    else:
        t, why = _fisher_scoring(y, v, k, method, control)
    if not math.isfinite(t):
        raise ConvergenceError(method, why or "the estimate is not a finite number")
    return _max(0.0, t)


# --- heterogeneity.qprofile_ci, one row ---------------------------------------------------

def _qprofile(y, v, k, tau2: float, q0: float, level: float) -> tuple[float, float]:
    if not math.isfinite(tau2):
        return _NAN, _NAN
    alpha = 1 - level
    df = float(k - 1)
    crit_u = _chdtri(df, alpha / 2)
    crit_l = _chdtri(df, 1 - alpha / 2)
    tmax = _max(100.0, tau2 * 10)
    q_min = q0  # Q(0) is Cochran's Q: the same operations
    q_max = _q(y, v, tmax)

    def solve(objective: float) -> float:
        return _zeroin(lambda x: _q(y, v, x) - objective, 0.0, tmax, q_min - objective,
                       q_max - objective, R_TOL, 1000)[0]

    if q_max > crit_u:
        return tmax, tmax
    if q_min < crit_l:
        hi = 0.0
    elif q_max > crit_l:
        hi = tmax
    else:
        hi = solve(crit_l)
    if q_min < crit_u:
        lo = 0.0
    else:
        lo = solve(crit_u)
    return lo, hi


def _fit(yi, vi, tau2_method, ci_method, level, control) -> dict:
    method = tau2_method.upper()
    ci_method = ci_method.lower()
    if method not in METHODS or ci_method not in CI_METHODS:
        raise _Decline
    y, v, pos, width = _members(yi, vi)
    k = len(y)
    tau2 = 0.0 if k == 1 else _estimate(y, v, k, width, method, control)

    w = [1.0 / (vj + tau2) for vj in v]
    sw = 0.0
    swy = 0.0
    for wj, yj in zip(w, y):
        sw += wj
        swy += wj * yj
    est = swy / sw
    se_wald = 1 / math.sqrt(sw)
    alpha = 1 - level
    df = _NAN
    if ci_method != "z" and k > 1:
        df = float(k - 1)
        s = 0.0
        for wj, yj in zip(w, y):
            d = yj - est
            s += wj * (d * d)
        s2w = s / df
        if ci_method == "hksj_adhoc":
            s2w = _max(1.0, s2w)
        se = math.sqrt(s2w) * se_wald
        stat = _div(est, se)
        crit = _stdtrit(df, 1 - alpha / 2)
        pval = 2 * float(stdtr(df, -abs(stat)))
    else:  # z, or one study: its own Wald interval
        se = se_wald
        stat = est / se_wald
        crit = _z_crit(level)
        pval = 2 * float(ndtr(-abs(stat)))
    ci_lb, ci_ub = est - crit * se, est + crit * se
    if k >= 3 and ci_method == "hksj_adhoc":  # metafor predict(): t_{k-1} and the ad hoc se
        pi_half = crit * math.sqrt(tau2 + se * se)
        pi_lb, pi_ub = est - pi_half, est + pi_half
    elif k >= 3:
        pi_half = _stdtrit(_max(1.0, float(k - 2)), 1 - alpha / 2) * math.sqrt(tau2 + se_wald * se_wald)
        pi_lb, pi_ub = est - pi_half, est + pi_half
    else:
        pi_lb = pi_ub = _NAN

    # heterogeneity: Cochran's Q (w = 1/v), typical variance, I^2, H^2, Q-profile CIs
    q = _q(y, v, 0.0)
    if k > 1:
        qp = float(chdtrc(float(k - 1), q))
        w0 = [1.0 / (vj + 0.0) for vj in v]
        sw0 = _sum(w0)
        s2 = _div((k - 1) * sw0, sw0 * sw0 - _sum([x * x for x in w0]))
        i2, h2 = _div(100 * tau2, tau2 + s2), _div(tau2, s2) + 1
        t_lb, t_ub = _qprofile(y, v, k, tau2, q, level)
        i2_lb = _div(100 * t_lb, t_lb + s2)
        i2_ub = _div(100 * t_ub, t_ub + s2)
    else:
        qp = i2 = h2 = t_lb = t_ub = i2_lb = i2_ub = _NAN
        tau2 = _NAN

    weights = np.zeros(width)
    weights[pos] = w
    weights = 100 * weights / sw
    out = {
        "k": k, "est": est, "se": se, "se_wald": se_wald, "stat": stat, "df": df,
        "ci_lb": ci_lb, "ci_ub": ci_ub, "pval": pval,
        "tau2": tau2, "tau2_ci_lb": t_lb, "tau2_ci_ub": t_ub,
        "I2": i2, "I2_ci_lb": i2_lb, "I2_ci_ub": i2_ub,
        "H2": h2, "Q": q, "Qp": qp, "pi_lb": pi_lb, "pi_ub": pi_ub,
    }
    for key, x in out.items():
        if key != "k":
            x = float(x)
            out[key] = None if x != x else x
    out["weights"] = weights
    return out


def fit(yi, vi, tau2_method: str = "REML", ci_method: str = "hksj", level: float = 0.95,
        control: Control = DEFAULT) -> dict | None:
    """``model._scalar(model.random_batch(model._one(yi, vi), ...))``, or None where the batch
    code has to decide (an input it refuses, a division by zero, an overflow)."""
    try:
        return _fit(yi, vi, tau2_method, ci_method, level, control)
    except (_Decline, ZeroDivisionError, OverflowError, ValueError, TypeError, AttributeError):
        return None
