"""Compare the published states of every analysis with the current ones.

Per analysis: ``status`` changed | unchanged | added | removed; the trials added, removed and
edited (each changed field old -> new); changes to the analysis' definition (title, measure,
method settings); ``before`` and ``after`` on the analysis scale with the measure named;
``numbers_changed`` (false when only inputs such as a quote or a source changed); and the
conclusion flags of :mod:`metapool.versions.conclusions`.
"""

from __future__ import annotations

from metapool.versions import conclusions
from metapool.versions import numbers as num
from metapool.versions.state import NUMBERS

DEFINITION = ("title", "measure", "pool_subgroups")
STATUSES = ("changed", "added", "removed", "unchanged")


def compare(published: dict[str, dict] | None, current: dict[str, dict]) -> list[dict]:
    """One entry per analysis: the current ones in their order, then the removed ones."""
    published = published or {}
    names = list(current) + [name for name in published if name not in current]
    return [compare_analysis(name, published.get(name), current.get(name)) for name in names]


def compare_analysis(name: str, before: dict | None, after: dict | None) -> dict:
    """The comparison of one analysis' published state (None: new) with its current one (None: gone)."""
    old_trials = (before or {}).get("trials") or {}
    new_trials = (after or {}).get("trials") or {}
    edited = trials_edited(old_trials, new_trials)
    definition = definition_changed(before, after) if before and after else {}
    numbers = numbers_changed(before, after) if before and after else None
    same = (not edited and not definition and not numbers and set(old_trials) == set(new_trials)
            and (before or {}).get("certainty") == (after or {}).get("certainty"))
    status = ("added" if before is None else "removed" if after is None
              else "unchanged" if same else "changed")
    shown = after or before
    return {
        "analysis": name,
        "title": shown.get("title"),
        "measure": shown.get("measure"),
        "status": status,
        "trials_added": [_trial(t, new_trials[t]) for t in sorted(set(new_trials) - set(old_trials))],
        "trials_removed": [_trial(t, old_trials[t]) for t in sorted(set(old_trials) - set(new_trials))],
        "trials_edited": edited,
        "definition_changed": definition,
        "numbers_changed": numbers,
        "before": numbers_block(before),
        "after": numbers_block(after),
        "conclusion_changes": conclusions.flags(before, after),
    }


def _trial(name: str, fields: dict) -> dict:
    return {"trial": name, "fields": fields}


def field_changes(old: dict, new: dict) -> dict:
    """{field: {"old", "new"}} for every field whose value differs (a missing field is None)."""
    return {key: {"old": old.get(key), "new": new.get(key)}
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}


def trials_edited(old: dict, new: dict) -> list[dict]:
    """The trials in both states whose data fields differ, by name."""
    out = []
    for name in sorted(set(old) & set(new)):
        changes = field_changes(old[name], new[name])
        if changes:
            out.append({"trial": name, "fields": changes})
    return out


def definition_changed(before: dict, after: dict) -> dict:
    """Changes of the title, the measure and the method settings ("settings.tau2_method")."""
    old = {**{key: before.get(key) for key in DEFINITION},
           **{f"settings.{k}": v for k, v in (before.get("settings") or {}).items()}}
    new = {**{key: after.get(key) for key in DEFINITION},
           **{f"settings.{k}": v for k, v in (after.get("settings") or {}).items()}}
    return field_changes(old, new)


def numbers_changed(before: dict, after: dict) -> bool:
    """Whether any pooled number (also of a subgroup kept apart) or the TSA's verdict differs (not:
    quotes, sources, certainty)."""
    return any(before.get(key) != after.get(key) for key in NUMBERS + ("tsa", "subgroups"))


def numbers_block(state: dict | None) -> dict | None:
    """k, participants and the pooled numbers (analysis scale), the measure and its scale, TSA, certainty."""
    if state is None:
        return None
    m = num.measure(state.get("measure"))
    return {"measure": m.code, "scale": "log" if m.log_scale else "linear",
            **{key: state.get(key) for key in NUMBERS},
            "tsa": state.get("tsa"), "certainty": state.get("certainty"),
            **({"subgroups": state["subgroups"]} if state.get("subgroups") is not None else {})}
