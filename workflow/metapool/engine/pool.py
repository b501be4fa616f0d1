"""From a list of studies to the pooled-result dictionary (the JSON contract in docs/design.md):
any effect measure (metafor rma.uni, rma.mh, rma.peto conventions)."""

from __future__ import annotations

import math

import numpy as np

from metapool.engine import model
from metapool.engine.bayes import Prior, bayes_random
from metapool.engine.mantel_haenszel import mantel_haenszel
from metapool.engine.peto import peto
from metapool.engine.study_effects import StudyEffects, reason, study_effects
from metapool.engine.subgroups import subgroup_difference
from metapool.engine.tau2 import DEFAULT, METHODS, Control
from metapool.measures.datakinds import COUNTS
from metapool.measures import registry
from metapool.measures.binary import Z975

NOTED = ("not_estimable", "no_data", "skewed", "other_measure", "adjusted_excluded")


def clean(x):
    """JSON-safe value: NaN/inf -> None, numpy scalars -> Python, floats to 12 significant digits."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return [clean(v) for v in x.tolist()]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return None if not math.isfinite(x) else float(f"{x:.12g}")
    return x


def natural_block(measure: registry.Measure, block: dict, with_pi: bool = False) -> dict:
    """est, ci_lb, ci_ub (and pi_lb, pi_ub) of an analysis-scale block on the people's scale."""
    keys = ("est", "ci_lb", "ci_ub") + (("pi_lb", "pi_ub") if with_pi else ())
    return {k: measure.to_people(block.get(k)) for k in keys}


def _fixed(measure, yi, vi) -> tuple[dict, np.ndarray]:
    """Inverse-variance fixed-effect block and its percent weights."""
    out = model.fit_fixed(yi, vi)
    weights = out.pop("weights")
    out["natural"] = natural_block(measure, out)
    return out, weights


def _random(measure, yi, vi, tau2_method, ci_method, control: Control = DEFAULT) -> tuple[dict, np.ndarray]:
    """Random-effects block and its percent weights (they do not depend on the CI method)."""
    out = model.fit_random(yi, vi, tau2_method, ci_method, control=control)
    weights = out.pop("weights")
    out["natural"] = natural_block(measure, out, with_pi=True)
    return out, weights


def _count_method(measure, method: str, studies: list[dict], effects: StudyEffects, notes: list[str]) -> dict | None:
    """Mantel-Haenszel (RR, OR, RD; metafor rma.mh) or Peto (rma.peto) over every study with counts,
    including not-estimable ones; None (with a note) where some study has no counts."""
    if method not in measure.fixed:
        return None
    name = "Mantel-Haenszel" if method == "mh" else "Peto's method"
    status = effects.status
    if not any(s in ("counts", "counts_corrected") for s in status):
        return None
    if any(s in ("reported", "means", "medians") for s in status):
        notes.append(f"{name} not computed: some studies enter by a reported effect only, "
                     "and it needs 2x2 counts from every study.")
        return None
    rows = [s for s, st in zip(studies, status) if st in ("counts", "counts_corrected", "not_estimable")]
    cols = ([s[k] for s in rows] for k in COUNTS)
    out = mantel_haenszel(*cols, measure=measure.code) if method == "mh" else peto(*cols)
    if out is None:
        notes.append(f"{name} not computed: one arm has no events in any study, so the pooled "
                     f"{measure.name.lower()} is not defined.")
        return None
    out["natural"] = natural_block(measure, out)
    return out


def _study_entry(measure, study: dict, j: int, effects: StudyEffects, w_fixed, w_random, by) -> dict:
    """One study's entry: its input as given, its effect on both scales, weights and status."""
    e = {"study": study.get("study"), **dict.fromkeys(COUNTS), **study}
    pooled = effects.pooled[j]
    y, v = effects.yi[j], effects.vi[j]
    se = math.sqrt(v) if pooled else None
    e.update({
        "yi": y, "vi": v, "se": se,
        "ci_lb": y - Z975 * se if se is not None else None,
        "ci_ub": y + Z975 * se if se is not None else None,
        "weight_fixed": w_fixed[j], "weight_random": w_random[j], "status": effects.status[j],
        "reported": effects.reported[j], "converted": effects.converted[j],
        "reason": reason(study, effects.status[j], measure.code),
    })
    e["natural"] = natural_block(measure, {**e, "est": y}) if pooled else {"est": None, "ci_lb": None, "ci_ub": None}
    if by is not None:
        e["group"] = group_label(study.get(by))
    return e


