"""Synthetic trials for visual checks and tests of the figures (not real data).

`synthetic_studies(k, ...)` gives engine input rows (docs/design.md: "study", the four
counts or rr / rr_lower / rr_upper, plus trial metadata) drawn from a seeded generator, with
the awkward cases a living review meets: a trial known only by its reported RR, a zero cell,
a double-zero trial, one without usable data, a very long trial name.
"""

from __future__ import annotations

import numpy as np

CLASSES = (("iloprost", "prostacyclin analogue"), ("vasopressin", "vasopressin analogue"),
           ("landiolol", "beta-1 blocker"))
LONG_NAME = ("Vasopressin versus Norepinephrine Infusion in Patients with Septic Shock and "
             "Persistent Hypoperfusion despite Adequate Fluid Resuscitation (pilot, multicentre)")


def synthetic_studies(k: int, *, seed: int = 1, subgroups: bool = False, long_name: bool = False,
                      awkward: bool = True) -> list[dict]:
    """`k` trials; with `awkward`, rows 2, 3, 4 and 5 (when present) are a reported-RR-only
    trial, a zero-cell trial, a double-zero trial and a trial without usable data."""
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
        author = f"Author{chr(65 + i % 26)}{i // 26 or ''}"
        year = 2000 + i % 25
        row = {"study": trial, "label": f"{author} {year} ({trial})", "trial": trial,
               "first_author": author, "year": year, "agent": agent, "agent_class": agent_class,
               "comparator": "placebo", "comparator_class": "placebo",
               "outcome": "all-cause mortality", "timepoint_days": 28, "source": "synthetic",
               "events_trt": ai, "total_trt": n1, "events_ctl": ci, "total_ctl": n2,
               "rr": None, "rr_lower": None, "rr_upper": None}
        if awkward and i == 1:
            est = (ai / n1) / (ci / n2)
            se = float(np.sqrt(1 / ai - 1 / n1 + 1 / ci - 1 / n2))
            row.update(total_trt=None, total_ctl=None, rr=round(est, 2),
                       rr_lower=round(est * np.exp(-1.96 * se), 2),
                       rr_upper=round(est * np.exp(1.96 * se), 2))
        elif awkward and i == 2:
            row.update(events_trt=0, total_trt=25, events_ctl=3, total_ctl=24)
        elif awkward and i == 3:
            row.update(events_trt=0, total_trt=12, events_ctl=0, total_ctl=11)
        elif awkward and i == 4:
            row.update(events_trt=None, total_trt=None, events_ctl=None, total_ctl=None)
        studies.append(row)
    return studies


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


# pooled.json v2 (docs/design.md: measure-aware) ---------------------------------------------

BLOCKS = ("fixed_iv", "fixed_mh", "fixed_peto", "random")


def _v2_block(block: dict | None) -> dict | None:
    """A v1 block with its `rr` people's-scale block renamed `effect`."""
    if block is None:
        return None
    out = {key: value for key, value in block.items() if key != "rr"}
    if "rr" in block:
        out["effect"] = block["rr"]
    return out


def to_v2(result: dict) -> dict:
    """Today's RR result in the v2 shape the engine will write: top-level `measure` (and its
    name and scale), per study and per block an `effect` block instead of `rr`, reported RRs
    as status `reported` with a `reported` block, `fixed_peto` null."""
    import copy

    out = copy.deepcopy(result)
    out.update(measure="RR", measure_name="Risk ratio", log_scale=True, fixed_peto=None)
    for key in BLOCKS:
        if key in out:
            out[key] = _v2_block(out[key])
    for group in (out.get("subgroups") or {}).get("groups") or []:
        for key in BLOCKS:
            if key in group:
                group[key] = _v2_block(group[key])
    studies = []
    for s in out.get("studies") or []:
        s = _v2_block(s)
        reported = s.pop("reported_rr", None)
        if s.get("status") == "reported_rr":
            s["status"] = "reported"
            s["reported"] = {"measure": "RR", **(reported or s["effect"]), "adjusted": False}
        else:
            s["reported"] = None
        s.setdefault("converted", None)
        studies.append(s)
    out["studies"] = studies
    return out


