"""Subgroup analysis: a separate model per subgroup and the test for subgroup differences."""

from __future__ import annotations

import numpy as np
from scipy.special import chdtrc


def subgroup_difference(est: list[float], se: list[float]) -> dict | None:
    """Q_between = sum (mu_g - mu_FE)^2 / se_g^2 with mu_FE the inverse-variance mean of the subgroup
    estimates; chi^2 on G - 1 df (Borenstein et al. 2009, ch. 19; RevMan, metafor). None if G < 2."""
    if len(est) < 2:
        return None
    mu = np.asarray(est, dtype=float)
    w = 1 / np.asarray(se, dtype=float) ** 2
    centre = np.sum(w * mu) / np.sum(w)
    q = float(np.sum(w * (mu - centre) ** 2))
    df = len(est) - 1
    return {"Q_between": q, "df": df, "p": float(chdtrc(df, q))}
