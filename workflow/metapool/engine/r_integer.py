"""R's 32-bit integer arithmetic where metafor multiplies raw counts.

Counts reach R as integer vectors (read.csv, jsonlite). ``rma.mh`` and ``rma.peto`` pool the
uncorrected counts (add[2] = 0, to[2] = "none"), so a product of two counts is an integer product
in R, and one beyond 2^31 - 1 is NA ("NAs produced by integer overflow"): the quantity built on it
is NA in metafor. ``escalc`` adds 1/2 through a subassignment that turns the counts into doubles,
so study-level yi/vi never overflow.
"""

from __future__ import annotations

import numpy as np

INT_MAX = 2**31 - 1


def overflows(x, y) -> bool:
    """Whether R's product x * y of whole-number count vectors is NA for some study."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    whole = np.all(x == np.round(x)) and np.all(y == np.round(y))
    return bool(whole and np.any(np.abs(x * y) > INT_MAX))
