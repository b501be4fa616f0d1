"""Named network meta-analyses (config `networks:`): their trial rows and arm-level data.

Pure Python, run while Snakemake parses (every problem is found before any job runs) and again
in the network's job. Rows: the analyses' filter (analyses.RowIndex) and time-point rule
(analyses.by_timepoint picks each trial's time point; every row of the trial at that time point
is kept: a multi-arm trial is one table with one row per comparison). Arms: each row with 2x2
counts gives its agent arm (events_trt/total_trt) and its comparator arm (events_ctl/total_ctl),
each under its node (NetworkSettings.nodes); a trial's arms are deduplicated by node, and a
shared arm must carry the same counts on every row. A factorial trial enters as its one
collapsed row states. A subgroup row and its whole-trial row (two trial names, one pmid) never
both enter: one is named under exclude_trials.
"""

from __future__ import annotations

from metapool.errors import InputError, Problem
from metapool.measures.datakinds import COUNTS
from metapool.inputs.trials import columns, study_label
from metapool.pipeline import analyses as analysis_defs
from metapool.pipeline.settings import NetworkSettings, network_from_config_entry

SOURCE = "config/config.yaml"


def from_config(config: dict, source: str = SOURCE) -> list[NetworkSettings]:
    """Networks in config order; InputError on a bad entry or a filter column the tables lack."""
    known = set(columns())
    problems, out = [], []
    for name, spec in (config.get("networks") or {}).items():
        for col in (spec or {}).get("filter", {}):
            if col not in known:
                problems.append(Problem(source, None, f"networks.{name}.filter.{col}",
                                        "filter on a column that the trial tables do not have"))
        try:
            out.append(network_from_config_entry(name, spec))
        except (ValueError, TypeError) as err:
            problems.append(Problem(source, None, f"networks.{name}", str(err)))
    if problems:
        raise InputError(problems)
    return out


def select(index: analysis_defs.RowIndex, net: NetworkSettings) -> list[dict]:
    """The network's rows: filter, exclude_trials, then per trial every row at the time point the
    analyses' rule picks; ordered by year, trial, file row."""
    rows = [r for r in index.select(net.filter) if r["trial"] not in net.exclude_trials]
    if net.timepoint is None:
        return sorted(rows, key=lambda r: (r["year"], r["trial"], r["row"]))
    out = []
    for trial in dict.fromkeys(r["trial"] for r in rows):
        mine = [r for r in rows if r["trial"] == trial]
        chosen = analysis_defs.by_timepoint(mine, net.timepoint)
        if chosen:
            days = chosen[0]["timepoint_days"]
            out.extend(r for r in mine if r["timepoint_days"] == days)
    return sorted(out, key=lambda r: (r["year"], r["trial"], r["row"]))


def has_counts(row: dict) -> bool:
    return all(row.get(c) is not None for c in COUNTS)


