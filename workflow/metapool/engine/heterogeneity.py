"""Heterogeneity: Cochran's Q, I^2, H^2 and the Q-profile confidence interval for tau^2."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.special import chdtrc, chdtri

from metapool.engine.batch import Batch, rowsum, rss
from metapool.engine.linear import fmax, intercepts
from metapool.engine.rootfind import zeroin


def cochran_q(b: Batch) -> tuple[np.ndarray, np.ndarray]:
    """Q = sum (y - mu_FE)^2 / v and its chi^2_{k-1} upper-tail p (NaN where k = 1)."""
    q = rss(b.y, b.weights(0.0))
    df = b.k - 1
    with np.errstate(invalid="ignore"):
        p = np.where(df > 0, chdtrc(np.maximum(df, 1), q), np.nan)
    return q, p


def typical_variance(b: Batch) -> np.ndarray:
    """Higgins-Thompson typical within-study variance s2 = (k-1) sum w / ((sum w)^2 - sum w^2), w = 1/v."""
    w = b.weights(0.0)
    sw = rowsum(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (b.k - 1) * sw / (sw**2 - rowsum(w**2))


def i2_h2(tau2: np.ndarray, s2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """I^2 = 100 tau2 / (tau2 + s2) and H^2 = tau2 / s2 + 1 (metafor's random-effects definitions)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100 * tau2 / (tau2 + s2), tau2 / s2 + 1


def i2_h2_from_q(q: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-effect I^2 = max(0, 100 (Q - (k-1)) / Q) and H^2 = Q / (k-1) (Higgins & Thompson 2002)."""
    df = k - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        i2 = np.where(q > 0, np.maximum(0.0, 100 * (q - df) / q), 0.0)
        h2 = q / df
    return np.where(df > 0, i2, np.nan), np.where(df > 0, h2, np.nan)


def qprofile(m, tau2: float, level: float = 0.95) -> tuple[float, float]:
    """Q-profile CI for tau^2 (Viechtbauer 2007) of model ``m`` (:mod:`metapool.engine.linear`),
    as metafor ``confint.rma.uni``.

    The bounds solve Q(tau2) = chi^2_{k-1; 1-a/2} (lower) and chi^2_{k-1; a/2} (upper) on
    [0, max(100, 10 tau2)] with R's uniroot; truncated at 0; NaN where tau2 is not finite.
    """
    if not math.isfinite(tau2):
        return math.nan, math.nan
    alpha = 1 - level
    df = float(m.k - 1)
    crit_u = _chdtri(df, alpha / 2)          # upper quantile, for the lower bound
    crit_l = _chdtri(df, 1 - alpha / 2)      # lower quantile, for the upper bound
    tmax = fmax(100.0, tau2 * 10)
    q_min = m.q(0.0)
    q_max = m.q(tmax)

    def solve(objective: float) -> float:
        return zeroin(lambda x: m.q(x) - objective, 0.0, tmax, q_min - objective, q_max - objective)[0]

    if q_max > crit_u:
        return tmax, tmax
    if q_min < crit_l:
        hi = 0.0
    elif q_max > crit_l:
        hi = tmax
    else:
        hi = solve(crit_l)
    lo = 0.0 if q_min < crit_u else solve(crit_u)
    return lo, hi


def qprofile_ci(b: Batch, tau2: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """:func:`qprofile` of each row of the batch (NaN where k < 2)."""
    ci = [qprofile(m, float(t), level) if m.k >= 2 else (math.nan, math.nan)
          for m, t in zip(intercepts(b), np.asarray(tau2, dtype=float).tolist())]
    out = np.array(ci, dtype=float).reshape(-1, 2)
    return out[:, 0], out[:, 1]


@lru_cache(maxsize=256)
def _chdtri(df: float, p: float) -> float:
    return float(chdtri(df, p))