def _notes(studies, effects: StudyEffects, k: int, measure: str, pooled_across: bool = True) -> list[str]:
    """The result's notes: how many studies are pooled (when pooled across subgroups), and each
    study that does not enter with its reason (study_effects.reason)."""
    notes = []
    if pooled_across and k == 0:
        notes.append("No study with usable data: nothing to pool.")
    elif pooled_across and k == 1:
        notes.append("Only one study: no heterogeneity is estimable; the pooled estimate is the study itself.")
    elif pooled_across and k == 2:
        notes.append("Two studies: no frequentist prediction interval (it needs k >= 3).")
    for s, st in zip(studies, effects.status):
        if st in NOTED:
            notes.append(f"{s['study']}: not pooled ({reason(s, st, measure)}).")
    return notes


def not_pooled_note(by: str) -> str:
    """Why a result has no total: the analysis plan keeps its subgroups apart."""
    return (f"Not pooled across subgroups (by {by.replace('_', ' ')}): the analysis plan keeps them apart, so "
            "each subgroup has its own estimate and weights (percent of the subgroup), and there is no total.")


def _methods(tau2_method: str, ci_method: str) -> tuple[str, str]:
    """The tau^2 estimator and CI method, normalised; ValueError for an unknown one."""
    tau2_method, ci_method = tau2_method.upper(), ci_method.lower()
    if tau2_method not in METHODS:
        raise ValueError(f"unknown tau^2 estimator {tau2_method!r}; choose one of {', '.join(METHODS)}")
    if ci_method not in model.CI_METHODS:
        raise ValueError(f"unknown CI method {ci_method!r}; choose one of {', '.join(model.CI_METHODS)}")
    return tau2_method, ci_method


def pool_random(studies: list[dict], tau2_method: str = "REML", ci_method: str = "hksj",
                control: Control = DEFAULT, measure: str = registry.DEFAULT, include_adjusted: bool = True,
                include_skewed: bool = False, validated: bool = False) -> dict | None:
    """``pool_studies(studies, ...)["random"]`` alone, without the fixed-effect, Mantel-Haenszel,
    Peto and per-study blocks (for refits that report only it); None when nothing is pooled."""
    tau2_method, ci_method = _methods(tau2_method, ci_method)
    m = registry.get(measure)
    effects = study_effects(studies, m.code, include_adjusted, include_skewed, validated)
    pooled = effects.pooled
    if not pooled.any():
        return None
    return clean(_random(m, effects.yi[pooled], effects.vi[pooled], tau2_method, ci_method, control)[0])


def bayes_block(measure: registry.Measure, yi, vi, prior: Prior) -> dict:
    """engine.bayes.bayes_random on the analysis scale, with ``natural`` (median, credible and
    predictive limits on the people's scale)."""
    out = bayes_random(yi, vi, prior)
    out["natural"] = {k: measure.to_people(out[k]) for k in ("mu_median", "mu_lb", "mu_ub", "pred_lb", "pred_ub")}
    return out


