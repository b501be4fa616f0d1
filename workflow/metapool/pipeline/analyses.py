"""Named analyses (config/config.yaml): defaults, row selection, and their grouping into jobs.

Pure Python, no pandas: the Snakefile calls this while it parses, for every run.
"""

from __future__ import annotations

import difflib
import hashlib
import json

from metapool.errors import InputError, Problem
from metapool.inputs.trials import columns, study_label
from metapool.pipeline import multiarm
from metapool.pipeline.settings import AnalysisSettings, Batching, from_config_entry

def from_config(config: dict, source: str = "config/config.yaml") -> list[AnalysisSettings]:
    """Analyses in config order, `defaults:` applied (pipeline.settings); InputError on a filter
    or subgroup column that the trial tables do not have."""
    known = set(columns())
    defaults = config.get("defaults") or {}
    problems = []
    out = []
    for name, spec in (config.get("analyses") or {}).items():
        spec = spec or {}
        for col in spec.get("filter", {}):
            if col not in known:
                problems.append(Problem(source, None, f"analyses.{name}.filter.{col}",
                                        f"filter on a column that the trial tables do not have; "
                                        f"columns are: {', '.join(sorted(known))}"))
        sub = spec.get("subgroup")
        if sub is not None and sub not in known:
            problems.append(Problem(source, None, f"analyses.{name}.subgroup",
                                    f"subgroup column {sub!r} is not a trial-table column"))
        try:
            out.append(from_config_entry(name, spec, defaults))
        except InputError as err:
            problems.extend(err.problems)
        except ValueError as err:
            problems.append(Problem(source, None, f"analyses.{name}", str(err)))
    if problems:
        raise InputError(problems)
    return out


def definitions_digest(definitions: list[dict]) -> str:
    """SHA-256 of analysis definitions (AnalysisSettings.to_dict, in order): a job's param, so
    editing an analysis reruns its job while each output's Snakemake metadata stays small."""
    return hashlib.sha256(json.dumps(definitions, sort_keys=True).encode()).hexdigest()


def job_definitions(config: dict, names: list[str], digest: str) -> list[dict]:
    """The definitions of ``names`` built from the config as at parse time (from_config_entry);
    RuntimeError if they are not the ones whose ``digest`` the job was given."""
    defaults = config.get("defaults") or {}
    out = [from_config_entry(n, config["analyses"][n] or {}, defaults).to_dict() for n in names]
    if definitions_digest(out) != digest:
        raise RuntimeError(f"the definitions of {', '.join(names)} differ from the parsed workflow's")
    return out


def check_filter_values(analysis: AnalysisSettings, index: "RowIndex",
                        source: str = "config/config.yaml") -> list[Problem]:
    """Every filter value must occur in its column of some trial row: a typo (`agent: ilopost`)
    is an error naming the analysis, the key and the nearest values, not a silent k = 0."""
    problems = []
    for col, want in analysis.filter.items():
        present = index.values(col)
        for value in want if isinstance(want, list) else [want]:
            if value in present:
                continue
            shown = sorted(map(str, present))
            same_text = [p for p in present if str(p) == str(value)]
            if same_text:
                kind = "a number" if isinstance(same_text[0], (int, float)) else "text"
                written = str(same_text[0]) if kind == "a number" else f'"{same_text[0]}"'
                problems.append(Problem(source, None, f"analyses.{analysis.name}.filter.{col}",
                                        f"{value!r} is {'text' if isinstance(value, str) else 'a number'} but "
                                        f"{col} holds {kind} in the trial tables: write {written}"))
                continue
            near = difflib.get_close_matches(str(value), shown, n=3, cutoff=0.6)
            hint = f"nearest: {', '.join(near)}" if near else f"values in the data: {', '.join(shown[:12])}"
            problems.append(Problem(source, None, f"analyses.{analysis.name}.filter.{col}",
                                    f"no trial row has {col} = {value!r} ({hint})"))
    return problems