def arms(net: NetworkSettings, rows: list[dict]) -> tuple[list[dict], list[dict], list[Problem]]:
    """(arms, rows that do not enter with why, problems). An arm: {study (trial), treatment (node),
    events, total, names (agent/comparator names), label, rows ("file:row")}."""
    out: dict[tuple[str, str], dict] = {}
    left_out, problems = [], []
    pairs: dict[tuple[str, frozenset], dict] = {}
    for r in rows:
        if not has_counts(r):
            left_out.append({"trial": r["trial"], "file": r["file"], "row": r["row"],
                             "reason": "no 2x2 counts (events and totals of both arms)"})
            continue
        nodes = (net.node_of(r["agent"]), net.node_of(r["comparator"]))
        where = f"{r['file']}:{r['row']}"
        if nodes[0] == nodes[1]:
            problems.append(Problem(r["file"], r["row"], "comparator",
                                    f"network {net.name}: agent '{r['agent']}' and comparator '{r['comparator']}' "
                                    f"are one node ({nodes[0]}); a comparison within a node has no place in it"))
            continue
        pair = (r["trial"], frozenset(nodes))
        if pair in pairs:
            problems.append(Problem(r["file"], r["row"], "comparator",
                                    f"network {net.name}: trial {r['trial']} compares {nodes[0]} with {nodes[1]} "
                                    f"again (also row {pairs[pair]['row']}); filter on outcome and timepoint_days"))
            continue
        pairs[pair] = r
        for arm, name, node in (("trt", r["agent"], nodes[0]), ("ctl", r["comparator"], nodes[1])):
            counts = (r[f"events_{arm}"], r[f"total_{arm}"])
            key = (r["trial"], node)
            if key not in out:
                out[key] = {"study": r["trial"], "treatment": node, "events": counts[0], "total": counts[1],
                            "names": [name], "label": study_label(r), "rows": [where],
                            "timepoint_days": r["timepoint_days"], "source_kind": r.get("source_kind")}
                continue
            have = out[key]
            if (have["events"], have["total"]) != counts:
                problems.append(Problem(r["file"], r["row"], f"events_{arm}",
                                        f"network {net.name}: the {node} arm of {r['trial']} has {counts[0]}/{counts[1]} "
                                        f"here but {have['events']}/{have['total']} at {have['rows'][0]}; a shared arm "
                                        "repeats its counts on every row (or the two arms need different nodes)"))
                continue
            if name not in have["names"]:
                have["names"].append(name)
            have["rows"].append(where)
    problems += _subgroup_and_whole(net, rows, {a["study"] for a in out.values()})
    return list(out.values()), left_out, problems


def _subgroup_and_whole(net: NetworkSettings, rows: list[dict], entering: set[str]) -> list[Problem]:
    """Two trials of one pmid (a subgroup row and its whole trial) may not both enter."""
    by_pmid: dict[int, list[dict]] = {}
    for r in rows:
        if r["trial"] in entering and r.get("pmid") is not None:
            trials = by_pmid.setdefault(r["pmid"], [])
            if r["trial"] not in [t["trial"] for t in trials]:
                trials.append(r)
    return [Problem(found[1]["file"], found[1]["row"], "trial",
                    f"network {net.name}: trials {' and '.join(repr(t['trial']) for t in found)} share pmid {pmid} "
                    "(a subgroup and its whole trial?) and would both enter; name one under "
                    f"networks.{net.name}.exclude_trials")
            for pmid, found in by_pmid.items() if len(found) > 1]


def check(net: NetworkSettings, index: analysis_defs.RowIndex, rows: list[dict],
          source: str = SOURCE) -> list[Problem]:
    """Config values that match no data (filter values, node names, excluded trials, the
    reference) and every problem of the network's arms."""
    problems = [Problem(p.file, p.row, p.column.replace("analyses.", "networks.", 1), p.message)
                for p in analysis_defs.check_filter_values(net, index, source)]
    names = index.values("agent") | index.values("comparator")
    seen: dict[str, str] = {}
    for node, members in net.nodes.items():
        for name in members:
            if name not in names:
                problems.append(Problem(source, None, f"networks.{net.name}.nodes.{node}",
                                        f"no trial row has agent or comparator {name!r}"))
            if name in seen:
                problems.append(Problem(source, None, f"networks.{net.name}.nodes.{node}",
                                        f"{name!r} is also in node {seen[name]!r}; a name belongs to one node"))
            seen[name] = node
    trials = index.values("trial")
    for trial in net.exclude_trials:
        if trial not in trials:
            problems.append(Problem(source, None, f"networks.{net.name}.exclude_trials",
                                    f"no trial is named {trial!r}"))
    found, _, arm_problems = arms(net, rows)
    if net.reference not in {net.node_of(n) for n in names}:
        problems.append(Problem(source, None, f"networks.{net.name}.reference",
                                f"{net.reference!r} is no node (an agent, comparator or a name under nodes)"))
    return problems + arm_problems


def load(config: dict, index: analysis_defs.RowIndex) -> tuple[list[NetworkSettings], dict[str, list[dict]]]:
    """Networks and their rows; InputError listing every problem."""
    nets = from_config(config)
    selected = {n.name: select(index, n) for n in nets}
    problems = [p for n in nets for p in check(n, index, selected[n.name])]
    if problems:
        raise InputError(problems)
    return nets, selected
