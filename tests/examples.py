"""Synthetic trials for visual checks and tests of the figures (not real data).

`synthetic_studies(k, ...)` gives engine input rows (docs/design.md "Engine API": "study", the
four counts or a reported effect `effect_measure, effect, effect_lower, effect_upper,
effect_adjusted`, plus trial metadata) drawn from a seeded generator, with the awkward cases a
living review meets: a trial known only by its reported RR, a zero cell, a double-zero trial,
one without usable data, a very long trial name. `synthetic_rows(measure, ...)` does the same for
every measure (counts, arm means and medians, reported effects). Every result here is the
engine's own (pool_studies, run_living, engine.restrict) on those rows: pooled.json v2 as the
workflow writes it.
"""

from __future__ import annotations

import numpy as np

CLASSES = (("iloprost", "prostacyclin analogue"), ("vasopressin", "vasopressin analogue"),
           ("landiolol", "beta-1 blocker"))
LONG_NAME = ("Vasopressin versus Norepinephrine Infusion in Patients with Septic Shock and "
             "Persistent Hypoperfusion despite Adequate Fluid Resuscitation (pilot, multicentre)")
NO_EFFECT = {"effect_measure": None, "effect": None, "effect_lower": None, "effect_upper": None,
             "effect_adjusted": None}
Z95 = 1.959963984540054


def synthetic_studies(k: int, *, seed: int = 1, subgroups: bool = False, long_name: bool = False,
                      awkward: bool = True) -> list[dict]:
    """`k` trials; with `awkward`, rows 2, 3, 4 and 5 (when present) are a reported-RR-only
    trial (events given, totals not), a zero-cell trial, a double-zero trial and a trial without
    usable data."""
    rng = np.random.default_rng(seed)
    studies = []
    for i in range(k):
        agent, agent_class = CLASSES[i % len(CLASSES)] if subgroups else CLASSES[0]
        n1, n2 = (int(v) for v in rng.integers(20, 400, size=2))
        risk = float(rng.uniform(0.2, 0.5))
        rr = float(np.exp(rng.normal(0.0, 0.25)))
        ai = int(rng.binomial(n1, min(risk * rr, 0.95)))
        ci = int(rng.binomial(n2, risk))
        trial = LONG_NAME if long_name and i == 0 else f"TRIAL-{i + 1:02d}"
        row = {**_meta(i, trial, agent, agent_class),
               "events_trt": ai, "total_trt": n1, "events_ctl": ci, "total_ctl": n2, **NO_EFFECT}
        if awkward and i == 1:
            est = (ai / n1) / (ci / n2)
            se = float(np.sqrt(1 / ai - 1 / n1 + 1 / ci - 1 / n2))
            row.update(total_trt=None, total_ctl=None, effect_measure="RR", effect=round(est, 2),
                       effect_lower=round(est * np.exp(-Z95 * se), 2),
                       effect_upper=round(est * np.exp(Z95 * se), 2), effect_adjusted="no")
        elif awkward and i == 2:
            row.update(events_trt=0, total_trt=25, events_ctl=3, total_ctl=24)
        elif awkward and i == 3:
            row.update(events_trt=0, total_trt=12, events_ctl=0, total_ctl=11)
        elif awkward and i == 4:
            row.update(events_trt=None, total_trt=None, events_ctl=None, total_ctl=None)
        studies.append(row)
    return studies


def _meta(i: int, trial: str, agent: str, agent_class: str, outcome: str = "all-cause mortality") -> dict:
    author = f"Author{chr(65 + i % 26)}{i // 26 or ''}"
    year = 2000 + i % 25
    return {"study": trial, "label": f"{author} {year} ({trial})", "trial": trial,
            "first_author": author, "year": year, "agent": agent, "agent_class": agent_class,
            "comparator": "placebo", "comparator_class": "placebo", "outcome": outcome,
            "timepoint_days": 28, "source": "synthetic"}


def example_result(k: int, *, subgroups: bool = False, long_name: bool = False,
                   awkward: bool = True, seed: int = 1, tau2_method: str = "REML",
                   ci_method: str = "hksj") -> dict:
    """A workflow-style pooled.json dict (engine output + analysis, title) for `k` synthetic trials."""
    from metapool.engine.pool import pool_studies

    studies = synthetic_studies(k, seed=seed, subgroups=subgroups, long_name=long_name,
                                awkward=awkward)
    result = pool_studies(studies, tau2_method=tau2_method, ci_method=ci_method,
                          by="agent_class" if subgroups else None)
    name = f"synthetic-k{k}{'-subgroups' if subgroups else ''}{'-long' if long_name else ''}"
    return {**result, "analysis": name,
            "title": f"All-cause mortality at 28 days: {k} synthetic trial{'s' * (k != 1)}"
                     + (" by agent class" if subgroups else "")}