def matches(row: dict, flt: dict) -> bool:
    """A row passes when, for every filter column, its value equals the value or is in the list."""
    for col, want in flt.items():
        allowed = want if isinstance(want, list) else [want]
        if row.get(col) not in allowed:
            return False
    return True


class RowIndex:
    """Rows indexed by column value, built lazily per column: selection costs O(matches), not O(rows),
    which keeps parsing fast with 1,000 analyses over thousands of trial rows."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        self._by: dict[str, dict] = {}

    def ids(self, column: str, values: list) -> set[int]:
        index = self._by.get(column)
        if index is None:
            index = self._by[column] = {}
            for i, r in enumerate(self.rows):
                index.setdefault(r.get(column), set()).add(i)
        return set().union(*(index.get(v, set()) for v in values))

    def values(self, column: str) -> set:
        """The values that ``column`` takes in some row (blank cells excluded)."""
        self.ids(column, [])
        return {v for v in self._by[column] if v is not None}

    def select(self, flt: dict) -> list[dict]:
        """Rows matching every filter column, in input order (same as :func:`matches`)."""
        ids = None
        for col, want in flt.items():
            found = self.ids(col, want if isinstance(want, list) else [want])
            ids = found if ids is None else ids & found
        chosen = range(len(self.rows)) if ids is None else sorted(ids)
        return [self.rows[i] for i in chosen]


def select(rows: "list[dict] | RowIndex", analysis: AnalysisSettings) -> list[dict]:
    """The analysis' rows (one per trial and comparison under a `timepoint` rule; a multi-arm
    trial's comparisons with a shared control arm combined or split, pipeline.multiarm), ordered
    by publication year then trial (the cumulative order)."""
    index = rows if isinstance(rows, RowIndex) else RowIndex(rows)
    chosen = index.select(analysis.filter)
    if analysis.timepoint is not None:
        chosen = by_timepoint(chosen, analysis.timepoint)
    chosen = sorted(chosen, key=lambda r: (r["year"], r["trial"]))
    return multiarm.resolve(chosen, analysis.subgroup)


def _subgroup_of(row: dict, names: set) -> str | None:
    """The trial whose subgroup ``row`` reports ('SOAP II (septic shock subgroup)' -> 'SOAP II'),
    when that trial is among ``names``."""
    name, bracket, rest = str(row["trial"]).partition(" (")
    return name if bracket and "subgroup" in rest and name in names else None


def one_population(rows: list[dict]) -> list[dict]:
    """A trial and its own subgroup never enter together (their patients overlap). The review's
    population is septic shock: the subgroup enters when it is in septic shock only and has usable
    data (else the whole trial); the row kept says which it replaces and why (`population_note`).
    Applied by the analysis job to ``select``'s rows (both rows' files are the job's inputs)."""
    names = {r["trial"] for r in rows}
    pairs = {_subgroup_of(r, names): r for r in rows if _subgroup_of(r, names)}
    out = []
    for r in rows:
        sub = pairs.get(r["trial"])
        if sub is not None:
            sub_first = sub.get("septic_shock_only") == "yes" and sub.get("poolable")
            kept, dropped = (sub, r) if sub_first or not r.get("poolable") else (r, sub)
            why = ("this review's population is septic shock" if kept is sub else
                   "the septic-shock subgroup has no usable data here")
            note = (f"Enters instead of {'the whole trial' if kept is sub else 'its subgroup'}, "
                    f"{dropped['trial']}, whose population is {dropped.get('population')}: {why}; "
                    "the two share patients.")
            out.append({**kept, "population_note": note})
        elif r["trial"] not in {s["trial"] for s in pairs.values()}:
            out.append(r)
    return out


