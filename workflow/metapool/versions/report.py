"""The changes report: ``changes.json`` for programs and ``changes.md`` for people.

Both list every analysis, the flagged ones (a conclusion changed) first. The Markdown report is
meant to be acted on without opening any other file: what to do comes first for each analysis,
then the trials added, removed and edited (with their numbers and the sentence they came from),
then before and after on the people's scale with the measure named.
"""

from __future__ import annotations

from metapool.safetext import md_text
from metapool.versions import conclusions
from metapool.versions import numbers as num
from metapool.versions.compare import STATUSES
from metapool.versions.store import dump_json

INPUTS_ONLY = "inputs only, numbers unchanged"
SECTIONS = (("flagged", "Conclusion changed"), ("changed", "Changed"), ("added", "Added"),
            ("removed", "Removed"), ("unchanged", "Unchanged"))


def build(baseline: dict | None, entries: list[dict]) -> dict:
    """The report object: the baseline, counts, and the entries (flagged first, then as given)."""
    entries = [annotate(e) for e in entries]
    flagged = [e for e in entries if e["conclusion_changes"]]
    counts = {status: sum(e["status"] == status for e in entries) for status in STATUSES}
    return {
        "baseline": baseline,
        "conclusion_changed": bool(flagged),
        "counts": {**counts, "flagged": len(flagged)},
        "analyses": flagged + [e for e in entries if not e["conclusion_changes"]],
    }


def annotate(entry: dict) -> dict:
    """A comparison entry with its ``verdict`` (what to do) and its one-line ``summary``."""
    return {**entry, "verdict": conclusions.verdict(entry["conclusion_changes"]), "summary": summary(entry)}


def to_json(report: dict) -> str:
    """changes.json: sorted keys, analyses in report order."""
    return dump_json(report)


# --- one line per analysis (the report's lists and the CHANGELOG) ---------------------------------

def summary(entry: dict) -> str:
    """What changed in one analysis, in one line (no conclusion flags)."""
    status, before, after = entry["status"], entry["before"], entry["after"]
    if status == "added":
        return f"new analysis: {_k(after)}, {num.estimate(after)}"
    if status == "removed":
        return f"removed (was {_k(before)}, {num.estimate(before)})"
    if status == "unchanged":
        return f"unchanged: {_k(after)}, {num.estimate(after)}"
    parts = _trial_changes(entry) + [f"{field} {num.plain(c['old'])} -> {num.plain(c['new'])}"
                                     for field, c in entry["definition_changed"].items()]
    if entry["numbers_changed"]:
        parts.append(f"now {_k(after)}, {num.estimate(after)}; was {_k(before)}, {num.estimate(before)}")
    else:
        parts.append(INPUTS_ONLY)
    return "; ".join(parts)


def _k(block: dict | None) -> str:
    return f"k = {(block or {}).get('k') or 0}"


def _trial_changes(entry: dict) -> list[str]:
    out = []
    for key, what in (("trials_added", "added"), ("trials_removed", "removed")):
        names = [md_text(t["trial"]) for t in entry[key]]
        if names:
            out.append(f"{_n(len(names), 'trial')} {what} ({', '.join(names)})")
    edited = entry["trials_edited"]
    if edited:
        out.append(f"{_n(len(edited), 'trial')} edited ("
                   + "; ".join(f"{md_text(t['trial'])}: {', '.join(t['fields'])}" for t in edited) + ")")
    return out


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


# --- changes.md -------------------------------------------------------------------------------------

def to_markdown(report: dict) -> str:
    """changes.md: the headline, then flagged, changed, added, removed and unchanged analyses."""
    lines = [f"# {_heading(report['baseline'])}", "", _headline(report), ""]
    for key, title in SECTIONS:
        chosen = [e for e in report["analyses"] if _section(e) == key]
        if not chosen:
            continue
        lines += [f"## {title} ({len(chosen)})", ""]
        if key == "unchanged":
            lines += [f"- **{_name(e)}**: {e['summary']}; {e['verdict']}." for e in chosen] + [""]
            continue
        for e in chosen:
            lines += analysis_section(e, report["baseline"])
    if report.get("networks"):
        from metapool.versions.networks import to_markdown as networks_markdown

        lines += networks_markdown(report["networks"])
    return "\n".join(lines).rstrip("\n") + "\n"


