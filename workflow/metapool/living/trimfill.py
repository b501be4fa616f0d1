"""Trim-and-fill (Duval & Tweedie 2000 Biometrics 56:455; JASA 95:89) as metafor ``trimfill``.

Steps of metafor's trimfill.rma.uni, repeated so the digits agree:
1. side: the slope of the regression of yi on sqrt(vi) (the model's tau^2 method); < 0 -> the
   missing studies are on the "right", otherwise "left". On the right, yi is negated.
2. sort yi (stable); iterate: fit the k - k0 smallest, centre all yi on that estimate, signed
   ranks of |yi - b| (ties by position), then
     L0 = (4 Sr - k(k + 1)) / (2k - 1), Sr = sum of the positive ranks,
     R0 = k - (largest rank of a negative residual) - 1,
     Q0 = k - 1/2 - sqrt(2k^2 - 4 Sr + 1/4),
   k0 = max(0, round(.)), until k0 repeats (at most maxiter times).
3. fill the k0 most extreme studies mirrored about the last estimate (2b - yi, same vi) and
   refit. metafor fits steps 1-3 with its default control (not the model's); with k0 = 0 the
   result is the model itself (fitted with the model's ``control``).
"""

from __future__ import annotations

import math

import numpy as np

from metapool.errors import ConvergenceError
from metapool.engine.model import fit_random
from metapool.engine.tau2 import DEFAULT, Control

from metapool.living.metareg import fit_metareg

ESTIMATORS = ("L0", "R0", "Q0")


def _rank_first(x: np.ndarray) -> np.ndarray:
    """R's rank(x, ties.method = "first"): 1-based ranks, ties broken by position."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x), dtype=float)
    ranks[order] = np.arange(1, len(x) + 1)
    return ranks


def _k0_estimate(signed: np.ndarray, k: int, estimator: str) -> float:
    """The number of missing studies from the signed ranks (before rounding)."""
    if estimator == "R0":
        neg = -signed[signed < 0]
        return k - (neg.max() if neg.size else 0.0) - 1
    sr = float(signed[signed > 0].sum())
    if estimator == "L0":
        return (4 * sr - k * (k + 1)) / (2 * k - 1)
    return k - 0.5 - math.sqrt(max(0.0, 2 * k**2 - 4 * sr + 0.25))


def _intercept_fit(y, v, tau2_method, ci_method):
    fit = fit_metareg(y, v, np.ones((len(y), 1)), method=tau2_method, test=ci_method,
                      control=DEFAULT)
    return {"est": float(fit["beta"][0]), "se": float(fit["se"][0]), "ci_lb": float(fit["ci_lb"][0]),
            "ci_ub": float(fit["ci_ub"][0]), "pval": float(fit["pval"][0]), "tau2": fit["tau2"]}


def trimfill(yi, vi, tau2_method: str = "REML", ci_method: str = "z", estimator: str = "L0",
             side: str | None = None, maxiter: int = 100, control: Control = DEFAULT) -> dict:
    """k0, side and the filled model's est, se, ci_lb, ci_ub, pval, tau2; filled studies' yi, vi."""
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}")
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    k = len(yi)
    if side is None:
        X = np.column_stack([np.ones(k), np.sqrt(vi)])
        slope = fit_metareg(yi, vi, X, method=tau2_method, control=DEFAULT)["beta"][1]
        side = "right" if slope < 0 else "left"
    elif side not in ("left", "right"):
        raise ValueError("side must be 'left' or 'right'")
    flip = -1.0 if side == "right" else 1.0
    order = np.argsort(flip * yi, kind="stable")
    y, v = flip * yi[order], vi[order]

    k0, k0_prev, it = 0, -1, 0
    while k0 != k0_prev:
        k0_prev = k0
        it += 1
        if it > maxiter:
            raise ConvergenceError("trim-and-fill", f"k0 did not settle in {maxiter} iterations")
        beta = _intercept_fit(y[: k - k0], v[: k - k0], tau2_method, "z")["est"]
        centred = y - beta
        signed = np.sign(centred) * _rank_first(np.abs(centred))
        k0 = max(0, int(round(_k0_estimate(signed, k, estimator))))

    if k0 > 0:
        fill_y = flip * (2 * beta - y[k - k0:])
        fill_v = v[k - k0:]
        fit = _intercept_fit(np.concatenate([yi, fill_y]), np.concatenate([vi, fill_v]), tau2_method, ci_method)
    else:
        fit = fit_random(yi, vi, tau2_method=tau2_method, ci_method=ci_method, control=control)
        fill_y, fill_v = np.empty(0), np.empty(0)
    return {"k0": k0, "side": side, "estimator": estimator, "est": float(fit["est"]), "se": float(fit["se"]),
            "ci_lb": float(fit["ci_lb"]), "ci_ub": float(fit["ci_ub"]), "pval": float(fit["pval"]),
            "tau2": float(fit["tau2"]), "fill_yi": fill_y.tolist(), "fill_vi": fill_v.tolist()}
