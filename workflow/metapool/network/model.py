"""The contrast-based consistency model by generalised least squares (metafor ``rma.mv``).

Contrasts y (one per non-baseline arm) with within-study covariance V; X has one column per
non-reference treatment (+1 for the contrast's treatment, -1 for its baseline). Fixed effect
(method "FE"): beta = (X' V^-1 X)^-1 X' V^-1 y, cov(beta) = (X' V^-1 X)^-1. Random effects: V is
replaced by S = V + tau^2 R with R_jk = 1 (j = k) or 1/2 (two contrasts of one study), i.e.
``random = ~ comp | study, rho = 1/2``; tau^2 by REML as metafor 3.8-1 finds it: R's ``nlminb``
(engine.nlminb, a port of the PORT routines) minimising metafor's -logLik (restricted, with its
constants) over the parameter vector c(sigma2, log tau2, atanh rho, gamma2, phi) of which only
log tau2 is used, from metafor's start; so tau^2 is where nlminb stops, which can differ from the
exact maximum of the restricted likelihood -1/2 [log|S| + log|X' S^-1 X| + r' S^-1 r] by ~1e-6
relative (and is ~1e-9 rather than 0 when the maximum is at tau^2 = 0). The exact maximum, the
root of the score 1/2 [y' P R P y - tr(P R)], P = S^-1 - S^-1 X (X' S^-1 X)^-1 X' S^-1 (Harville
1977), is ``reml_tau2`` (used by the design-by-treatment model).
QE = r' V^-1 r of the fixed-effect residuals on m - p df (Cochran's Q of the GLS fit).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import lapack
from scipy.optimize import brentq
from scipy.stats import chi2

from metapool.engine.nlminb import nlminb
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
    """The exact REML maximum tau^2 >= 0: 0 when the score at 0 is not positive, else the root of
    the score (bracketed by doubling, then Brent to machine precision). Not what metafor reports
    (reml_tau2_metafor): used where the reference is the exact maximum."""
    if len(st.y) <= st.X.shape[1] or reml_score(st, 0.0) <= 0:
        return 0.0
    hi = 1.0
    while reml_score(st, hi) > 0:
        hi *= 2
        if hi > 1e8:
            raise MetapoolError("REML: the restricted likelihood has no maximum below tau^2 = 1e8")
    return float(brentq(lambda t: reml_score(st, t), 0.0, hi, xtol=1e-300, rtol=1e-15, maxiter=500))


_EPS = float(np.finfo(float).eps)
_LOG_2PI = math.log(2 * math.pi)


def _r_mean(x: np.ndarray) -> float:
    """R's mean(): long double sum, then one correction pass."""
    xl = x.astype(np.longdouble)
    s = np.longdouble(0)
    for v in xl:
        s += v
    s /= len(x)
    t = np.longdouble(0)
    for v in xl:
        t += v - s
    return float(s + t / len(x))


def _r_var(x: np.ndarray) -> float:
    """R's var() of one vector (cov.c: mean as R's, long double sum of squared deviations)."""
    m = _r_mean(x)
    s = np.longdouble(0)
    for v in x:
        d = float(v) - m
        s += d * d
    return float(s / (len(x) - 1))


def _r_sum(x: np.ndarray) -> float:
    s = np.longdouble(0)
    for v in x.astype(np.longdouble):
        s += v
    return float(s)


def _chol_upper(A: np.ndarray) -> np.ndarray | None:
    """R's chol(): upper U with A = U'U (LAPACK dpotrf), or None when A is not positive definite."""
    U, info = lapack.dpotrf(A, lower=0, clean=1)
    return U if info == 0 else None


def _chol2inv(U: np.ndarray) -> np.ndarray:
    """R's chol2inv(U): (U'U)^-1 by LAPACK dpotri, symmetrised."""
    Ainv, info = lapack.dpotri(U, lower=0)
    if info != 0:
        raise np.linalg.LinAlgError("chol2inv")
    return np.triu(Ainv) + np.triu(Ainv, 1).T