def _section(entry: dict) -> str:
    return "flagged" if entry["conclusion_changes"] else entry["status"]


def _heading(baseline: dict | None) -> str:
    if baseline is None:
        return "What changed: not yet published (no version recorded), every analysis is new"
    return f"What changed since {_version(baseline)}"


def _version(baseline: dict) -> str:
    label = f", {md_text(baseline['label'])}" if baseline.get("label") else ""
    return f"version {baseline['version']} ({baseline['date']}{label})"


def _headline(report: dict) -> str:
    c = report["counts"]
    total = sum(c[s] for s in STATUSES)
    head = (f"**Conclusion changed in {c['flagged']} of {_analyses(total)}.**"
            if report["conclusion_changed"] else f"**No conclusion changed** ({_analyses(total)}).")
    return (f"{head} {c['changed']} changed, {c['added']} added, {c['removed']} removed, "
            f"{c['unchanged']} unchanged. Ratio measures are shown as ratios (not logs); tau\u00b2 is on "
            "the scale of estimation.")


def _analyses(n: int) -> str:
    return f"{n} analysis" if n == 1 else f"{n} analyses"


def _name(entry: dict) -> str:
    return f"{md_text(entry['title'] or entry['analysis'])} (`{entry['analysis']}`)"


def analysis_section(entry: dict, baseline: dict | None) -> list[str]:
    """One analysis: what to do, what changed in its trials and definition, before and after."""
    lines = [f"### {_name(entry)}", ""]
    if entry["conclusion_changes"]:
        lines += ["**What to do:** a conclusion changed; revise the text that states it:", ""]
        lines += [f"- {f['sentence']}" for f in entry["conclusion_changes"]] + [""]
    else:
        lines += [f"**What to do:** nothing; {conclusions.NONE_TEXT}.", ""]
    status = {"added": "new analysis", "removed": "removed: no longer in the results"}.get(entry["status"])
    if entry["status"] == "changed" and not entry["numbers_changed"]:
        status = f"changed, {INPUTS_ONLY}"
    lines += [f"Status: {status or entry['status']}.", ""]
    lines += _trial_lines(entry) + _definition_lines(entry) + numbers_table(entry, baseline)
    return lines


def _trial_lines(entry: dict) -> list[str]:
    lines = []
    what = "Trial" if entry["status"] == "added" else "Trial added"
    if entry["status"] in ("changed", "added"):
        for t in entry["trials_added"]:
            lines.append(f"- {what}: **{md_text(t['trial'])}**: {trial_data(t['fields'])}")
            lines += _provenance(t["fields"])
    if entry["status"] in ("changed", "removed"):
        for t in entry["trials_removed"]:
            lines.append(f"- Trial removed: **{md_text(t['trial'])}**, which had {trial_data(t['fields'])}")
    for t in entry["trials_edited"]:
        lines.append(f"- Trial edited: **{md_text(t['trial'])}**")
        lines += [f"  - `{field}`: {_quoted(c['old'])} -> {_quoted(c['new'])}" for field, c in t["fields"].items()]
    return lines + ([""] if lines else [])


def _definition_lines(entry: dict) -> list[str]:
    changes = entry["definition_changed"]
    lines = [f"- Analysis definition: `{field}` {_quoted(c['old'])} -> {_quoted(c['new'])}"
             for field, c in changes.items()]
    return lines + ([""] if lines else [])


def _provenance(fields: dict) -> list[str]:
    out = []
    if fields.get("source"):
        out.append(f"  - source: {md_text(fields['source'])}")
    if fields.get("quote"):
        out.append(f"  - quote: {md_text(fields['quote'])}")
    return out