# Every measure ---------------------------------------------------------------------------------

CENTRE = {"OR": -0.2, "PETO": -0.2, "RD": -0.04, "MD": -3.6, "SMD": -0.25, "ROM": -0.1,
          "HR": -0.15, "RR": -0.1}
OTHER_MEASURE = {"effect_measure": "HR", "effect": 0.82, "effect_lower": 0.61, "effect_upper": 1.1,
                 "effect_adjusted": "no"}


def _reported(m, yi: float, se: float, adjusted: bool) -> dict:
    """A reported effect of measure `m` (people's scale, 95% CI, rounded as a paper prints it)."""
    lo, hi = yi - Z95 * se, yi + Z95 * se
    return {"effect_measure": m.code, "effect": round(m.to_people(yi), 3),
            "effect_lower": round(m.to_people(lo), 3), "effect_upper": round(m.to_people(hi), 3),
            "effect_adjusted": "yes" if adjusted else "no"}


def synthetic_rows(measure: str, k: int = 6, *, seed: int = 3, awkward: bool = True) -> list[dict]:
    """Engine input rows for `measure`: 2x2 counts (RR, OR, RD, PETO), arm means (MD, SMD, ROM) or
    a reported effect (HR) per trial. With `awkward` and k >= 6, binary measures get a trial known
    by its reported (adjusted) effect of the measure (not for PETO: Peto's method needs counts
    from every trial) and one reporting only a hazard ratio (other_measure); continuous measures
    a trial reported by medians and IQRs (converted), one whose treatment arm is skewed (not
    converted) and one with only an adjusted effect (adjusted_excluded: synthetic_result pools
    continuous measures without adjusted effects)."""
    from metapool.measures import registry

    m = registry.get(measure)
    rng = np.random.default_rng(seed)
    spread = {"RD": 0.04, "MD": 4.0, "SMD": 0.2}.get(m.code, 0.25)
    rows = []
    for i in range(k):
        trial = f"TRIAL-{i + 1:02d}"
        agent_class = ("prostacyclin analogue", "vasopressin analogue")[i % 2]
        outcome = "all-cause mortality" if m.kind == "binary" else "ICU length of stay"
        row = {**_meta(i, trial, "iloprost", agent_class, outcome), **NO_EFFECT}
        yi = float(rng.normal(CENTRE[m.code], spread))
        se = float(rng.uniform(0.6, 1.6) * spread)
        n1, n2 = (int(v) for v in rng.integers(30, 300, size=2))
        if m.kind == "binary":
            risk = float(rng.uniform(0.2, 0.45))
            ratio = float(np.exp(rng.normal(CENTRE[m.code] if m.log_scale else -0.15, 0.25)))
            row.update(events_trt=int(round(n1 * min(risk * ratio, 0.95))), total_trt=n1,
                       events_ctl=int(round(n2 * risk)), total_ctl=n2)
        elif m.kind == "continuous":
            mean_c, sd = float(rng.uniform(8, 20)), float(rng.uniform(4, 9))
            shift = yi if m.code == "MD" else yi * sd if m.code == "SMD" else mean_c * (np.exp(yi) - 1)
            row.update(mean_trt=round(mean_c + shift, 1), sd_trt=round(sd, 1), n_trt=n1,
                       mean_ctl=round(mean_c, 1), sd_ctl=round(sd * 1.1, 1), n_ctl=n2)
        else:
            row.update(_reported(m, yi, se, adjusted=i == 0))
        rows.append(row)
    if awkward and k >= 6 and m.kind == "binary":
        if m.code != "PETO":
            r = rows[1]
            a, n_a, c, n_c = r["events_trt"], r["total_trt"], r["events_ctl"], r["total_ctl"]
            from metapool.measures.binary import effect_from_counts

            y, v, _, _ = effect_from_counts(m.code, [a], [n_a], [c], [n_c])
            r.update(total_trt=None, total_ctl=None,
                     **_reported(m, float(y[0]), float(np.sqrt(v[0])), adjusted=True))
        rows[3].update(events_trt=None, total_trt=None, events_ctl=None, total_ctl=None, **OTHER_MEASURE)
    elif awkward and k >= 6 and m.kind == "continuous":
        r = rows[1]  # medians and IQRs in both arms, close to symmetric: converted
        for arm, mean in (("trt", r["mean_trt"]), ("ctl", r["mean_ctl"])):
            r.update({f"mean_{arm}": None, f"sd_{arm}": None, f"median_{arm}": round(mean - 0.4, 1),
                      f"q1_{arm}": round(mean - 6.0, 1), f"q3_{arm}": round(mean + 5.4, 1)})
        rows[3].update(mean_trt=None, sd_trt=None, median_trt=6.0, q1_trt=2.0, q3_trt=30.0)  # skewed
        r = rows[4]
        r.update(mean_trt=None, sd_trt=None, mean_ctl=None, sd_ctl=None,  # arm sizes kept
                 **_reported(m, CENTRE[m.code], spread, adjusted=True))
    return rows


