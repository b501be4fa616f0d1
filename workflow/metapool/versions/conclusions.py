"""Conclusion flags: what a reviewer must act on when an analysis changed.

Each flag is {"kind", "sentence"}: one plain sentence on the people's scale. The null is 0 on
the analysis scale for every measure (log ratios and differences alike). A side that is missing
(an analysis new in this version) counts as "no interval, no TSA", so a new analysis whose CI
excludes the null is flagged too.
"""

from __future__ import annotations

from metapool.versions import numbers as num

NONE_TEXT = "no conclusion changed"
TSA_WORDS = {
    "boundary_crossed": "monitoring boundary crossed",
    "futility": "futility boundary crossed",
    "ris_reached": "required information size reached",
    "inconclusive": "inconclusive",
}
TSA_FLAGS = (  # (field, what it means, kind when it became true, kind when it became false)
    ("boundary_crossed", "crosses the monitoring boundary",
     "tsa_now_crosses_monitoring_boundary", "tsa_no_longer_crosses_monitoring_boundary"),
    ("futility_crossed", "crosses the futility boundary",
     "tsa_now_crosses_futility_boundary", "tsa_no_longer_crosses_futility_boundary"),
    ("ris_reached", "reaches the required information size",
     "tsa_now_reaches_ris", "tsa_no_longer_reaches_ris"),
)


def excludes_null(lo: float | None, hi: float | None) -> bool:
    """The interval lies wholly on one side of 0 (analysis scale); False when it is missing."""
    return lo is not None and hi is not None and (hi < 0 or lo > 0)


def side(est: float | None) -> int:
    """-1 below the null, +1 above, 0 on it or missing."""
    return 0 if est is None or est == 0 else (1 if est > 0 else -1)


def flags(before: dict | None, after: dict | None) -> list[dict]:
    """Every conclusion flag between two states of one analysis (before None: a new analysis); for
    an analysis that keeps its subgroups apart, each subgroup's flags, its name leading the sentence."""
    if after is None:
        return []
    before = before or {}
    if after.get("subgroups") is not None:
        old = before.get("subgroups") or {}
        return [_flag(f["kind"], f"{group}: {f['sentence']}")
                for group, state in after["subgroups"].items() for f in _flags(old.get(group) or {}, state)]
    return _flags(before, after)


def _flags(before: dict, after: dict) -> list[dict]:
    return (_interval(before, after, "ci", "The 95% CI")
            + _side(before, after)
            + _interval(before, after, "pi", "The 95% prediction interval")
            + _tsa(before.get("tsa"), after.get("tsa"), new=not before)
            + _certainty(before.get("certainty"), after.get("certainty")))


def _flag(kind: str, sentence: str) -> dict:
    return {"kind": kind, "sentence": sentence}


def _was(state: dict, lo: str, hi: str, code: str | None) -> str:
    if not state:
        return "new analysis"
    if state.get(lo) is None or state.get(hi) is None:
        return "was not estimable"
    return f"was {num.interval(code, state[lo], state[hi])}"


def _interval(before: dict, after: dict, which: str, label: str) -> list[dict]:
    lo, hi = f"{which}_lb", f"{which}_ub"
    old, new = excludes_null(before.get(lo), before.get(hi)), excludes_null(after.get(lo), after.get(hi))
    if old == new:
        return []
    code = after.get("measure")
    now = num.interval(code, after.get(lo), after.get(hi))
    was = _was(before, lo, hi, before.get("measure") or code)
    of = f"of the {num.name(code)}"
    null = num.null_text(code)
    if new:
        verb = "excludes" if not before else "now excludes"
        return [_flag(f"{which}_now_excludes_null", f"{label} {of} {verb} {null} ({now}; {was}).")]
    return [_flag(f"{which}_no_longer_excludes_null",
                  f"{label} {of} no longer excludes {null} ({now}; {was}).")]


def _side(before: dict, after: dict) -> list[dict]:
    old, new = side(before.get("est")), side(after.get("est"))
    if old * new >= 0:
        return []
    code = after.get("measure")
    null = num.null_text(code)
    where = {1: f"above {null}", -1: f"below {null}"}
    return [_flag("estimate_changed_side",
                  f"The pooled {num.name(code)} moved to the other side of {null}: now "
                  f"{num.value(code, after['est'])}, {where[new]} (was "
                  f"{num.value(before.get('measure') or code, before['est'])}, {where[old]}).")]


def _tsa(before: dict | None, after: dict | None, new: bool = False) -> list[dict]:
    before, after = before or {}, after or {}
    out = []
    for field, what, now_kind, no_longer_kind in TSA_FLAGS:
        old, now = bool(before.get(field)), bool(after.get(field))
        if old == now:
            continue
        if new:
            sentence = f"The trial sequential analysis {what} (status: {tsa_words(after)}; new analysis)."
        else:
            sentence = (f"The trial sequential analysis {'now' if now else 'no longer'} {what} "
                        f"(status: {tsa_words(after)}; was: {tsa_words(before)}).")
        out.append(_flag(now_kind if now else no_longer_kind, sentence))
    return out


def tsa_words(tsa: dict | None) -> str:
    """The TSA's status in words; 'no trial sequential analysis' without one."""
    if not tsa:
        return "no trial sequential analysis"
    return TSA_WORDS.get(tsa.get("status"), str(tsa.get("status")))


def _certainty(before: str | None, after: str | None) -> list[dict]:
    if before is None or after is None or before == after:
        return []
    return [_flag("certainty_changed",
                  f"The certainty of the evidence changed from {before} to {after}.")]


def verdict(flag_list: list[dict]) -> str:
    """What to do: 'no conclusion changed', or the flags' sentences."""
    return NONE_TEXT if not flag_list else " ".join(f["sentence"] for f in flag_list)
