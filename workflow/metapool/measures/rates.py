"""Incidence rates: a study's log incidence rate ratio from events and person-time per arm
(metafor ``escalc("IRR")``, add=1/2, to="only0")."""

from __future__ import annotations

import numpy as np


def log_irr(x1, t1, x2, t2, add: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """yi = ln((x1/t1) / (x2/t2)), vi = 1/x1 + 1/x2 (metafor escalc measure "IRR").

    ``add`` goes to both event counts of a study where one of them is 0 (escalc add=1/2,
    to="only0"); a study with no events in either arm is not estimable (yi = vi = NaN, as
    drop00=TRUE for the 2x2 measures). Returns (yi, vi, corrected).
    """
    x1, t1, x2, t2 = (np.asarray(x, dtype=float) for x in (x1, t1, x2, t2))
    double = (x1 == 0) & (x2 == 0)
    corrected = ((x1 == 0) | (x2 == 0)) & ~double
    inc = np.where(corrected, add, 0.0)
    a, c = x1 + inc, x2 + inc
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(a / t1) - np.log(c / t2)
        vi = 1 / a + 1 / c
    return np.where(double, np.nan, yi), np.where(double, np.nan, vi), corrected
