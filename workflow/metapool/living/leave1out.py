"""Leave-one-out meta-analysis, as metafor ``leave1out``: the model refitted without each study."""

from __future__ import annotations

import numpy as np

from metapool.engine.tau2 import DEFAULT, Control

from metapool.living.subsets import as_list, fit_subsets

FIELDS = ("est", "se", "ci_lb", "ci_ub", "pval", "tau2", "I2", "Q", "Qp")


def leave1out_fits(yi, vi, tau2_method: str = "REML", ci_method: str = "z",
                   control: Control = DEFAULT) -> dict[str, np.ndarray]:
    """Raw engine fits, row i without study i (shared with the influence diagnostics)."""
    k = len(np.asarray(yi))
    return fit_subsets(yi, vi, ~np.eye(k, dtype=bool), tau2_method, ci_method, control)


def leave1out(yi, vi, tau2_method: str = "REML", ci_method: str = "z", control: Control = DEFAULT) -> dict:
    """est, se, ci_lb, ci_ub, pval, tau2, I2, Q, Qp without each study in turn (lists of length k)."""
    fit = leave1out_fits(yi, vi, tau2_method, ci_method, control)
    return {f: as_list(fit[f]) for f in FIELDS}
