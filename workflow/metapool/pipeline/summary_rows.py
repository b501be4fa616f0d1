"""One summary row per analysis, or per subgroup of an analysis kept apart by subgroup
(results/summary.tsv and the summary forest plot)."""

from __future__ import annotations

from metapool.engine.subgroups import pooled_across, subgroup_parts


def summary_rows(result: dict) -> list[dict]:
    """The summary rows of a workflow pooled.json dict: one (its total), or one per subgroup when
    the analysis keeps its subgroups apart (pool_subgroups false; `subgroup` names it) and has trials
    (else the analysis' one row, with nothing pooled)."""
    if pooled_across(result):
        return [summary_row(result)]
    parts = [part for part in subgroup_parts(result) if part["k"]]  # an empty subgroup takes no row
    return [summary_row(part) for part in parts] or [summary_row(result)]


def summary_row(result: dict) -> dict:
    """The pooled random-effects effect of a workflow pooled.json dict with its CI, PI, k, tau^2, I^2,
    Q and method (people's scale, measure named; None where not estimable)."""
    studies = result.get("studies") or []
    first = studies[0] if studies else {}
    r = result.get("random") or {}
    eff = r.get("natural") or {}
    settings = result.get("settings") or {}
    return {
        "analysis": result.get("analysis"), "subgroup": result.get("subgroup"), "title": result.get("title"), "outcome": first.get("outcome"),
        "timepoint_days": first.get("timepoint_days"), "measure": result.get("measure"),
        "k": result.get("k", 0), "k_total": result.get("k_total"),
        "effect": eff.get("est"), "effect_ci_lb": eff.get("ci_lb"), "effect_ci_ub": eff.get("ci_ub"),
        "effect_pi_lb": eff.get("pi_lb"), "effect_pi_ub": eff.get("pi_ub"), "pval": r.get("pval"),
        "tau2": r.get("tau2"), "I2": r.get("I2"), "Q": r.get("Q"), "Qp": r.get("Qp"),
        "tau2_method": settings.get("tau2_method"), "ci_method": settings.get("ci_method"),
        "studies": "; ".join(s["study"] for s in studies if s.get("weight_random") is not None),
    }
