"""Absolute effects for a GRADE summary-of-findings row (Guyatt et al. 2013 J Clin Epidemiol 66:158;
Cochrane Handbook ch. 14).

Assumed control risk (ACR): the median control-arm risk c/n2 of the included trials with counts,
or a value given. Per 1,000 patients: assumed risk 1000 ACR; corresponding risk from the pooled
effect and each CI limit (Handbook 14.1.5.1): RR: ACR RR; OR: ACR OR / (1 - ACR + ACR OR);
RD: ACR + RD; risk difference = corresponding - assumed. Risks are kept within 0..1,000.
A mean difference is its own absolute effect, in the outcome's units.
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


def corresponding_risk(measure: str, effect: float, acr: float) -> float:
    """Risk in the intervention group for assumed control risk ``acr`` (people's-scale effect)."""
    if measure == "RR":
        risk = acr * effect
    elif measure == "OR":
        risk = acr * effect / (1 - acr + acr * effect)
    elif measure == "RD":
        risk = acr + effect
    else:
        raise ValueError(f"no absolute risk for measure {measure}")
    return min(1.0, max(0.0, risk))


def absolute_effects(rr: float, rr_lb: float, rr_ub: float, acr: float, measure: str = "RR") -> dict:
    """Assumed and corresponding risk per 1,000 and the risk difference per 1,000, with 95% CIs
    (``rr``, ``rr_lb``, ``rr_ub``: the pooled effect of ``measure`` and its CI, people's scale)."""
    assumed = PER * acr

    def corresponding(r: float) -> float:
        return PER * corresponding_risk(measure, r, acr)

    est, lb, ub = corresponding(rr), corresponding(rr_lb), corresponding(rr_ub)
    return {
        "acr": acr, "assumed_per_1000": assumed,
        "corresponding_per_1000": est, "corresponding_ci_lb": lb, "corresponding_ci_ub": ub,
        "rd_per_1000": est - assumed, "rd_ci_lb": lb - assumed, "rd_ci_ub": ub - assumed,
    }
