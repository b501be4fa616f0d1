"""Plausibility bounds, stated once: every reader and the config check use these constants.

A value outside them is almost always a typo or a unit slip (an RD in percentage points, 2800
days for 28), and the job would pool it silently; so the reader rejects it with its location.
"""

from __future__ import annotations

import math

# A risk difference is a difference of two proportions: within [-1, 1]. An RD given in
# percentage points (3.6 for 0.036) is outside, except below 1 point, which no bound can tell.
RD_RANGE = (-1.0, 1.0)

# Time points (timepoint_days in the trial tables, min_days/max_days of a `timepoint:` window):
# 5 years = 1826 days (5 x 365.25). The trials in septic shock report 28-, 60-, 90-day, 6- and
# 12-month outcomes; the longest follow-up of a critical-care mortality trial we know of is
# about 4 years (CRASH-3 and similar report up to 1 year), so 5 years leaves room for long-term
# follow-up while catching a slipped digit (2800 for 28, 9000 for 90).
MAX_TIMEPOINT_DAYS = 1826


def finite(x) -> bool:
    """A real, finite number (not bool, NaN or infinity)."""
    return not isinstance(x, bool) and isinstance(x, (int, float)) and math.isfinite(x)


def timepoint_problem(days) -> str | None:
    """Why ``days`` is not a plausible time point, or None."""
    if days is not None and days > MAX_TIMEPOINT_DAYS:
        return (f"{days} days is beyond the plausible maximum of {MAX_TIMEPOINT_DAYS} days (5 years; "
                "metapool.bounds); a typo such as 2800 for 28?")
    return None


def rd_problem(value) -> str | None:
    """Why ``value`` is not a plausible risk difference, or None."""
    low, high = RD_RANGE
    if value is not None and not low <= value <= high:
        return (f"{value:g} is outside [-1, 1]; a risk difference is a difference of proportions "
                f"(write 0.036, not 3.6 percentage points)")
    return None


def nonfinite_keys(obj, path: str = "") -> list[str]:
    """The dotted keys of every NaN or infinite number in a nested config (YAML's .nan, .inf)."""
    if isinstance(obj, dict):
        return [k for key, value in obj.items() for k in nonfinite_keys(value, f"{path}.{key}" if path else str(key))]
    if isinstance(obj, list):
        return [k for i, value in enumerate(obj) for k in nonfinite_keys(value, f"{path}[{i}]")]
    if isinstance(obj, float) and not math.isfinite(obj):
        return [path]
    return []