def _logdet(A: np.ndarray) -> float:
    """R's determinant(A, logarithm = TRUE)$modulus (LU)."""
    return float(np.linalg.slogdet(A)[1])


def _whitened_fit(U: np.ndarray, st: Stacked) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sX, sY, beta) as metafor fits by GLS: sX = U X, sY = U y with U = chol(W), beta by least squares."""
    sX, sY = U @ st.X, U @ st.y
    return sX, sY, np.linalg.solve(sX.T @ sX, sX.T @ sY)


def metafor_objective(st: Stacked, tau2: float) -> float:
    """metafor's .ll.rma.mv (REML, REMLf = TRUE) at tau2, negated: the function nlminb minimises.
    -[-1/2 (k - p) log(2 pi) + 1/2 log|X'X| - 1/2 log|M| - 1/2 log|X'WX| - 1/2 RSS], M = V + tau2 R,
    W = M^-1, computed as metafor does (W = chol2inv(chol(M)), sX = chol(W) X, ...); +Inf where M or
    W is not positive definite."""
    M = st.V + tau2 * st.R
    U = _chol_upper(M)
    if U is None:
        return math.inf
    W = _chol2inv(U)
    U = _chol_upper(W)
    if U is None:
        return math.inf
    k, p = st.X.shape
    sX, sY, beta = _whitened_fit(U, st)
    rss = _r_sum((sY - sX @ beta) ** 2)
    ll = (-1 / 2 * (k - p) * _LOG_2PI + 1 / 2 * _logdet(st.X.T @ st.X) + -1 / 2 * _logdet(M)
          - 1 / 2 * _logdet((st.X.T @ W) @ st.X) - 1 / 2 * rss)
    return -ll


def metafor_start(st: Stacked) -> float:
    """metafor's tau2.init: total / 3 (sigma2s = tau2s = gamma2s = 1), total = max(0.003,
    var(y - X beta_FE) - 1 / mean(1 / diag(V))), beta_FE the GLS fit with V."""
    _, _, beta = _whitened_fit(_chol_upper(_chol2inv(_chol_upper(st.V))), st)
    total = max(0.001 * 3, _r_var(st.y - st.X @ beta) - 1 / _r_mean(1 / np.diag(st.V)))
    return total / 3


def reml_tau2_metafor(st: Stacked) -> float:
    """REML tau^2 as metafor rma.mv reports it: nlminb (R's defaults) on c(0, log tau2, atanh(1/2),
    0, 0) from metafor_start, minimising metafor_objective at exp of the second component; tau2 at
    or below 10 machine epsilon is 0, as in metafor. 0 when there are no more contrasts than
    parameters (metafor sets it to 0 there too)."""
    if len(st.y) <= st.X.shape[1]:
        return 0.0

    def tau2_of(log_tau2: float) -> float:
        t = math.exp(log_tau2)
        return 0.0 if t <= _EPS * 10 else t

    cache: dict[float, float] = {}

    def objective(par: list[float]) -> float:
        t = tau2_of(par[1])
        if t not in cache:  # only the log tau2 component matters: the others' differences reuse it
            cache[t] = metafor_objective(st, t)
        return cache[t]

    res = nlminb([0.0, math.log(metafor_start(st)), math.atanh(RHO), 0.0, 0.0], objective)
    if res.convergence != 0:
        raise MetapoolError(f"REML: the optimiser (nlminb) did not converge ({res.message}), as metafor would stop")
    return tau2_of(res.par[1])


def fit(st: Stacked, random: bool, tau2: float | None = None) -> Fit:
    """The fixed-effect (random=False) or random-effects model, at metafor's REML tau^2 unless one
    is given."""
    if tau2 is None:
        tau2 = reml_tau2_metafor(st) if random else 0.0
    beta, vb = gls(st.y, st.V + tau2 * st.R, st.X)
    q, df, qp = q_statistic(st)
    return Fit(beta, vb, tau2, q, df, qp)
