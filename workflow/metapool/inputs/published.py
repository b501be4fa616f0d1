"""Published pooled estimates (data/validation/published.yaml): read and validate them.

The file records what other meta-analyses found, for the reconciliation page
(pipeline.reconcile): each estimate with its comparison, outcome, time point, measure, estimate
and 95% CI, k, the trials it pools (names as in data/raw, through `aliases` where the review
prints them otherwise; null when the source does not list them), the sentence or table row it
comes from and its URL. Every problem is reported at once with file, entry and key, as for the
trial tables; data/validation/README.md documents the keys.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from metapool.inputs.yamlread import load_yaml

from metapool.errors import InputError, Problem
from metapool.measures import registry

REQUIRED = ("id", "review", "agent", "comparator", "comparator_class", "outcome", "timepoint_days", "measure",
            "estimate", "ci_lower", "ci_upper", "k", "trials", "quote", "source")
OPTIONAL = ("reversed", "note")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Published:
    """One published pooled estimate, as the agent vs its comparator (``reversed`` sources
    inverted: a ratio r becomes 1/r, a difference d becomes -d, with the CI bounds swapped)."""

    id: str
    review: str
    agents: tuple[str, ...]
    comparator: str
    comparator_classes: tuple[str, ...]
    outcome: str
    timepoint_days: int | None
    measure: str
    estimate: float
    ci_lower: float
    ci_upper: float
    k: int | None
    trials: tuple[str, ...] | None
    quote: str
    source: str
    reversed: bool = False
    note: str | None = None
    entry: int = 0  # 1-based position in the file


def load_published(path: str | Path, trial_names: set[str] | None = None, agents: set[str] | None = None,
                   comparator_classes: set[str] | None = None) -> list[Published]:
    """Every estimate of ``path``, validated; InputError listing every problem (file, entry, key).

    ``trial_names``: the trial names of data/raw (alias targets must be among them); ``agents`` and
    ``comparator_classes``: the values the trial tables use (a typo would match no analysis). The
    workflow checks them when it parses; None (a job, after that) skips those three checks.
    """
    path = str(path)
    doc = load_yaml(path)  # duplicate keys and syntax errors named with their line
    if not isinstance(doc, dict) or not isinstance(doc.get("estimates"), list):
        raise InputError([Problem(path, None, None, "must be a mapping with an `estimates:` list (and optional "
                                                    "`aliases:`)")])
    problems: list[Problem] = []
    unknown = sorted(set(doc) - {"estimates", "aliases"})
    if unknown:
        problems.append(Problem(path, None, None, f"unknown top-level key(s): {', '.join(unknown)}"))
    aliases = _aliases(path, doc.get("aliases") or {}, trial_names, problems)
    out, seen = [], set()
    for number, item in enumerate(doc["estimates"], start=1):
        def report(key: str | None, message: str, number: int = number) -> None:
            problems.append(Problem(path, number, key, message))

        entry = _entry(item, number, aliases, agents, comparator_classes, report)
        if entry is None:
            continue
        if entry.id in seen:
            report("id", f"duplicate id {entry.id!r}")
        seen.add(entry.id)
        out.append(entry)
    if problems:
        raise InputError(problems)
    return out


def _aliases(path: str, aliases, trial_names: set[str], problems: list[Problem]) -> dict[str, str]:
    """`aliases:` name as a review prints it -> a trial name of data/raw."""
    if not isinstance(aliases, dict):
        problems.append(Problem(path, None, "aliases", "must map a name as printed to a trial name of data/raw"))
        return {}
    for name, target in aliases.items():
        if trial_names is not None and target not in trial_names:
            problems.append(Problem(path, None, f"aliases.{name}",
                                    f"{target!r} is not a trial name in the trial tables"))
    return {str(k): str(v) for k, v in aliases.items()}


def _entry(item, number: int, aliases: dict[str, str], agents: set[str] | None, classes: set[str] | None, report):
    """One validated estimate, or None after reporting its problems."""
    if not isinstance(item, dict):
        report(None, "each estimate must be a mapping of the keys " + ", ".join(REQUIRED))
        return None
    structure = [key for key in REQUIRED if key not in item] + sorted(set(item) - set(REQUIRED) - set(OPTIONAL))
    for key in structure:
        report(key, "required key is missing" if key in REQUIRED
               else f"unknown key (allowed: {', '.join(REQUIRED + OPTIONAL)})")
    if structure:
        return None
    bad = []

    def check(ok: bool, key: str, message: str) -> None:
        if not ok:
            report(key, message)
            bad.append(key)

    check(isinstance(item["id"], str) and bool(ID.match(item["id"])), "id", "must be lower case letters, digits "
          "and '-', e.g. nagendran-2019-28d")
    for key in ("review", "comparator", "outcome", "quote"):
        check(isinstance(item[key], str) and item[key].strip() != "", key, "must be non-empty text")
    check(isinstance(item["source"], str) and bool(URL.match(item["source"])), "source", "must be an http(s) URL")
    agent_list = _strings(item["agent"])
    check(agent_list is not None and (agents is None or all(a in agents for a in agent_list)), "agent",
          f"must be an agent of the trial tables or a list of them ({_near(item['agent'], agents or set())})")
    class_list = _strings(item["comparator_class"])
    check(class_list is not None and (classes is None or all(c in classes for c in class_list)), "comparator_class",
          "must be a comparator_class of the trial tables or a list of them (allowed: "
          f"{', '.join(sorted(classes or ()))})")
    tp = item["timepoint_days"]
    check(tp is None or (isinstance(tp, int) and not isinstance(tp, bool) and tp >= 1), "timepoint_days",
          "must be a whole number of days >= 1, or null when the source does not state it")
    measure = item["measure"]
    check(isinstance(measure, str) and measure in registry.MEASURES, "measure",
          f"must be one of {', '.join(registry.MEASURES)}")
    numbers = {key: item[key] for key in ("estimate", "ci_lower", "ci_upper")}
    for key, value in numbers.items():
        check(isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value), key,
              "must be a number")
    k = item["k"]
    check(k is None or (isinstance(k, int) and not isinstance(k, bool) and k >= 1), "k",
          "must be the number of trials pooled (>= 1), or null when the source does not state it")
    trials = item["trials"]
    check(trials is None or (_strings(trials) is not None and len(_strings(trials)) >= 1), "trials",
          "must be a list of trial names, or null when the source does not list them")
    check(isinstance(item.get("reversed", False), bool), "reversed", "must be true or false")
    check(item.get("note") is None or isinstance(item.get("note"), str), "note", "must be text")
    if bad:
        return None
    lo, est, hi = numbers["ci_lower"], numbers["estimate"], numbers["ci_upper"]
    if not lo <= est <= hi or lo == hi:
        report("estimate", f"the CI {lo} to {hi} must contain the estimate {est} (and lower < upper)")
        return None
    if registry.get(measure).log_scale and lo <= 0:
        report("ci_lower", f"a {measure} and its CI must be > 0")
        return None
    listed = _strings(trials) if trials is not None else None
    if listed is not None and k is not None and len(listed) != k:
        report("trials", f"lists {len(listed)} trial(s) but k is {k}")
        return None
    return Published(
        id=item["id"], review=item["review"].strip(), agents=tuple(agent_list), comparator=item["comparator"],
        comparator_classes=tuple(class_list), outcome=item["outcome"], timepoint_days=tp, measure=measure,
        estimate=float(est), ci_lower=float(lo), ci_upper=float(hi), k=k,
        trials=None if listed is None else tuple(aliases.get(t, t) for t in listed),
        quote=item["quote"], source=item["source"], reversed=item.get("reversed", False), note=item.get("note"),
        entry=number)


def _strings(value) -> list[str] | None:
    """A string or a list of non-empty strings as a list; None when it is neither."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        return None
    return list(values)


def _near(value, allowed: set[str]) -> str:
    import difflib

    near = difflib.get_close_matches(str(value), sorted(allowed), n=3, cutoff=0.6)
    return f"nearest: {', '.join(near)}" if near else f"values: {', '.join(sorted(allowed)[:12])}"