def synthetic_result(measure: str, k: int = 6, *, seed: int = 3, awkward: bool = True,
                     subgroups: bool = False) -> dict:
    """The workflow's pooled.json dict for `measure` (RR, OR, RD, PETO: binary; MD, SMD, ROM:
    continuous; HR: generic) pooled by the engine from synthetic_rows: k studies with, when
    `awkward`, the statuses a measure-aware engine writes (reported, adjusted, medians converted,
    skewed, other measure, adjusted excluded)."""
    from metapool.engine.pool import pool_studies
    from metapool.measures import registry

    m = registry.get(measure)
    rows = synthetic_rows(m.code, k, seed=seed, awkward=awkward)
    result = pool_studies(rows, measure=m.code, by="agent_class" if subgroups else None,
                          include_adjusted=m.kind != "continuous")
    return {**result, "analysis": f"synthetic-{m.code.lower()}-k{k}",
            "title": f"{'All-cause mortality' if m.kind == 'binary' else 'ICU length of stay (days)'}"
                     f" at 28 days: {m.name.lower()}, {k} synthetic trials"}


def synthetic_living(pooled: dict) -> dict:
    """living.json for a (synthetic) pooled result: metapool.living.run_living on its studies
    (the engine's input keys are carried through into each study entry), at its settings."""
    import json

    from metapool.living import run_living

    settings = pooled.get("settings") or {}
    out = run_living(pooled["studies"], tau2_method=settings.get("tau2_method", "REML"),
                     ci_method=settings.get("ci_method", "hksj"), measure=pooled.get("measure") or "RR",
                     include_adjusted=settings.get("include_adjusted", True),
                     include_skewed=settings.get("include_skewed", False))
    return json.loads(json.dumps(out))  # as living.json is read back


ROB_JUDGEMENTS = ("low", "some concerns", "high")


def with_rob(result: dict, *, seed: int = 5, assessed: float = 1.0,
             sensitivity: bool = True) -> dict:
    """`result` with made-up RoB 2 judgements (`rob` per study; a share `assessed` of the
    studies, the others null) and, unless `sensitivity` is False, the `restricted` blocks the
    workflow adds for risk of bias (engine.restrict: low risk only, excluding high risk),
    refitted by the engine at the result's settings."""
    import copy

    from metapool.engine.restrict import restrictions
    from metapool.pipeline.settings import RESTRICTION_RULES

    rng = np.random.default_rng(seed)
    out = copy.deepcopy(result)
    for s in out.get("studies") or []:
        if rng.uniform() >= assessed:
            s["rob"] = None
            continue
        domains = {f"d{j}": ROB_JUDGEMENTS[int(rng.choice(3, p=(0.6, 0.3, 0.1)))]
                   for j in range(1, 6)}
        worst = max(domains.values(), key=ROB_JUDGEMENTS.index)
        s["rob"] = {**domains, "overall": worst, "assessor": "two reviewers (synthetic)"}
    if sensitivity:
        settings = out.get("settings") or {}
        out["restricted"] = restrictions(
            out["studies"], out, [RESTRICTION_RULES[n] for n in ("low_risk_only", "exclude_high_risk")],
            tau2_method=settings.get("tau2_method", "REML"), ci_method=settings.get("ci_method", "hksj"),
            measure=out.get("measure") or "RR", include_adjusted=settings.get("include_adjusted", True),
            include_skewed=settings.get("include_skewed", False))
    return out


def text_boxes(canvas) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(text, (x0, y0, x1, y1) in points, y down) of every non-empty text a canvas draws."""
    from metapool.plotting.canvas import text_box

    return [(t.text, text_box(t)) for t in canvas.texts() if t.text.strip()]


def text_problems(canvas) -> tuple[list[str], list[tuple[str, str]]]:
    """(texts reaching outside the page, pairs of texts that overlap)."""
    boxes = text_boxes(canvas)
    eps = 1e-6
    outside = [t for t, (x0, y0, x1, y1) in boxes
               if x0 < -eps or y0 < -eps or x1 > canvas.width + eps or y1 > canvas.height + eps]
    overlaps = [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:]
                if ba[0] < bb[2] - eps and bb[0] < ba[2] - eps and ba[1] < bb[3] - eps
                and bb[1] < ba[3] - eps]
    return outside, overlaps
