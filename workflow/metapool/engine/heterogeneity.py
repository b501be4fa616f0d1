"""Heterogeneity: Cochran's Q, I^2, H^2 and the Q-profile confidence interval for tau^2."""

from __future__ import annotations

import numpy as np
from scipy.special import chdtrc, chdtri

from metapool.engine.batch import Batch, rowsum, rss
from metapool.engine.rootfind import R_TOL, zeroin
from metapool.engine.tau2 import q_statistic


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


def qprofile_ci(b: Batch, tau2: np.ndarray, level: float = 0.95, tol: float = R_TOL,
                maxiter: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Q-profile CI for tau^2 (Viechtbauer 2007), as metafor ``confint.rma.uni``.

    The bounds solve Q(tau2) = chi^2_{k-1; 1-a/2} (lower) and chi^2_{k-1; a/2} (upper) on
    [0, max(100, 10 tau2)] with R's uniroot; truncated at 0; NaN where k < 2.
    """
    alpha = 1 - level
    k = b.k
    m = len(k)
    lb = np.full(m, np.nan)
    ub = np.full(m, np.nan)
    ok = (k >= 2) & np.isfinite(tau2)
    if not ok.any():
        return lb, ub
    idx = np.flatnonzero(ok)
    sub = b.rows(idx)
    df = (k[idx] - 1).astype(float)
    crit_u = chdtri(df, alpha / 2)          # upper quantile, for the lower bound
    crit_l = chdtri(df, 1 - alpha / 2)      # lower quantile, for the upper bound
    tmax = np.maximum(100.0, tau2[idx] * 10)
    q_min = q_statistic(sub, 0.0)
    q_max = q_statistic(sub, tmax)

    def solve(rows: np.ndarray, objective: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.empty(0)
        part = sub.rows(rows)

        def f(x, r):
            return q_statistic(part.rows(r), x) - objective[r]

        root, _ = zeroin(f, np.zeros(len(rows)), tmax[rows], q_min[rows] - objective,
                         q_max[rows] - objective, tol=tol, maxiter=maxiter)
        return root

    lo = np.full(len(idx), np.nan)
    hi = np.full(len(idx), np.nan)
    null = q_min < crit_l
    lo[null] = 0.0
    hi[null] = 0.0
    at_max = ~null & (q_max > crit_l)
    hi[at_max] = tmax[at_max]
    r = np.flatnonzero(~null & ~at_max)
    hi[r] = solve(r, crit_l[r])

    all_max = q_max > crit_u
    lo[all_max] = tmax[all_max]
    hi[all_max] = tmax[all_max]
    zero_lo = ~all_max & (q_min < crit_u)
    lo[zero_lo] = 0.0
    r = np.flatnonzero(~all_max & ~zero_lo)
    lo[r] = solve(r, crit_u[r])
    lb[idx] = lo
    ub[idx] = hi
    return lb, ub