def _effect(m, est, lo, hi, **extra) -> dict:
    return {"est": m.to_people(est), "ci_lb": m.to_people(lo), "ci_ub": m.to_people(hi),
            **{k: m.to_people(v) for k, v in extra.items()}}


def _fit_blocks(yi, vi, m, tau2_method="REML", ci_method="hksj"):
    """(fixed_iv, random, fixed weights, random weights) on made-up yi / vi, v2 shape."""
    import numpy as np
    from metapool.engine.model import fit_fixed, fit_random

    yi, vi = np.asarray(yi, float), np.asarray(vi, float)
    fixed = {k: v for k, v in fit_fixed(yi, vi).items() if k != "weights"}
    random = fit_random(yi, vi, tau2_method=tau2_method, ci_method=ci_method)
    wf, wr = list(fit_fixed(yi, vi)["weights"]), list(random.pop("weights"))
    fixed["effect"] = _effect(m, fixed["est"], fixed["ci_lb"], fixed["ci_ub"])
    random["effect"] = _effect(m, random["est"], random["ci_lb"], random["ci_ub"],
                               pi_lb=random.get("pi_lb"), pi_ub=random.get("pi_ub"))
    if random.get("pi_lb") is None:
        random["effect"].update(pi_lb=None, pi_ub=None)
    return _plain(fixed), _plain(random), wf, wr


def _plain(value):
    """numpy scalars to floats, NaN to None (the JSON contract)."""
    import json
    import math

    def fix(v):
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [fix(x) for x in v]
        if hasattr(v, "item"):
            v = v.item()
        return None if isinstance(v, float) and math.isnan(v) else v

    return json.loads(json.dumps(fix(value)))


