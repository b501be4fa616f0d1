"""Fixed- and random-effects models for log risk ratios (metafor ``rma.uni`` conventions).

Batch functions take (m, K) arrays and return dicts of length-m arrays; ``fit_fixed`` and
``fit_random`` are the m = 1 case and return plain floats (None where undefined).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, ndtri, stdtr, stdtrit

from metapool.engine import heterogeneity as het
from metapool.engine import tau2 as tau2mod
from metapool.engine.batch import Batch, rowsum, wmean
from metapool.errors import MetapoolError

CI_METHODS = ("hksj", "hksj_adhoc", "z")
HKSJ = ("hksj", "hksj_adhoc")  # the t-based methods
LEVEL = 0.95


def _z_crit(level: float) -> float:
    return float(ndtri(1 - (1 - level) / 2))


def fixed_batch(b: Batch, level: float = LEVEL) -> dict[str, np.ndarray]:
    """Inverse-variance fixed effect: mu = sum(y/v)/sum(1/v), se = sum(1/v)^-1/2, Wald z test."""
    w = b.weights(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = wmean(b.y, w)
        se = 1 / np.sqrt(rowsum(w))
        z = est / se
    crit = _z_crit(level)
    q, qp = het.cochran_q(b)
    i2, h2 = het.i2_h2_from_q(q, b.k)
    return {
        "k": b.k, "est": est, "se": se, "ci_lb": est - crit * se, "ci_ub": est + crit * se,
        "pval": 2 * ndtr(-np.abs(z)), "Q": q, "Qp": qp, "I2": i2, "H2": h2,
        "weights": 100 * w / rowsum(w)[:, None],
    }


def _tau2_i2_ci(b: Batch, tau2: np.ndarray, s2: np.ndarray, level: float):
    """Q-profile CI of tau^2 (lower, upper) and the I^2 CI from it (lower, upper)."""
    t_lb, t_ub = het.qprofile_ci(b, tau2, level)
    return t_lb, t_ub, het.i2_h2(t_lb, s2)[0], het.i2_h2(t_ub, s2)[0]


def random_batch(b: Batch, tau2_method: str = "REML", ci_method: str = "hksj",
                 level: float = LEVEL, control: tau2mod.Control = tau2mod.DEFAULT,
                 strict: bool = True, tau2_ci: bool = True) -> dict[str, np.ndarray]:
    """Random-effects model per row (``pool_many``).

    mu = sum w y / sum w with w = 1/(v + tau2); Wald se = (sum w)^-1/2. ``hksj``: Hartung & Knapp
    (2001), Sidik & Jonkman (2002): se^2 = q / sum w with q = sum w (y - mu)^2 / (k-1), t on k-1
    df, no truncation (metafor test="knha"). ``hksj_adhoc``: q replaced by max(1, q) (Knapp &
    Hartung 2003; Rover, Knapp & Friede 2015; metafor test="adhoc"). Prediction interval (k >= 3):
    mu +- t_{k-2} sqrt(tau2 + se_Wald^2) (Higgins, Thompson & Spiegelhalter 2009); for
    ``hksj_adhoc`` metafor's predict(): mu +- t_{k-1} sqrt(tau2 + se^2). tau2 CI by Q-profile. ``strict=False``: a row whose
    tau^2 iteration fails is NaN throughout instead of raising ConvergenceError. ``tau2_ci=False``:
    no Q-profile CI (no tau2_ci_lb, tau2_ci_ub, I2_ci_lb, I2_ci_ub), for refits that do not report it.
    """
    ci_method = ci_method.lower()
    if ci_method not in CI_METHODS:
        raise ValueError(f"unknown CI method {ci_method!r}; choose one of {', '.join(CI_METHODS)}")
    k = b.k
    tau2 = tau2mod.estimate_rows(b, tau2_method, control, strict)
    w = b.weights(tau2)
    sw = rowsum(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = wmean(b.y, w)
        se_wald = 1 / np.sqrt(sw)
        alpha = 1 - level
        if ci_method in HKSJ:
            df = (k - 1).astype(float)
            s2w = rowsum(w * (b.y - est[:, None]) ** 2) / df
            if ci_method == "hksj_adhoc":
                s2w = np.maximum(s2w, 1.0)
            se = np.sqrt(s2w) * se_wald
            stat = est / se
            crit = stdtrit(df, 1 - alpha / 2)
            pval = 2 * stdtr(df, -np.abs(stat))
            # one study: no t distribution with 0 df; the study's own Wald interval
            one = k == 1
            se = np.where(one, se_wald, se)
            stat = np.where(one, est / se_wald, stat)
            crit = np.where(one, _z_crit(level), crit)
            pval = np.where(one, 2 * ndtr(-np.abs(stat)), pval)
            df = np.where(one, np.nan, df)
        else:
            df = np.full(len(k), np.nan)
            se = se_wald
            stat = est / se
            crit = np.full(len(k), _z_crit(level))
            pval = 2 * ndtr(-np.abs(stat))
        ci_lb, ci_ub = est - crit * se, est + crit * se
        if ci_method == "hksj_adhoc":
            pi_crit = np.where(k >= 3, crit, np.nan)
            pi_half = pi_crit * np.sqrt(tau2 + se**2)
        else:
            pi_df = (k - 2).astype(float)
            pi_crit = np.where(k >= 3, stdtrit(np.maximum(pi_df, 1), 1 - alpha / 2), np.nan)
            pi_half = pi_crit * np.sqrt(tau2 + se_wald**2)
        q, qp = het.cochran_q(b)
        s2 = het.typical_variance(b)
        i2, h2 = het.i2_h2(tau2, s2)
        t_lb, t_ub, i2_lb, i2_ub = _tau2_i2_ci(b, tau2, s2, level) if tau2_ci else (None,) * 4
    multi = k > 1
    nan = np.nan
    out = {
        "k": k, "est": est, "se": se, "se_wald": se_wald, "stat": stat, "df": df,
        "ci_lb": ci_lb, "ci_ub": ci_ub, "pval": pval,
        "tau2": np.where(multi, tau2, nan), "tau2_ci_lb": t_lb, "tau2_ci_ub": t_ub,
        "I2": np.where(multi, i2, nan), "I2_ci_lb": i2_lb, "I2_ci_ub": i2_ub,
        "H2": np.where(multi, h2, nan), "Q": q, "Qp": qp,
        "pi_lb": est - pi_half, "pi_ub": est + pi_half,
        "weights": 100 * w / sw[:, None],
    }
    return out if tau2_ci else {key: val for key, val in out.items() if val is not None}


def pool_many(yi, vi, tau2_method: str = "REML", ci_method: str = "hksj", mask=None,
              level: float = LEVEL, control: tau2mod.Control = tau2mod.DEFAULT,
              strict: bool = True, tau2_ci: bool = True) -> dict[str, np.ndarray]:
    """Random-effects fits of many meta-analyses at once: yi, vi of shape (m, K); NaN or mask=False pads."""
    return random_batch(Batch.from_arrays(yi, vi, mask), tau2_method, ci_method, level, control, strict,
                        tau2_ci)


def _scalar(d: dict[str, np.ndarray]) -> dict:
    out = {}
    for key, val in d.items():
        if key == "weights":
            out[key] = val[0]
        elif key == "k":
            out[key] = int(val[0])
        else:
            x = float(val[0])
            out[key] = None if math.isnan(x) else x
    return out


def _one(yi, vi) -> Batch:
    b = Batch.from_arrays(np.asarray(yi, dtype=float).reshape(1, -1), np.asarray(vi, dtype=float).reshape(1, -1))
    if b.k[0] == 0:
        raise MetapoolError("no study with a finite effect size and variance to pool")
    return b


def fit_fixed(yi, vi, level: float = LEVEL) -> dict:
    """Inverse-variance fixed-effect model of one meta-analysis (see :func:`fixed_batch`)."""
    return _scalar(fixed_batch(_one(yi, vi), level))


def fit_random(yi, vi, tau2_method: str = "REML", ci_method: str = "hksj", level: float = LEVEL,
               control: tau2mod.Control = tau2mod.DEFAULT) -> dict:
    """Random-effects model of one meta-analysis: the m = 1 case of :func:`random_batch`."""
    out = _scalar(random_batch(_one(yi, vi), tau2_method, ci_method, level, control))
    out["tau2_method"] = tau2_method.upper()
    out["ci_method"] = ci_method.lower()
    return out
