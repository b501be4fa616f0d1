"""Cumulative meta-analysis (Lau et al. 1992 NEJM 327:248), as metafor ``cumul``.

Fit i pools studies 1..i in the order given (the workflow passes publication year, then trial
id), with the model's tau^2 estimator, CI method and control.
"""

from __future__ import annotations

import numpy as np

from metapool.engine.tau2 import DEFAULT, Control

from metapool.living.subsets import as_list, fit_subsets

FIELDS = ("est", "se", "ci_lb", "ci_ub", "pval", "tau2", "I2", "Q")


def cumulative(yi, vi, tau2_method: str = "REML", ci_method: str = "z", control: Control = DEFAULT) -> dict:
    """est, se, ci_lb, ci_ub, pval, tau2, I2, Q after each study (lists of length k) and k."""
    k = len(np.asarray(yi))
    masks = np.tri(k, dtype=bool)  # row i: studies 0..i
    fit = fit_subsets(yi, vi, masks, tau2_method, ci_method, control)
    out = {f: as_list(fit[f]) for f in FIELDS}
    out["k"] = list(range(1, k + 1))
    return out
