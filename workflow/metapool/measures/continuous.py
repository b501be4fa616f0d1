"""Study-level effects from arm means, SDs and sizes: MD, SMD (Hedges' g) and log ROM with their
variances (metafor ``escalc``, default vtype "LS")."""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from metapool.measures import registry


def hedges_correction(m) -> np.ndarray:
    """Exact small-sample factor J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)) (Hedges 1981),
    on the log scale so it stays finite for large m; NaN for m <= 1 (metafor ``.cmicalc``)."""
    m = np.asarray(m, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        j = np.exp(gammaln(m / 2) - np.log(np.sqrt(m / 2)) - gammaln((m - 1) / 2))
    return np.where(m > 1, j, np.nan)


def _md(m1, sd1, n1, m2, sd2, n2):
    """yi = m1 - m2, vi = sd1^2/n1 + sd2^2/n2."""
    return m1 - m2, sd1**2 / n1 + sd2**2 / n2


def _smd(m1, sd1, n1, m2, sd2, n2):
    """Hedges' g = J(n1+n2-2) (m1 - m2) / s_pooled, vi = 1/n1 + 1/n2 + g^2 / (2 (n1+n2)) (escalc "SMD")."""
    df = n1 + n2 - 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_pooled = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / df)
        yi = hedges_correction(df) * (m1 - m2) / sd_pooled
    return yi, 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))


def _rom(m1, sd1, n1, m2, sd2, n2):
    """yi = ln(m1/m2), vi = sd1^2/(n1 m1^2) + sd2^2/(n2 m2^2) (escalc "ROM"); NaN unless m1/m2 > 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = m1 / m2
        yi = np.log(np.where(ratio > 0, ratio, np.nan))
        vi = sd1**2 / (n1 * m1**2) + sd2**2 / (n2 * m2**2)
    return yi, np.where(np.isfinite(yi), vi, np.nan)


_FORMS = {"MD": _md, "SMD": _smd, "ROM": _rom}


def effect_from_means(measure: str, m1, sd1, n1, m2, sd2, n2) -> tuple[np.ndarray, np.ndarray]:
    """yi, vi of a continuous measure (MD, SMD, ROM) from arm means, SDs and sizes, as metafor ``escalc``.

    Arm 1 is the treatment arm: yi > 0 when its mean is the larger. ValueError for a negative SD
    or an arm size below 1 (escalc stops there too).
    """
    m = registry.get(measure)
    if m.kind != "continuous":
        raise ValueError(f"{m.code} is not a measure of means; choose one of MD, SMD, ROM")
    m1, sd1, n1, m2, sd2, n2 = (np.asarray(x, dtype=float) for x in (m1, sd1, n1, m2, sd2, n2))
    if np.any(sd1 < 0) or np.any(sd2 < 0):
        raise ValueError("a standard deviation is negative")
    if np.any(n1 < 1) or np.any(n2 < 1):
        raise ValueError("an arm has fewer than 1 participant")
    return _FORMS[m.code](m1, sd1, n1, m2, sd2, n2)
