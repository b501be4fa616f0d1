"""Bayesian random effects, exact and deterministic: the normal-normal hierarchical model by
one-dimensional quadrature over tau (Rover 2020, J Stat Softw 93(6), bayesmeta's approach).

y_i ~ N(mu, v_i + tau^2), an improper uniform prior on mu and a half-normal or half-Cauchy prior
on tau of scale s. With w_i = 1/(v_i + tau^2), muhat(tau) = sum w y / sum w, V(tau) = 1/sum w:
  p(tau | y) ∝ p(tau) V^(1/2) prod (v_i + tau^2)^(-1/2) exp(-1/2 sum w_i (y_i - muhat)^2),
  mu | tau, y ~ N(muhat, V);  a new study's theta | tau, y ~ N(muhat, V + tau^2).
Marginals are mixtures over p(tau | y), e.g. P(mu <= x | y) = int Phi((x - muhat)/sqrt(V)) p(tau|y).

Quadrature: tau = F^-1(1 - c), the prior's quantile function at the upper-tail probability c, so
that int g(tau) p(tau) L(tau) dtau = int_0^1 g(tau(c)) L(tau(c)) dc, by composite 20-point
Gauss-Legendre on panels of [0, 1] (uniform, graded towards c = 0 where tau -> infinity), refined
adaptively: a panel is halved while halving it changes its integral of L by more than 1e-13 of the
total. Quantiles: Brent's method on the mixture CDF (mu, theta) and on the partial integral of L
over c (tau). No sampling: the same input
gives the same digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

FAMILIES = ("half-normal", "half-cauchy")
LEVEL = 0.95
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(20)
_TOL = 1e-13          # local error of a panel, relative to the total mass
_MAX_ROUNDS = 30
_XTOL = 1e-13


@dataclass(frozen=True)
class Prior:
    """The prior on tau: family (half-normal or half-cauchy) and scale (> 0), on the analysis scale."""

    family: str
    scale: float

    def __post_init__(self):
        family = str(self.family).lower()
        if family not in FAMILIES:
            raise ValueError(f"unknown prior family {self.family!r}; choose one of {', '.join(FAMILIES)}")
        if not (isinstance(self.scale, (int, float)) and math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"the prior scale must be a positive number, not {self.scale!r}")
        object.__setattr__(self, "family", family)
        object.__setattr__(self, "scale", float(self.scale))

    @classmethod
    def parse(cls, text: str) -> "Prior":
        """'half-normal:0.5' or 'half-cauchy:1'."""
        family, sep, scale = str(text).partition(":")
        if not sep:
            raise ValueError(f"expected FAMILY:SCALE, e.g. half-normal:0.5, not {text!r}")
        try:
            value = float(scale)
        except ValueError:
            raise ValueError(f"the prior scale must be a number, not {scale!r}") from None
        return cls(family.strip(), value)

    @property
    def label(self) -> str:
        """'half-normal(0.5)'."""
        return f"{self.family}({self.scale:g})"

    def to_dict(self) -> dict:
        return {"family": self.family, "scale": self.scale}

    def tau(self, c: np.ndarray) -> np.ndarray:
        """tau with prior upper-tail probability c (0 < c <= 1): s Phi^-1(1 - c/2) = -s Phi^-1(c/2)
        (half-normal), s / tan(pi c / 2) (half-Cauchy)."""
        if self.family == "half-normal":
            return self.scale * -ndtri(c / 2)
        return self.scale / np.tan(np.pi * c / 2)


def _mesh() -> np.ndarray:
    """Panel edges on [0, 1] in c: 0, 2^-j (j = 60..7), then 64 uniform panels from 1/64."""
    graded = 2.0 ** -np.arange(60, 6, -1)
    return np.concatenate([[0.0], graded, np.arange(2, 65) / 64])


def _conditional(y: np.ndarray, v: np.ndarray, tau: np.ndarray):
    """log L(tau) (up to a constant), muhat(tau), V(tau) at each tau."""
    t2 = tau[:, None] ** 2
    w = 1 / (v[None, :] + t2)
    sw = w.sum(axis=1)
    mu = (w * y[None, :]).sum(axis=1) / sw
    rss = (w * (y[None, :] - mu[:, None]) ** 2).sum(axis=1)
    loglik = -0.5 * np.log(sw) + 0.5 * np.log(w).sum(axis=1) - 0.5 * rss
    return loglik, mu, 1 / sw


class Posterior:
    """The posterior of one meta-analysis (yi, vi on the analysis scale) under ``prior``."""

    def __init__(self, yi, vi, prior: Prior):
        self.y = np.asarray(yi, dtype=float)
        self.v = np.asarray(vi, dtype=float)
        if self.y.size == 0 or self.y.shape != self.v.shape or not (np.all(np.isfinite(self.y))
                                                                   and np.all(self.v > 0)):
            raise ValueError("the Bayesian model needs at least one study with a finite effect and variance")
        self.prior = prior
        edges = _mesh()
        self.shift = float(np.max(self._logl(self._nodes(edges[:-1], edges[1:])[0])))
        a, b = self._refine(edges[:-1], edges[1:])
        u, wq = self._nodes(a, b)
        self.tau_nodes = self.prior.tau(u)
        loglik, self.mu, self.var = _conditional(self.y, self.v, self.tau_nodes)
        mass = wq * np.exp(loglik - self.shift)
        self.z = float(mass.sum())
        self.weight = mass / self.z
        self.a, self.b = a, b
        self.panel_mass = (mass.reshape(len(a), -1).sum(axis=1)) / self.z

    @staticmethod
    def _nodes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        half = (b - a)[:, None] / 2
        u = (a[:, None] + b[:, None]) / 2 + half * _NODES[None, :]
        return u.reshape(-1), (half * _WEIGHTS[None, :]).reshape(-1)

    def _logl(self, u: np.ndarray) -> np.ndarray:
        return _conditional(self.y, self.v, self.prior.tau(u))[0]

    def _panel_integrals(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        u, wq = self._nodes(a, b)
        return (wq * np.exp(self._logl(u) - self.shift)).reshape(len(a), -1).sum(axis=1)

    def _refine(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Halve every panel whose integral changes by more than _TOL of the total when halved."""
        for _ in range(_MAX_ROUNDS):
            m = (a + b) / 2
            whole = self._panel_integrals(a, b)
            halves = self._panel_integrals(a, m) + self._panel_integrals(m, b)
            bad = np.abs(whole - halves) > _TOL * halves.sum()
            if not bad.any():
                break
            a = np.concatenate([a[~bad], a[bad], m[bad]])
            b = np.concatenate([b[~bad], m[bad], b[bad]])
            order = np.argsort(a, kind="stable")
            a, b = a[order], b[order]
        return a, b

    # --- marginals ------------------------------------------------------------------------------

    def mu_cdf(self, x: float) -> float:
        return float(np.sum(self.weight * ndtr((x - self.mu) / np.sqrt(self.var))))

    def pred_cdf(self, x: float) -> float:
        return float(np.sum(self.weight * ndtr((x - self.mu) / np.sqrt(self.var + self.tau_nodes**2))))

    def _quantile(self, cdf, p: float, sd: np.ndarray) -> float:
        lo = float(np.min(self.mu - 40 * sd))
        hi = float(np.max(self.mu + 40 * sd))
        return brentq(lambda x: cdf(x) - p, lo, hi, xtol=_XTOL, rtol=4 * np.finfo(float).eps, maxiter=500)

    def mu_quantile(self, p: float) -> float:
        return self._quantile(self.mu_cdf, p, np.sqrt(self.var))

    def pred_quantile(self, p: float) -> float:
        return self._quantile(self.pred_cdf, p, np.sqrt(self.var + self.tau_nodes**2))

    def tau_quantile(self, p: float) -> float:
        """tau(c*) where the posterior mass of c < c* (tau > tau(c*)) is 1 - p: the panel, then Brent."""
        target = 1 - p
        cum = np.cumsum(self.panel_mass)
        j = min(int(np.searchsorted(cum, target)), len(self.a) - 1)
        before = float(cum[j - 1]) if j else 0.0
        a = float(self.a[j])

        def partial(c: float) -> float:
            return float(self._panel_integrals(np.array([a]), np.array([c]))[0]) / self.z + before - target

        c = brentq(partial, a, float(self.b[j]), xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
        return float(self.prior.tau(np.array([c]))[0])

    def mu_moments(self) -> tuple[float, float | None]:
        """Posterior mean and SD of mu. Var(mu | y) = E[V(tau) + (muhat - mean)^2]; V ~ tau^2 / k and
        p(tau | y) ~ tau^-(k+1) in a half-Cauchy prior's tail, so the SD is infinite (None) when k <= 2."""
        mean = float(np.sum(self.weight * self.mu))
        if self.prior.family == "half-cauchy" and self.y.size <= 2:
            return mean, None
        second = float(np.sum(self.weight * (self.var + (self.mu - mean) ** 2)))
        return mean, math.sqrt(second)


def bayes_random(yi, vi, prior: Prior, level: float = LEVEL) -> dict:
    """The `bayes` block: mu_median, mu_lb, mu_ub (equal-tailed), mu_mean, mu_sd, tau_median,
    tau_lb, tau_ub, pred_lb, pred_ub (a new study's effect), p_mu_below_0 = P(mu < 0 | y), k, prior."""
    post = Posterior(yi, vi, prior)
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    mean, sd = post.mu_moments()
    return {
        "prior": prior.to_dict(), "k": int(post.y.size),
        "mu_median": post.mu_quantile(0.5), "mu_lb": post.mu_quantile(lo), "mu_ub": post.mu_quantile(hi),
        "mu_mean": mean, "mu_sd": sd,
        "tau_median": post.tau_quantile(0.5), "tau_lb": post.tau_quantile(lo), "tau_ub": post.tau_quantile(hi),
        "pred_lb": post.pred_quantile(lo), "pred_ub": post.pred_quantile(hi),
        "p_mu_below_0": post.mu_cdf(0.0),
    }
