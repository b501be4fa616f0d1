"""Leave-one-out meta-analysis, as metafor ``leave1out``: the model refitted without each study."""

from __future__ import annotations

import numpy as np

from metapool.engine.tau2 import DEFAULT, Control

from metapool.living.subsets import as_list, fit_subsets

FIELDS = ("est", "se", "ci_lb", "ci_ub", "pval", "tau2", "I2", "Q", "Qp")


def deletion_fits(yi, vi, tau2_method: str = "REML", ci_method: str = "z",
                  control: Control = DEFAULT) -> dict[str, np.ndarray]:
    """Raw engine fits in one batch: row 0 all k studies, row i + 1 without study i (shared with
    the influence diagnostics)."""
    k = len(np.asarray(yi))
    masks = np.vstack([np.ones((1, k), dtype=bool), ~np.eye(k, dtype=bool)])
    return fit_subsets(yi, vi, masks, tau2_method, ci_method, control)


def leave1out(yi, vi, tau2_method: str = "REML", ci_method: str = "z", control: Control = DEFAULT,
              fits: dict | None = None) -> dict:
    """est, se, ci_lb, ci_ub, pval, tau2, I2, Q, Qp without each study in turn (lists of length k);
    ``fits``: their ``deletion_fits`` when already computed."""
    fits = deletion_fits(yi, vi, tau2_method, ci_method, control) if fits is None else fits
    return {f: as_list(fits[f][1:]) for f in FIELDS}
