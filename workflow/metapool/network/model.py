"""The contrast-based consistency model by generalised least squares (metafor ``rma.mv``).

Contrasts y (one per non-baseline arm) with within-study covariance V; X has one column per
non-reference treatment (+1 for the contrast's treatment, -1 for its baseline). Fixed effect
(method "FE"): beta = (X' V^-1 X)^-1 X' V^-1 y, cov(beta) = (X' V^-1 X)^-1. Random effects: V is
replaced by S = V + tau^2 R with R_jk = 1 (j = k) or 1/2 (two contrasts of one study), i.e.
``random = ~ comp | study, rho = 1/2``; tau^2 by REML, the maximum of the restricted log-likelihood
-1/2 [log|S| + log|X' S^-1 X| + r' S^-1 r] over tau^2 >= 0, found as the root of its score
1/2 [y' P R P y - tr(P R)], P = S^-1 - S^-1 X (X' S^-1 X)^-1 X' S^-1 (Harville 1977).
QE = r' V^-1 r of the fixed-effect residuals on m - p df (Cochran's Q of the GLS fit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.stats import chi2

from metapool.errors import MetapoolError
from metapool.network.arms import StudyContrasts

RHO = 0.5


@dataclass(frozen=True)
class Stacked:
    """Every contrast of the network: y, V (block diagonal), R (random-effects correlation), X."""

    y: np.ndarray
    V: np.ndarray
    R: np.ndarray
    X: np.ndarray


@dataclass(frozen=True)
class Fit:
    """beta (non-reference treatments vs the reference) and its covariance; tau2 (0 for FE)."""

    beta: np.ndarray
    vb: np.ndarray
    tau2: float
    QE: float
    QE_df: int
    QEp: float


def stack(studies: list[StudyContrasts], order: list[str], reference: str) -> Stacked:
    """y, V, R and X over every contrast, studies in input order."""
    columns = {t: i for i, t in enumerate(t for t in order if t != reference)}
    m = sum(len(s.y) for s in studies)
    y, V, R, X = np.zeros(m), np.zeros((m, m)), np.zeros((m, m)), np.zeros((m, len(columns)))
    at = 0
    for s in studies:
        k = len(s.y)
        block = slice(at, at + k)
        y[block] = s.y
        V[block, block] = s.V
        R[block, block] = RHO + (1 - RHO) * np.eye(k)
        for row, treatment in enumerate(s.treatments, start=at):
            if treatment in columns:
                X[row, columns[treatment]] += 1
            if s.baseline in columns:
                X[row, columns[s.baseline]] -= 1
        at += k
    return Stacked(y, V, R, X)


def gls(y: np.ndarray, S: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(beta, cov(beta)) of y = X beta + e, cov(e) = S."""
    W = np.linalg.inv(S)
    vb = np.linalg.inv(X.T @ W @ X)
    return vb @ X.T @ W @ y, vb


def q_statistic(st: Stacked) -> tuple[float, int, float]:
    """Cochran's Q of the fixed-effect GLS residuals, its df and p (chi-square)."""
    beta, _ = gls(st.y, st.V, st.X)
    r = st.y - st.X @ beta
    q = float(r @ np.linalg.solve(st.V, r))
    df = len(st.y) - st.X.shape[1]
    return q, df, float(chi2.sf(q, df)) if df > 0 else 1.0


def reml_loglik(st: Stacked, tau2: float) -> float:
    """The restricted log-likelihood up to a constant: -1/2 [log|S| + log|X' S^-1 X| + r' S^-1 r]."""
    S = st.V + tau2 * st.R
    beta, vb = gls(st.y, S, st.X)
    r = st.y - st.X @ beta
    return -0.5 * (np.linalg.slogdet(S)[1] - np.linalg.slogdet(vb)[1] + float(r @ np.linalg.solve(S, r)))


def reml_score(st: Stacked, tau2: float) -> float:
    """d/d tau^2 of the restricted log-likelihood: 1/2 [y' P R P y - tr(P R)]."""
    W = np.linalg.inv(st.V + tau2 * st.R)
    WX = W @ st.X
    P = W - WX @ np.linalg.solve(st.X.T @ WX, WX.T)
    Py = P @ st.y
    return 0.5 * float(Py @ st.R @ Py - np.sum(P * st.R))


def reml_tau2(st: Stacked) -> float:
    """REML tau^2 >= 0: 0 when the score at 0 is not positive, else the root of the score
    (bracketed by doubling, then Brent to machine precision)."""
    if len(st.y) <= st.X.shape[1] or reml_score(st, 0.0) <= 0:
        return 0.0
    hi = 1.0
    while reml_score(st, hi) > 0:
        hi *= 2
        if hi > 1e8:
            raise MetapoolError("REML: the restricted likelihood has no maximum below tau^2 = 1e8")
    return float(brentq(lambda t: reml_score(st, t), 0.0, hi, xtol=1e-300, rtol=1e-15, maxiter=500))


def fit(st: Stacked, random: bool, tau2: float | None = None) -> Fit:
    """The fixed-effect (random=False) or random-effects model, at the REML tau^2 unless one is given."""
    if tau2 is None:
        tau2 = reml_tau2(st) if random else 0.0
    beta, vb = gls(st.y, st.V + tau2 * st.R, st.X)
    q, df, qp = q_statistic(st)
    return Fit(beta, vb, tau2, q, df, qp)