def synthetic_result(measure: str, k: int = 6, *, seed: int = 3, awkward: bool = True,
                     subgroups: bool = False) -> dict:
    """A v2 pooled.json dict for `measure` (OR, RD, PETO: binary; MD, SMD, ROM: continuous; HR:
    generic) on made-up effects (yi, vi drawn here, tests only): k studies, with, when
    `awkward`, the statuses a measure-aware engine writes (reported, adjusted, medians
    converted, skewed, other measure, adjusted excluded)."""
    import numpy as np
    from metapool.measures import registry

    m = registry.get(measure)
    rng = np.random.default_rng(seed)
    centre = {"OR": -0.2, "PETO": -0.2, "RD": -0.04, "MD": -3.6, "SMD": -0.25, "ROM": -0.1,
              "HR": -0.15, "RR": -0.1}[m.code]
    spread = {"RD": 0.04, "MD": 4.0, "SMD": 0.2}.get(m.code, 0.25)
    studies = []
    for i in range(k):
        trial = f"TRIAL-{i + 1:02d}"
        author = f"Author{chr(65 + i % 26)}"
        yi = float(rng.normal(centre, spread))
        se = float(rng.uniform(0.6, 1.6) * spread)
        n1, n2 = (int(v) for v in rng.integers(30, 300, size=2))
        s = {"study": trial, "label": f"{author} {2001 + i} ({trial})", "trial": trial,
             "agent": "iloprost", "comparator": "placebo",
             "agent_class": ("prostacyclin analogue", "vasopressin analogue")[i % 2],
             "outcome": "all-cause mortality" if m.kind == "binary" else "ICU length of stay",
             "timepoint_days": 28, "yi": yi, "vi": se * se, "se": se,
             "ci_lb": yi - 1.959963984540054 * se, "ci_ub": yi + 1.959963984540054 * se,
             "status": {"binary": "counts", "continuous": "means", "generic": "reported"}[m.kind],
             "reported": None, "converted": None, "group": None}
        if m.kind == "binary":
            risk = float(rng.uniform(0.2, 0.45))
            s.update(events_trt=int(n1 * risk * 0.9), total_trt=n1, events_ctl=int(n2 * risk),
                     total_ctl=n2)
        elif m.kind == "continuous":
            mean_c, sd = float(rng.uniform(8, 20)), float(rng.uniform(4, 9))
            s.update(mean_trt=round(mean_c + yi, 1), sd_trt=round(sd, 1), n_trt=n1,
                     mean_ctl=round(mean_c, 1), sd_ctl=round(sd * 1.1, 1), n_ctl=n2)
        else:
            s["reported"] = {"measure": m.code, "est": m.to_people(yi),
                             "ci_lb": m.to_people(s["ci_lb"]), "ci_ub": m.to_people(s["ci_ub"]),
                             "adjusted": i == 0}
        studies.append(s)

    def not_pooled(s, status, **extra):
        s.update(yi=None, vi=None, se=None, ci_lb=None, ci_ub=None, status=status, **extra)

    if awkward and k >= 6 and m.kind != "generic":
        if m.kind == "binary":
            studies[1].update(status="reported", total_trt=None, total_ctl=None,
                              reported={"measure": m.code, "est": m.to_people(studies[1]["yi"]),
                                        "ci_lb": m.to_people(studies[1]["ci_lb"]),
                                        "ci_ub": m.to_people(studies[1]["ci_ub"]),
                                        "adjusted": True})
            not_pooled(studies[3], "other_measure",
                       reported={"measure": "HR", "est": 0.82, "ci_lb": 0.61, "ci_ub": 1.1,
                                 "adjusted": False},
                       events_trt=None, total_trt=None, events_ctl=None, total_ctl=None)
        else:
            s = studies[1]
            s.update(status="medians", mean_trt=None, sd_trt=None, mean_ctl=None, sd_ctl=None,
                     median_trt=round(s["yi"] + 12, 1), q1_trt=9.0, q3_trt=21.0,
                     median_ctl=12.0, q1_ctl=8.0, q3_ctl=19.0,
                     converted={arm: {"method": "Luo 2018 / Wan 2014", "scenario": "q1/median/q3",
                                      "mean": mean, "sd": 8.9, "skewed": False}
                                for arm, mean in (("trt", round(s["yi"] + 12.4, 2)),
                                                  ("ctl", 12.61))})
            not_pooled(studies[3], "skewed", mean_trt=None, sd_trt=None, median_trt=6.0,
                       q1_trt=2.0, q3_trt=30.0,
                       converted={"trt": {"method": "Luo 2018 / Wan 2014",
                                          "scenario": "q1/median/q3", "mean": None, "sd": None,
                                          "skewed": True}, "ctl": None})
        not_pooled(studies[4], "adjusted_excluded",
                   reported={"measure": m.code, "est": m.to_people(studies[4]["yi"]),
                             "ci_lb": m.to_people(studies[4]["ci_lb"]),
                             "ci_ub": m.to_people(studies[4]["ci_ub"]), "adjusted": True})
    pooled = [i for i, s in enumerate(studies) if s["yi"] is not None]
    fixed, random, wf, wr = _fit_blocks([studies[i]["yi"] for i in pooled],
                                        [studies[i]["vi"] for i in pooled], m)
    for s in studies:
        s.update(weight_fixed=None, weight_random=None,
                 effect={"est": None, "ci_lb": None, "ci_ub": None})
    for i, a, b in zip(pooled, wf, wr):
        s = studies[i]
        s.update(weight_fixed=float(a), weight_random=float(b),
                 effect=_effect(m, s["yi"], s["ci_lb"], s["ci_ub"]))
    result = {"measure": m.code, "measure_name": m.name, "log_scale": m.log_scale,
              "k": len(pooled), "k_total": k,
              "settings": {"tau2_method": "REML", "ci_method": "hksj", "level": 95},
              "studies": studies, "fixed_iv": fixed, "fixed_mh": None, "fixed_peto": None,
              "random": random, "subgroups": None, "notes": [],
              "analysis": f"synthetic-{m.code.lower()}-k{k}",
              "title": f"{'All-cause mortality' if m.kind == 'binary' else 'ICU length of stay (days)'}"
                       f" at 28 days: {m.name.lower()}, {k} synthetic trials"}
    if m.code == "PETO":
        result["fixed_peto"] = fixed
    if subgroups:
        groups = []
        for name in dict.fromkeys(s["agent_class"] for s in studies):
            idx = [i for i in pooled if studies[i]["agent_class"] == name]
            for i, s in enumerate(studies):
                if s["agent_class"] == name:
                    s["group"] = name
            if len(idx) >= 1:
                f, r, _, _ = _fit_blocks([studies[i]["yi"] for i in idx],
                                         [studies[i]["vi"] for i in idx], m)
                groups.append({"group": name, "k": len(idx), "fixed_iv": f, "random": r})
        result["subgroups"] = {"by": "agent_class", "groups": groups,
                               "test": {"Q_between": 0.42, "df": len(groups) - 1, "p": 0.52}}
    return _plain(result)