def pool_studies(studies: list[dict], tau2_method: str = "REML", ci_method: str = "hksj",
                 by: str | None = None, control: Control = DEFAULT, measure: str = registry.DEFAULT,
                 include_adjusted: bool = True, include_skewed: bool = False,
                 bayes: Prior | None = None, pool_subgroups: bool = True, validated: bool = False) -> dict:
    """Pool ``studies`` for ``measure``; see docs/design.md for the returned structure. ``bayes``:
    also the Bayesian random-effects block (engine.bayes) under this prior on tau. ``validated``:
    the numbers were checked when read (engine.study_effects.study_effects).

    pool_subgroups=False (with ``by``): the subgroups are kept apart: no total (fixed_iv, fixed_mh,
    fixed_peto and random are None), and each study's weights are percent of its subgroup."""
    tau2_method, ci_method = _methods(tau2_method, ci_method)
    m = registry.get(measure)
    effects = study_effects(studies, m.code, include_adjusted, include_skewed, validated)
    yi, vi, pooled = effects.yi, effects.vi, effects.pooled
    k = int(pooled.sum())
    across = pool_subgroups or by is None
    notes = ([] if across else [not_pooled_note(by)]) + _notes(studies, effects, k, m.code, across)
    fixed = random = mh = pt = None
    w_fixed = np.full(len(studies), np.nan)
    w_random = np.full(len(studies), np.nan)
    subgroups = _subgroups(m, studies, yi, vi, by, tau2_method, ci_method, control) if by else None
    if not across:
        w_fixed, w_random = _within_weights(m, studies, yi, vi, by, tau2_method, ci_method, control)
    elif k:
        fixed, w_fixed[pooled] = _fixed(m, yi[pooled], vi[pooled])
        random, w_random[pooled] = _random(m, yi[pooled], vi[pooled], tau2_method, ci_method, control)
        mh = _count_method(m, "mh", studies, effects, notes)
        pt = _count_method(m, "peto", studies, effects, notes)
    result = {
        "measure": m.code, "measure_name": m.name, "log_scale": m.log_scale,
        "k": k, "k_total": len(studies), "pool_subgroups": across,
        "settings": {"tau2_method": tau2_method, "ci_method": ci_method, "level": 95,
                     "control": control.settings(), "include_adjusted": include_adjusted,
                     "include_skewed": include_skewed},
        "studies": [_study_entry(m, s, j, effects, w_fixed, w_random, by) for j, s in enumerate(studies)],
        "fixed_iv": fixed, "fixed_mh": mh, "fixed_peto": pt, "random": random,
        "subgroups": subgroups,
        "notes": notes,
    }
    if bayes is not None:
        result["bayes"] = bayes_block(m, yi[pooled], vi[pooled], bayes) if k and across else None
    return clean(result)


def group_label(value) -> str:
    """A study's subgroup as the result names it: its value of the `by` column, '(not given)' when blank."""
    return "(not given)" if value is None or str(value).strip() == "" else str(value)


def _within_weights(measure, studies, yi, vi, by, tau2_method, ci_method, control: Control):
    """Per study, its percent weight within its own subgroup (fixed IV, random effects)."""
    labels = [group_label(s.get(by)) for s in studies]
    w_fixed, w_random = np.full(len(studies), np.nan), np.full(len(studies), np.nan)
    for g in dict.fromkeys(labels):
        sel = np.array([lab == g for lab in labels]) & np.isfinite(yi)
        if sel.any():
            w_fixed[sel] = _fixed(measure, yi[sel], vi[sel])[1]
            w_random[sel] = _random(measure, yi[sel], vi[sel], tau2_method, ci_method, control)[1]
    return w_fixed, w_random


def _subgroups(measure, studies, yi, vi, by, tau2_method, ci_method, control: Control) -> dict:
    labels = [group_label(s.get(by)) for s in studies]
    order = list(dict.fromkeys(labels))
    groups, est, se = [], [], []
    for g in order:
        sel = np.array([lab == g for lab in labels]) & np.isfinite(yi)
        kg = int(sel.sum())
        entry = {"group": g, "k": kg, "fixed_iv": None, "random": None}
        if kg:
            entry["fixed_iv"] = _fixed(measure, yi[sel], vi[sel])[0]
            entry["random"] = _random(measure, yi[sel], vi[sel], tau2_method, ci_method, control)[0]
            est.append(entry["random"]["est"])
            se.append(entry["random"]["se_wald"])
        groups.append(entry)
    return {"by": by, "groups": groups, "test": subgroup_difference(est, se)}
