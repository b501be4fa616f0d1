"""Published versions of the network meta-analyses: a network's state, what changed since the
last published version, and its section of changes.md.

State (from results/networks/<name>/network.json; random-effects model, analysis scale):
{"network", "title", "measure", "status", "trials" (sorted), "order", "pscore" (treatment ->
P-score), "ranking" (treatments by P-score, best first), "league" ("A|B" for every pair, A after B
in the treatment order: est, ci_lb, ci_ub), "inconsistency" (bool: node splitting or the
design-by-treatment test, random effects, at P < INCONSISTENCY_P), "inconsistent" (the split
comparisons and "design-by-treatment" that are)}.

Flags per network (each {"kind", "sentence"}): `ranking_changed` (the order of the P-scores),
`league_ci_now_excludes_null` / `league_ci_no_longer_excludes_null` (per pair of treatments),
`inconsistency_detected` (newly; and `inconsistency_resolved`).
"""

from __future__ import annotations

from pathlib import Path

from metapool.safetext import md_text

from metapool.errors import InputError, Problem
from metapool.versions import numbers as num
from metapool.versions.conclusions import excludes_null
from metapool.versions.store import read_json

INCONSISTENCY_P = 0.05
MODEL = "random"


def network_state(net: dict) -> dict:
    """The state of one network (network.json)."""
    state = {"network": net["network"], "title": net["title"], "measure": net["measure"], "status": net["status"],
             "trials": sorted(t["trial"] for t in net["trials"]), "order": net["order"],
             "pscore": None, "ranking": None, "league": None, "inconsistency": False, "inconsistent": []}
    if net["status"] != "analysed":
        return state
    model = net[MODEL]
    state["pscore"] = model["pscore"]
    state["ranking"] = sorted(model["pscore"], key=lambda t: (-model["pscore"][t], t))
    order = net["order"]
    state["league"] = {f"{a}|{b}": {k: model["league"][f"{a}|{b}"][k] for k in ("est", "ci_lb", "ci_ub")}
                       for j, b in enumerate(order) for a in order[j + 1:]}
    cons = net.get("consistency") or {}
    inconsistent = [pair for pair, s in ((cons.get("node_split") or {}).get(MODEL) or {}).items()
                    if s["difference"]["p"] < INCONSISTENCY_P]
    dbt = (cons.get("design_by_treatment") or {}).get(MODEL) or {}
    if dbt.get("p_between") is not None and dbt["p_between"] < INCONSISTENCY_P:
        inconsistent.append("design-by-treatment")
    state.update(inconsistency=bool(inconsistent), inconsistent=inconsistent)
    return state


def current_network_states(results_dir: str | Path, names: list[str] | None = None) -> dict[str, dict]:
    """name -> state of results/networks/<name>/network.json (default: every one there)."""
    root = Path(results_dir) / "networks"
    if names is None:
        names = sorted(p.parent.name for p in root.glob("*/network.json"))
    missing = [Problem(str(root / n / "network.json"), None, None,
                       "file not found: run snakemake to compute the results first")
               for n in names if not (root / n / "network.json").is_file()]
    if missing:
        raise InputError(missing)
    return {n: network_state(read_json(root / n / "network.json")) for n in names}


def flags(before: dict | None, after: dict | None) -> list[dict]:
    """The conclusion flags of one network between two states (before None: new network)."""
    if after is None or after["status"] != "analysed":
        return []
    before = before if before and before.get("status") == "analysed" else {}
    out = []
    if before and before["ranking"] != after["ranking"]:
        out.append({"kind": "ranking_changed",
                    "sentence": f"The P-score ranking changed: now {' > '.join(after['ranking'])} "
                                f"(was {' > '.join(before['ranking'])})."})
    for pair, now in after["league"].items():
        was = (before.get("league") or {}).get(pair)
        a, b = pair.split("|", 1)
        now_ex = excludes_null(now["ci_lb"], now["ci_ub"])
        was_ex = excludes_null(was["ci_lb"], was["ci_ub"]) if was else False
        if now_ex != was_ex and (was or now_ex):
            kind = "league_ci_now_excludes_null" if now_ex else "league_ci_no_longer_excludes_null"
            verb = "now excludes" if now_ex else "no longer excludes"
            old = f"was {_interval(after['measure'], was)}" if was else "new comparison"
            out.append({"kind": kind, "sentence": f"{a} vs {b}: the 95% CI of the network {_short(after)} "
                        f"{verb} {_null(after)} ({_interval(after['measure'], now)}; {old})."})
    if after["inconsistency"] and not before.get("inconsistency"):
        out.append({"kind": "inconsistency_detected",
                    "sentence": f"Inconsistency newly detected (P < {INCONSISTENCY_P}): "
                                f"{', '.join(after['inconsistent'])}."})
    elif before.get("inconsistency") and not after["inconsistency"]:
        out.append({"kind": "inconsistency_resolved",
                    "sentence": "Inconsistency no longer detected (was: " + ", ".join(before["inconsistent"]) + ")."})
    return out


def _short(state: dict) -> str:
    return num.measure(state["measure"]).short


def _null(state: dict) -> str:
    return "1" if num.measure(state["measure"]).log_scale else "0"


def _interval(measure: str, block: dict) -> str:
    return f"{num.value(measure, block['est'])}, {num.interval(measure, block['ci_lb'], block['ci_ub'])}"


def compare(published: dict | None, current: dict[str, dict]) -> list[dict]:
    """One entry per network (current order, then removed ones): {network, title, status
    (added | removed | changed | unchanged), trials_added, trials_removed, conclusion_changes}."""
    published = published or {}
    out = []
    for name in list(current) + [n for n in published if n not in current]:
        before, after = published.get(name), current.get(name)
        status = ("added" if before is None else "removed" if after is None
                  else "unchanged" if before == after else "changed")
        trials_before, trials_after = set((before or {}).get("trials", [])), set((after or {}).get("trials", []))
        out.append({"network": name, "title": (after or before)["title"], "status": status,
                    "trials_added": sorted(trials_after - trials_before),
                    "trials_removed": sorted(trials_before - trials_after),
                    "conclusion_changes": flags(before, after)})
    return out


def to_markdown(entries: list[dict]) -> list[str]:
    """The networks' section of changes.md."""
    if not entries:
        return []
    lines = [f"## Network meta-analyses ({len(entries)})", ""]
    for e in entries:
        lines += [f"### {md_text(e['title'])} (`{e['network']}`)", "", f"Status: {e['status']}.", ""]
        for key, word in (("trials_added", "added"), ("trials_removed", "removed")):
            if e[key]:
                lines.append(f"- Trials {word}: {', '.join(md_text(t) for t in e[key])}")
        if e["conclusion_changes"]:
            lines += ["", "**What to do:** a conclusion changed; revise the text that states it:", ""]
            lines += [f"- {md_text(f['sentence'])}" for f in e["conclusion_changes"]]
        else:
            lines.append("**What to do:** nothing; no conclusion changed.")
        lines.append("")
    return lines
