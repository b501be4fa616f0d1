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
    """One analysis of a workflow pooled.json dict: its declared estimate and 95% interval
    (`conclusion`: `interval` says which), the random-effects CI and PI, k, tau^2, I^2, Q and
    method, and the Bayesian result (people's scale, measure named; None where not estimable)."""
    studies = result.get("studies") or []
    first = studies[0] if studies else {}
    r = result.get("random") or {}
    eff = r.get("natural") or {}
    declared = result.get("conclusion") or {"natural": eff, "source": "random" if r else None}
    dec = declared["natural"] or {}
    settings = result.get("settings") or {}
    days, when = timepoint(studies)
    bayes = result.get("bayes") or {}
    bnat = bayes.get("natural") or {}
    prior = bayes.get("prior")
    return {
        "analysis": result.get("analysis"), "subgroup": result.get("subgroup"), "title": result.get("title"),
        "outcome": first.get("outcome"), "timepoint_days": days, "timepoint": when, "measure": result.get("measure"),
        "k": result.get("k", 0), "k_total": result.get("k_total"),
        "effect": dec.get("est"), "effect_ci_lb": dec.get("ci_lb"), "effect_ci_ub": dec.get("ci_ub"),
        "interval": declared.get("source"), "interval_widened": declared.get("widened"),
        "re_effect": eff.get("est"), "re_ci_lb": eff.get("ci_lb"), "re_ci_ub": eff.get("ci_ub"),
        # the prediction interval that goes with the declared interval: Bayesian with the credible interval
        "effect_pi_lb": bnat.get("pred_lb") if declared.get("source") == "bayes" else eff.get("pi_lb"),
        "effect_pi_ub": bnat.get("pred_ub") if declared.get("source") == "bayes" else eff.get("pi_ub"),
        "pval": r.get("pval"),
        "tau2": r.get("tau2"), "I2": r.get("I2"), "Q": r.get("Q"), "Qp": r.get("Qp"),
        "tau2_method": settings.get("tau2_method"), "ci_method": settings.get("ci_method"),
        "bayes_prior": f"{prior['family']}({prior['scale']:g})" if prior else None,
        "bayes_median": bnat.get("mu_median"), "bayes_cri_lb": bnat.get("mu_lb"), "bayes_cri_ub": bnat.get("mu_ub"),
        "bayes_pred_lb": bnat.get("pred_lb"), "bayes_pred_ub": bnat.get("pred_ub"),
        "bayes_tau_median": bayes.get("tau_median"), "bayes_p_below_null": bayes.get("p_mu_below_0"),
        "studies": "; ".join(s["study"] for s in studies if s.get("weight_random") is not None),
    }