def by_timepoint(rows: list[dict], rule) -> list[dict]:
    """Per trial and comparison (agent, comparator: a multi-arm trial has several), the row with
    the longest stated time point in [rule.min_days, rule.max_days] among those with usable data
    (the longest row when none has any, to show it has none); else, with rule.unstated, its row
    without a stated time point; else none (settings.TimepointSettings)."""
    out = []
    for key in dict.fromkeys(_comparison(r) for r in rows):
        mine = [r for r in rows if _comparison(r) == key]
        window = [r for r in mine if r["timepoint_days"] is not None
                  and rule.min_days <= r["timepoint_days"] <= rule.max_days]
        usable = [r for r in window if r.get("poolable")] or window
        if usable:
            out.append(max(usable, key=lambda r: r["timepoint_days"]))
        elif rule.unstated:
            out.extend(r for r in mine if r["timepoint_days"] is None)
    return out


def _comparison(row: dict) -> tuple:
    return row["trial"], row.get("agent"), row.get("comparator")


def check_selection(analysis: AnalysisSettings, rows: list[dict], source: str = "config/config.yaml") -> list[Problem]:
    """A trial may enter an analysis once: two rows of one trial mean the filter is too loose."""
    seen: dict[str, dict] = {}
    problems = []
    for r in rows:
        if r["trial"] in seen and not multiarm.is_split(r):
            first = seen[r["trial"]]
            if _comparison(first) != _comparison(r):
                problems.append(Problem(source, None, f"analyses.{analysis.name}.filter",
                                        f"selects two comparisons of the multi-arm trial {r['trial']} "
                                        f"({first['agent']} vs {first['comparator']} and {r['agent']} vs "
                                        f"{r['comparator']}) that cannot be combined or split without counting "
                                        "an arm twice (only 2x2 counts against one shared comparator can); "
                                        "filter on agent or comparator"))
            else:
                problems.append(Problem(source, None, f"analyses.{analysis.name}.filter",
                                        f"selects trial {r['trial']} twice (outcome/timepoint "
                                        f"{first['outcome']}/{first['timepoint_days']} and "
                                        f"{r['outcome']}/{r['timepoint_days']}); filter on outcome and timepoint_days"))
        seen[r["trial"]] = r
    return problems


def study_entries(rows: list[dict], subgroup: str | None = None) -> list[dict]:
    """Rows as engine study dicts: `study` is the label "Legrand 2025 (I-MICRO)", metadata carried."""
    out = []
    for r in rows:
        label = study_label(r) + (f": {r['agent']}" if multiarm.is_split(r) else "")
        e = {"study": label, "label": label}
        e.update({c: r.get(c) for c in columns() if c != "status"})
        e["data_status"] = r.get("status")
        if r.get("multi_arm"):
            e["multi_arm"] = r["multi_arm"]
        if r.get("population_note"):
            e["population_note"] = r["population_note"]
        if subgroup:
            e[subgroup] = r.get(subgroup)
        out.append(e)
    return out


def batches(pages: list[tuple[str, tuple[str, ...]]], batching: Batching = Batching()) -> dict[str, list[str]]:
    """Group analyses into jobs (settings.Batching), page by page of the summary forest plot:
    ``pages`` is [(page id, its analyses in config order)] (pipeline.summary_pages).

    Up to ``one_job_each_up_to`` analyses: one job each (the job id is the analysis name), so a
    change reruns exactly the analyses it touches. Beyond: each page's analyses in consecutive
    runs of ``analyses_per_job``, ``<page id>-<n>``. A page holds one measure and outcome, which
    is what a new trial enters, so it reruns few jobs and redraws only their pages (analyses
    hashed into batches spread one trial's reruns over most pages); an analysis added after the
    others of its outcome moves no other one.
    """
    names = [n for _, group in pages for n in group]
    if len(names) <= batching.one_job_each_up_to:
        return {n: [n] for n in names}
    size = batching.analyses_per_job
    return {f"{page}-{i // size + 1}": list(group[i:i + size])
            for page, group in pages for i in range(0, len(group), size)}