def _quoted(x) -> str:
    """A field value in an edit line: texts in quotation marks, numbers and flags as code."""
    if x is None:
        return "(empty)"
    if isinstance(x, str):
        return f"\u201c{md_text(x)}\u201d"
    return f"`{num.plain(x)}`"


def trial_data(fields: dict) -> str:
    """How a trial entered: 'events/total vs events/total', arm summaries, a reported effect, or
    'no usable data' (with the trial table's status)."""
    counts = ("events_trt", "total_trt", "events_ctl", "total_ctl")
    status = fields.get("data_status")
    if all(fields.get(c) is not None for c in counts):
        text = (f"{num.plain(fields['events_trt'])}/{num.plain(fields['total_trt'])} (treatment) vs "
                f"{num.plain(fields['events_ctl'])}/{num.plain(fields['total_ctl'])} (control)")
    elif all(fields.get(f"n_{arm}") is not None for arm in ("trt", "ctl")):
        text = " vs ".join(_arm_summary(fields, arm) for arm in ("trt", "ctl"))
    elif fields.get("effect") is not None:
        adjusted = {"yes": ", adjusted", "no": ", unadjusted"}.get(fields.get("effect_adjusted"), "")
        text = (f"reported {fields.get('effect_measure')} {num.plain(fields['effect'])} "
                f"({num.plain(fields.get('effect_lower'))} to {num.plain(fields.get('effect_upper'))}{adjusted})")
    else:
        text = "no usable data"
    return f"{text} [{status}]" if status else text


def _arm_summary(fields: dict, arm: str) -> str:
    """'mean 6.7 (SD 4.0), n 259' or 'median -4 (IQR -7 to 7), n 118' for one arm."""
    f = {k: fields.get(f"{k}_{arm}") for k in ("n", "mean", "sd", "median", "q1", "q3", "min", "max")}
    name = "treatment" if arm == "trt" else "control"
    if f["mean"] is not None:
        centre = f"mean {num.plain(f['mean'])} (SD {num.plain(f['sd'])})"
    elif f["q1"] is not None:
        centre = f"median {num.plain(f['median'])} (IQR {num.plain(f['q1'])} to {num.plain(f['q3'])})"
    else:
        centre = f"median {num.plain(f['median'])} (range {num.plain(f['min'])} to {num.plain(f['max'])})"
    return f"{centre}, n {num.plain(f['n'])} ({name})"


def numbers_table(entry: dict, baseline: dict | None) -> list[str]:
    """Before and after on the people's scale (tau² on the analysis scale, as it is estimated)."""
    before, after = entry["before"], entry["after"]
    code = (after or before)["measure"]
    m = num.measure(code)
    was = f"{_version(baseline)}" if baseline else "published"
    cols = [(f"published, {was}", before)] if before else []
    cols += [("now", after)] if after else []
    scale = f"ln {m.short}" if m.log_scale else m.short
    rows = [
        ("Trials pooled (k)", lambda b: num.plain(b["k"])),
        ("Participants", lambda b: num.count(b["participants"])),
        (f"{m.name} ({m.short})", lambda b: num.value(b["measure"], b["est"])),
        ("95% CI", lambda b: num.interval(b["measure"], b["ci_lb"], b["ci_ub"])),
        ("95% prediction interval", lambda b: num.interval(b["measure"], b["pi_lb"], b["pi_ub"])),
        (f"Tau\u00b2 ({scale} scale)", lambda b: num.tau2(b["tau2"])),
        ("I\u00b2", lambda b: num.DASH if b["I2"] is None else f"{b['I2']:.0f}%"),
        ("Trial sequential analysis", lambda b: conclusions.tsa_words(b["tsa"])),
        ("Certainty of evidence", lambda b: b["certainty"] or "not rated"),
    ]
    lines = ["| | " + " | ".join(c for c, _ in cols) + " |", "|---|" + "---|" * len(cols)]
    lines += [f"| {label} | " + " | ".join(cell(b) for _, b in cols) + " |" for label, cell in rows]
    return lines + [""]
