"""Random-effects fits of many subsets of one meta-analysis in a single engine batch."""

from __future__ import annotations

import numpy as np

from metapool.engine.model import pool_many
from metapool.engine.tau2 import DEFAULT, Control


def fit_subsets(yi, vi, masks: np.ndarray, tau2_method: str = "REML", ci_method: str = "z",
                control: Control = DEFAULT) -> dict[str, np.ndarray]:
    """One random-effects fit per row of the boolean ``masks`` (m, k), by ``metapool.model.pool_many``.

    A one-study subset gets tau2 = 0, I2 = 0, H2 = 1 and Q = 0, as metafor reports for k = 1.
    A subset whose tau^2 iteration fails is NaN throughout (metafor's cumul and leave1out: NA).
    No Q-profile CI of tau^2 (no refit reports one).
    """
    masks = np.atleast_2d(np.asarray(masks, dtype=bool))
    m = masks.shape[0]
    y = np.broadcast_to(np.asarray(yi, dtype=float), masks.shape)
    v = np.broadcast_to(np.asarray(vi, dtype=float), masks.shape)
    fit = pool_many(y, v, tau2_method=tau2_method, ci_method=ci_method, mask=masks, control=control,
                    strict=False, tau2_ci=False)
    one = masks.sum(axis=1) == 1
    failed = ~one & np.isnan(fit["tau2"])
    for key, value in fit.items():
        if key != "k" and np.ndim(value) == 1:
            fit[key] = np.where(failed, np.nan, value)
    for key, value in (("tau2", 0.0), ("I2", 0.0), ("H2", 1.0), ("Q", 0.0)):
        fit[key] = np.where(one, value, np.broadcast_to(fit[key], (m,)))
    return fit


def as_list(values) -> list:
    """A fit's per-subset values as a list, NaN (a failed refit) as None, as metafor's NA."""
    return [None if np.isnan(x) else x for x in np.asarray(values, dtype=float).tolist()]