def synthetic_living(pooled: dict) -> dict:
    """A living.json-shaped dict for a (synthetic) pooled result: cumulative and leave-one-out
    blocks refitted here on its yi / vi (REML + HKSJ), no influence, small-study tests or TSA."""
    from metapool.engine.model import fit_random

    used = [s for s in pooled["studies"] if s.get("yi") is not None]
    keys = ("est", "ci_lb", "ci_ub", "tau2", "I2")

    def fit(subset):
        if len(subset) == 1:
            s = subset[0]
            return {"est": s["yi"], "ci_lb": s["ci_lb"], "ci_ub": s["ci_ub"], "tau2": 0.0, "I2": 0.0}
        r = fit_random([s["yi"] for s in subset], [s["vi"] for s in subset])
        return {key: r[key] for key in keys}

    cumulative = {"study": [], "k": [], **{key: [] for key in keys}}
    for i in range(len(used)):
        f = fit(used[:i + 1])
        cumulative["study"].append(used[i]["study"])
        cumulative["k"].append(i + 1)
        for key in keys:
            cumulative[key].append(f[key])
    leave1out = {"study": [], **{key: [] for key in keys}}
    if len(used) >= 3:
        for i, s in enumerate(used):
            f = fit(used[:i] + used[i + 1:])
            leave1out["study"].append(s["study"])
            for key in keys:
                leave1out[key].append(f[key])
    reasons = {"influence": "Not computed for this synthetic example.",
               "tsa": "Not computed for this synthetic example."}
    return _plain({"settings": {"tau2_method": "REML", "ci_method": "hksj"},
                   "cumulative": cumulative, "leave1out": leave1out if len(used) >= 3 else None,
                   "influence": None, "tsa": None, "trimfill": None, "egger_rma": None,
                   "egger_lm": None, "harbord": None, "reasons": reasons})


ROB_JUDGEMENTS = ("low", "some concerns", "high")


def with_rob(result: dict, *, seed: int = 5, assessed: float = 1.0,
             sensitivity: bool = True) -> dict:
    """`result` with made-up RoB 2 judgements (`rob` per study; a share `assessed` of the
    studies, the others null) and a `rob_sensitivity` block restricted to the studies at low
    overall risk (numbers made up, tests only)."""
    import copy

    import numpy as np

    rng = np.random.default_rng(seed)
    out = copy.deepcopy(result)
    for i, s in enumerate(out.get("studies") or []):
        if rng.uniform() >= assessed:
            s["rob"] = None
            continue
        domains = {f"d{j}": ROB_JUDGEMENTS[int(rng.choice(3, p=(0.6, 0.3, 0.1)))]
                   for j in range(1, 6)}
        worst = max(domains.values(), key=ROB_JUDGEMENTS.index)
        s["rob"] = {**domains, "overall": worst, "assessor": "two reviewers (synthetic)"}
    low = [s for s in out.get("studies") or [] if (s.get("rob") or {}).get("overall") == "low"]
    random = out.get("random") or {}
    effect = dict(random.get("effect") or random.get("rr") or {})
    out["rob_sensitivity"] = None if not sensitivity else {
        "restriction": "overall low risk of bias", "k": len(low),
        "effect": ({"est": effect.get("est"), "ci_lb": effect.get("ci_lb"), "ci_ub": effect.get("ci_ub")}
                   if low and effect else None),
        "note": "random effects, REML; Hartung-Knapp-Sidik-Jonkman" if low else
                "no trial at low risk of bias"}
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
