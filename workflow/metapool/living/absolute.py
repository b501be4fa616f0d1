"""Absolute effects for a GRADE summary-of-findings row (Guyatt et al. 2013 J Clin Epidemiol 66:158;
Cochrane Handbook ch. 14).

Assumed control risk (ACR): the median control-arm risk c/n2 of the included trials with counts,
or a value given. Per 1,000 patients: assumed risk 1000 ACR; corresponding risk 1000 ACR RR with
its CI from the pooled RR's CI; risk difference = corresponding - assumed. Risks are capped at 1,000.
"""

from __future__ import annotations

import numpy as np

PER = 1000


def median_control_risk(events_ctl, total_ctl) -> float | None:
    """Median of c/n2 over the trials given (None when there are none)."""
    e = np.asarray(events_ctl, dtype=float)
    n = np.asarray(total_ctl, dtype=float)
    if e.size == 0:
        return None
    return float(np.median(e / n))


def absolute_effects(rr: float, rr_lb: float, rr_ub: float, acr: float) -> dict:
    """Assumed and corresponding risk per 1,000 and the risk difference per 1,000, with 95% CIs."""
    assumed = PER * acr

    def corresponding(r: float) -> float:
        return min(float(PER), assumed * r)

    est, lb, ub = corresponding(rr), corresponding(rr_lb), corresponding(rr_ub)
    return {
        "acr": acr, "assumed_per_1000": assumed,
        "corresponding_per_1000": est, "corresponding_ci_lb": lb, "corresponding_ci_ub": ub,
        "rd_per_1000": est - assumed, "rd_ci_lb": lb - assumed, "rd_ci_ub": ub - assumed,
    }
