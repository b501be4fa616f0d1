"""Generic inverse variance: a study's (yi, vi) from a reported estimate and its 95% CI."""

from __future__ import annotations

import numpy as np

from metapool.measures import registry
from metapool.measures.binary import Z975, log_rr_from_ci


def effect_from_ci(measure: str, est, lower, upper) -> tuple[np.ndarray, np.ndarray]:
    """yi, vi from an estimate and 95% CI on the scale people read (Cochrane Handbook 6.3.1).

    Ratio measures (registry ``log_scale``: RR, OR, PETO, ROM, HR) on the log scale:
    yi = ln est, se = (ln U - ln L) / (2 x 1.959964), the arithmetic of :func:`log_rr_from_ci`.
    Additive measures (RD, MD, SMD) on the raw scale: yi = est, se = (U - L) / (2 x 1.959964).
    ValueError for a lower limit above the upper one, or a ratio that is not positive.
    """
    m = registry.get(measure)
    est, lower, upper = (np.asarray(x, dtype=float) for x in (est, lower, upper))
    if np.any(lower > upper):
        raise ValueError("a lower confidence limit is above its upper limit")
    if m.log_scale:
        if np.any(est <= 0) or np.any(lower <= 0):
            raise ValueError(f"a {m.code} and its limits must be positive")
        return log_rr_from_ci(est, lower, upper)
    se = (upper - lower) / (2 * Z975)
    return est, se**2
