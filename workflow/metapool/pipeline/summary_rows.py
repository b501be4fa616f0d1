"""One summary row per analysis (results/summary.tsv and the summary forest plot)."""

from __future__ import annotations


def timepoint(studies: list[dict]) -> tuple[float | None, str | None]:
    """(the one time point in days of the trials that enter the analysis, or None; and in words:
    'day 28', 'days 28-90', 'days 28-90 or unstated', 'time point unstated'), from the studies with a
    random-effects weight (all the studies when none has one)."""
    entering = [s for s in studies if s.get("weight_random") is not None] or studies
    if not entering:
        return None, None
    days = sorted({s["timepoint_days"] for s in entering if s.get("timepoint_days") is not None})
    unstated = any(s.get("timepoint_days") is None for s in entering)
    if not days:
        return None, "time point unstated"
    text = f"day {days[0]:g}" if len(days) == 1 else f"days {days[0]:g}-{days[-1]:g}"
    return (days[0] if len(days) == 1 and not unstated else None,
            text + (" or unstated" if unstated else ""))


def summary_row(result: dict) -> dict:
    """The pooled random-effects effect of a workflow pooled.json dict with its CI, PI, k, tau^2, I^2,
    Q and method (people's scale, measure named; None where not estimable)."""
    studies = result.get("studies") or []
    first = studies[0] if studies else {}
    r = result.get("random") or {}
    eff = r.get("natural") or {}
    settings = result.get("settings") or {}
    days, when = timepoint(studies)
    return {
        "analysis": result.get("analysis"), "title": result.get("title"), "outcome": first.get("outcome"),
        "timepoint_days": days, "timepoint": when, "measure": result.get("measure"),
        "k": result.get("k", 0), "k_total": result.get("k_total"),
        "effect": eff.get("est"), "effect_ci_lb": eff.get("ci_lb"), "effect_ci_ub": eff.get("ci_ub"),
        "effect_pi_lb": eff.get("pi_lb"), "effect_pi_ub": eff.get("pi_ub"), "pval": r.get("pval"),
        "tau2": r.get("tau2"), "I2": r.get("I2"), "Q": r.get("Q"), "Qp": r.get("Qp"),
        "tau2_method": settings.get("tau2_method"), "ci_method": settings.get("ci_method"),
        "studies": "; ".join(s["study"] for s in studies if s.get("weight_random") is not None),
    }
