"""What a fitted network model says: each treatment vs the reference, the league table of every
ordered pair, and P-scores (Rucker & Schwarzer 2015). Wald z intervals."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

LEVEL = 0.95
SEP = "|"


def _z() -> float:
    return float(ndtri(1 - (1 - LEVEL) / 2))


def effects(beta: np.ndarray, vb: np.ndarray, order: list[str], reference: str) -> tuple[np.ndarray, np.ndarray]:
    """d (every treatment in `order` vs the reference; 0 for it) and cov(d) with zero rows for it."""
    n = len(order)
    others = [i for i, t in enumerate(order) if t != reference]
    d, vd = np.zeros(n), np.zeros((n, n))
    d[others] = beta
    vd[np.ix_(others, others)] = vb
    return d, vd


def interval(est: float, se: float) -> dict[str, float]:
    """{est, se, ci_lb, ci_ub}: Wald z interval."""
    z = _z()
    return {"est": float(est), "se": float(se), "ci_lb": float(est - z * se), "ci_ub": float(est + z * se)}


def pair_se(vd: np.ndarray, i: int, j: int) -> float:
    """se(d_i - d_j)."""
    return float(np.sqrt(vd[i, i] + vd[j, j] - 2 * vd[i, j]))


def versus_reference(d: np.ndarray, vd: np.ndarray, order: list[str], reference: str) -> dict[str, dict]:
    """Each non-reference treatment vs the reference."""
    return {t: interval(d[i], np.sqrt(vd[i, i])) for i, t in enumerate(order) if t != reference}


def league(d: np.ndarray, vd: np.ndarray, order: list[str]) -> dict[str, dict]:
    """Every ordered pair "A|B": A vs B, d_A - d_B."""
    return {f"{a}{SEP}{b}": interval(d[i] - d[j], pair_se(vd, i, j))
            for i, a in enumerate(order) for j, b in enumerate(order) if i != j}


def pscores(d: np.ndarray, vd: np.ndarray, order: list[str], small_values_good: bool) -> dict[str, float]:
    """P_i = mean over j != i of Phi((d_j - d_i) / se(d_i - d_j)) when small values are good,
    Phi((d_i - d_j) / se) otherwise (Rucker & Schwarzer 2015)."""
    sign = -1.0 if small_values_good else 1.0
    out = {}
    for i, t in enumerate(order):
        p = [ndtr(sign * (d[i] - d[j]) / pair_se(vd, i, j)) for j in range(len(order)) if j != i]
        out[t] = float(np.mean(p))
    return out
