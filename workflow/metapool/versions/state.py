"""The state of one analysis, from its pooled.json and living.json dicts.

What a reviewer compares between versions: the pooled numbers on the analysis scale (log for
ratio measures; est, ci_lb and ci_ub are the declared interval, pooled.json `conclusion`, where present;
ratio measures), the trial sequential analysis' verdict, the certainty of the evidence, and
each trial's data fields as they entered (whatever fields the study entries carry, except the
ones the engine derives from them).
"""

from __future__ import annotations

from metapool.engine.subgroups import pooled_across, subgroup_parts

NUMBERS = ("k", "participants", "est", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2")
RANDOM = ("est", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2")
TSA = ("status", "boundary_crossed", "futility_crossed", "ris_reached")
# Study-entry keys the engine computes from the data (never compared as inputs): the effect on
# both scales, weights, the pooling status, the copy of the reported effect and the median
# conversion (both follow from the input columns, which are compared).
DERIVED = frozenset({"yi", "vi", "se", "ci_lb", "ci_ub", "weight_fixed", "weight_random", "group",
                     "natural", "status", "reported", "converted"})
ARM_TOTALS = (("total_trt", "total_ctl"), ("n_trt", "n_ctl"))


def analysis_state(pooled: dict, living: dict | None) -> dict:
    """The comparable state of one analysis (JSON-ready; numbers on the analysis scale). An analysis
    that keeps its subgroups apart (pooled.json pool_subgroups false) has no total: its state says
    "pool_subgroups": false and carries per subgroup the same numbers and certainty ("subgroups")."""
    studies = pooled.get("studies") or []
    numbers = _numbers(pooled)
    state = {
        "analysis": pooled.get("analysis"),
        "title": pooled.get("title"),
        "measure": pooled.get("measure"),
        "settings": _settings(pooled.get("settings")),
        "k": pooled.get("k"),
        "participants": participants(studies),
        **numbers,
        "tsa": tsa_state((living or {}).get("tsa")),
        "certainty": certainty(pooled),
        "trials": trials(studies),
    }
    if not pooled_across(pooled):
        state["pool_subgroups"] = False
        state["subgroups"] = {part["subgroup"]: subgroup_state(part) for part in subgroup_parts(pooled)}
    return state


def subgroup_state(part: dict) -> dict:
    """The numbers and certainty of one subgroup (engine.subgroups.subgroup_parts), as a state's."""
    return {"measure": part.get("measure"), "k": part.get("k"), "participants": participants(part.get("studies") or []),
            **_numbers(part), "tsa": None, "certainty": certainty(part)}


def _numbers(pooled: dict) -> dict:
    """RANDOM's numbers of the random-effects block, est and CI replaced by the declared interval
    (engine.conclusion) when there is one."""
    random = pooled.get("random") or {}
    declared = pooled.get("conclusion") if random else None
    numbers = {key: random.get(key) for key in RANDOM}
    if declared:
        numbers.update({key: declared[key] for key in ("est", "ci_lb", "ci_ub")})
    return numbers


def _settings(settings: dict | None) -> dict:
    """The method settings, flattened ("control.maxiter")."""
    return flatten(settings or {})


def participants(studies: list[dict]) -> int | None:
    """Sum of the arm totals of the pooled studies whose totals are known; None when none are."""
    total, known = 0.0, False
    for s in studies:
        if s.get("yi") is None:
            continue
        arms = next(((s[a], s[b]) for a, b in ARM_TOTALS
                     if s.get(a) is not None and s.get(b) is not None), None)
        if arms is not None:
            total += float(arms[0]) + float(arms[1])
            known = True
    if not known:
        return None
    return int(total) if total.is_integer() else total


def tsa_state(tsa: dict | None) -> dict | None:
    """The TSA's verdict (status and the three crossings), or None when there is no TSA."""
    if not tsa:
        return None
    return {key: tsa.get(key) for key in TSA}


def certainty(pooled: dict) -> str | None:
    """The GRADE certainty level when the pooled result carries one (pooled["certainty"]["level"])."""
    block = pooled.get("certainty")
    return block.get("level") if isinstance(block, dict) else None


def trials(studies: list[dict]) -> dict[str, dict]:
    """Trial name -> its data fields; a name used twice is told apart by its study label."""
    out: dict[str, dict] = {}
    for s in studies:
        name = trial_name(s)
        if name in out:
            name = f"{name} [{s.get('study')}]"
        out[name] = trial_fields(s)
    return out


def trial_name(study: dict) -> str:
    """The trial's name (`trial`), else its study label."""
    return str(study.get("trial") if study.get("trial") is not None else study.get("study"))


def trial_fields(study: dict) -> dict:
    """The study entry's data fields as they entered (nested blocks flattened: "rob.d1")."""
    return flatten({key: value for key, value in study.items() if key not in DERIVED})


def flatten(d: dict, prefix: str = "") -> dict:
    """{"a": {"b": 1}} -> {"a.b": 1}; a None block stays one None field."""
    out = {}
    for key, value in d.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out
