"""Multi-arm trials in a pairwise analysis: a shared control arm is never counted twice.

A multi-arm trial is one table with one row per comparison; rows of one outcome and time point
with the same comparator share that control arm and repeat its counts (inputs.trials checks it).
When an analysis selects two or more comparisons of one trial against its shared control arm,
Cochrane Handbook 23.3.4 applies:

- combined: the experimental arms are one intervention for the analysis (no subgroup column, or
  the same subgroup): their events and totals are summed into one arm, compared with the control
  arm once (the Handbook's recommended approach);
- split: the experimental arms fall in different subgroups: each comparison stays, and the shared
  arm's events and total are divided between them as evenly as whole numbers allow (the first
  comparisons take the remainders), so the parts add up exactly to the arm.

Only 2x2 counts are combined or split. A row without usable data is left out of the group when
another comparison of the trial has data (the note says so). Anything else (arm summaries,
reported effects, comparisons that do not share the comparator) is left as it is, and
analyses.check_selection reports the trial selected twice.
"""

from __future__ import annotations

HANDBOOK = "Cochrane Handbook 23.3.4"


def split_whole(value: int, parts: int) -> list[int]:
    """``value`` divided into ``parts`` whole numbers as evenly as possible, larger ones first:
    split_whole(15, 2) == [8, 7]; they sum to ``value`` exactly."""
    base, extra = divmod(value, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _fraction(events: int, total: int) -> str:
    return f"{events}/{total}"


def _shares_control(rows: list[dict]) -> bool:
    return len({str(r.get("comparator")).casefold() for r in rows}) == 1


def _counts(row: dict) -> bool:
    return "counts" in (row.get("poolable") or ())


def resolve(rows: list[dict], subgroup: str | None = None) -> list[dict]:
    """The analysis' rows with each multi-arm trial's comparisons against one shared control arm
    combined or split (module docstring); those rows carry a ``multi_arm`` block
    {handling, shared_arm, arms, note}. Other rows are returned as they are, in order."""
    by_trial: dict[str, list[dict]] = {}
    for r in rows:
        by_trial.setdefault(r["trial"], []).append(r)
    out: list[dict] = []
    for r in rows:
        group = by_trial[r["trial"]]
        if len(group) == 1:
            out.append(r)
        elif r is group[0]:
            out.extend(_resolve_trial(group, subgroup))
    return out


def _resolve_trial(group: list[dict], subgroup: str | None) -> list[dict]:
    """One trial's comparisons (2 or more rows) as they enter the analysis."""
    if not _shares_control(group):
        return group
    with_data = [r for r in group if r.get("poolable")]
    left_out = [r for r in group if not r.get("poolable")]
    if len(with_data) <= 1:
        kept = with_data[0] if with_data else group[0]
        others = [r["agent"] for r in group if r is not kept]
        note = (f"{kept['trial']} is a multi-arm trial; its {' and '.join(others)} arm(s) report no usable data "
                f"for this outcome, so only the {kept['agent']} vs {kept['comparator']} comparison enters.")
        return [{**kept, "multi_arm": {"handling": "one comparison", "shared_arm": kept["comparator"],
                                       "arms": [r["agent"] for r in group], "note": note}}]
    if not all(_counts(r) for r in with_data):
        return group
    values = {r.get(subgroup) for r in with_data} if subgroup else set()
    if len(values) <= 1:
        return [_combined(with_data, left_out)]
    return _split(with_data, left_out)


def _dropped_text(left_out: list[dict]) -> str:
    if not left_out:
        return ""
    return f" The {' and '.join(r['agent'] for r in left_out)} arm(s) report no usable data."


def _combined(rows: list[dict], left_out: list[dict]) -> dict:
    """One row: the experimental arms' events and totals summed, the shared control arm once."""
    first = rows[0]
    events, total = (sum(r[c] for r in rows) for c in ("events_trt", "total_trt"))
    arms = " and ".join(f"{r['agent']} ({_fraction(r['events_trt'], r['total_trt'])})" for r in rows)
    note = (f"{first['trial']}'s {arms} arms are combined into one ({_fraction(events, total)}) against its one "
            f"shared {first['comparator']} arm ({_fraction(first['events_ctl'], first['total_ctl'])}), "
            f"counted once ({HANDBOOK}).{_dropped_text(left_out)}")
    combined = {**first, "agent": " / ".join(r["agent"] for r in rows), "events_trt": events, "total_trt": total,
                "effect_measure": None, "effect": None, "effect_lower": None, "effect_upper": None,
                "effect_adjusted": None, "poolable": ("counts",), "status": "derived",
                "quote": " ".join(r["quote"] for r in rows),
                "multi_arm": {"handling": "combined", "shared_arm": first["comparator"],
                              "arms": [r["agent"] for r in rows], "note": note}}
    if any(r.get("source_kind") == "secondary" for r in rows):
        combined["source_kind"] = "secondary"
    return combined


def _split(rows: list[dict], left_out: list[dict]) -> list[dict]:
    """Each comparison, the shared control arm's events and total divided between them."""
    first = rows[0]
    events = split_whole(first["events_ctl"], len(rows))
    totals = split_whole(first["total_ctl"], len(rows))
    parts = " and ".join(f"{_fraction(e, n)} (vs {r['agent']})" for e, n, r in zip(events, totals, rows))
    note = (f"{first['trial']}'s shared {first['comparator']} arm "
            f"({_fraction(first['events_ctl'], first['total_ctl'])}) is split between its {len(rows)} "
            f"comparisons as {parts}: events and total divided as evenly as whole numbers allow, "
            f"so it is counted once ({HANDBOOK}).{_dropped_text(left_out)}")
    block = {"handling": "split", "shared_arm": first["comparator"], "arms": [r["agent"] for r in rows],
             "note": note}
    return [{**r, "events_ctl": e, "total_ctl": n, "effect_measure": None, "effect": None, "effect_lower": None,
             "effect_upper": None, "effect_adjusted": None, "poolable": ("counts",), "status": "derived",
             "multi_arm": block}
            for r, e, n in zip(rows, events, totals)]


def is_split(row: dict) -> bool:
    """The row is one comparison of a split multi-arm trial (its trial may appear more than once)."""
    return (row.get("multi_arm") or {}).get("handling") == "split"

