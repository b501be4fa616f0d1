"""A network's whole result (results/networks/<name>/network.json): its graph, both models,
the direct pairwise estimates and the consistency checks, or why it was not analysed.

Treatment order: the reference, then the other treatments alphabetically. Analysis scale (log
RR, log OR); each block's `natural` key is not added: figures exponentiate."""

from __future__ import annotations

from metapool.network import analysis, consistency as cons, graph
from metapool.network.arms import group_studies, not_estimable

MIN_TREATMENTS = 3


def treatment_order(arms: list[dict], reference: str) -> list[str]:
    others = sorted({a["treatment"] for a in arms} - {reference})
    return [reference] + others if any(a["treatment"] == reference for a in arms) else others


def describe(arms: list[dict], order: list[str]) -> tuple[list[dict], list[dict]]:
    """Nodes (trials, patients, events, names) and edges (pairs of treatments in one trial:
    trials, patients of those two arms)."""
    nodes = {t: {"treatment": t, "trials": 0, "patients": 0, "events": 0, "names": []} for t in order}
    edges: dict[tuple[str, str], dict] = {}
    rank = {t: i for i, t in enumerate(order)}
    for study, study_arms in group_studies(arms).items():
        for a in study_arms:
            n = nodes[a["treatment"]]
            n["trials"] += 1
            n["patients"] += a["total"]
            n["events"] += a["events"]
            n["names"] += [x for x in a.get("names", []) if x not in n["names"]]
        ordered = sorted(study_arms, key=lambda a: rank[a["treatment"]])
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                e = edges.setdefault((a["treatment"], b["treatment"]),
                                     {"a": a["treatment"], "b": b["treatment"], "trials": 0, "patients": 0,
                                      "studies": []})
                e["trials"] += 1
                e["patients"] += a["total"] + b["total"]
                e["studies"].append(study)
    return list(nodes.values()), sorted(edges.values(), key=lambda e: (rank[e["a"]], rank[e["b"]]))


def has_loop(edges: list[dict], order: list[str], studies: list[tuple[str, ...]]) -> bool:
    """Some comparison has indirect evidence besides its direct evidence: a closed loop (a
    multi-arm trial alone is not one)."""
    for e in edges:
        others = [s for s in studies if not (e["a"] in s and e["b"] in s)]
        if any(e["a"] in part and e["b"] in part for part in graph.components(order, others)):
            return True
    return False


def build(settings: dict, arms: list[dict], left_out: list[dict]) -> dict:
    """network.json: settings, status (analysed | too_few_treatments | disconnected), message,
    treatments, edges, trials, left_out, and when analysed fixed, random, direct, consistency."""
    measure, reference = settings["measure"], settings["reference"]
    dropped = [s for s, a in group_studies(arms).items() if not_estimable(a)]
    usable = [a for a in arms if a["study"] not in dropped]
    order = treatment_order(usable, reference)
    nodes, edges = describe(usable, order)
    out = {"network": settings["name"], "title": settings["title"], "measure": measure,
           "reference": reference, "small_values": settings["small_values"], "settings": settings,
           "order": order, "treatments": nodes, "edges": edges,
           "trials": [{"trial": s, "label": a[0]["label"], "timepoint_days": a[0]["timepoint_days"],
                       "arms": [{k: x[k] for k in ("treatment", "names", "events", "total", "rows")} for x in a]}
                      for s, a in group_studies(usable).items()],
           "left_out": left_out + [{"trial": s, "reason": "no events (or only events) in every arm: not estimable"}
                                   for s in dropped],
           "status": "analysed", "message": None, "components": None,
           "fixed": None, "random": None, "direct": None, "consistency": None}
    parts = graph.components(order, [tuple(a["treatment"] for a in v) for v in group_studies(usable).values()])
    if reference not in order:
        out.update(status="too_few_treatments",
                   message=f"No trial with counts includes the reference ({reference}): no network to analyse.")
    elif len(order) < MIN_TREATMENTS:
        out.update(status="too_few_treatments",
                   message=f"{len(order)} treatment{'s' if len(order) != 1 else ''} with data "
                           f"({', '.join(order) or 'none'}): a network needs at least {MIN_TREATMENTS}; "
                           "the pairwise analysis answers this.")
    elif len(parts) > 1:
        out.update(status="disconnected", components=parts,
                   message="The trials do not connect every treatment: "
                           + "; ".join("{" + ", ".join(p) + "}" for p in parts) + ". Not analysed.")
    if out["status"] != "analysed":
        return out
    small_good = settings["small_values"] == "good"
    net = analysis.prepare(usable, measure, reference, order)
    fitted = analysis.fit_network(net)
    out.update(analysis.blocks(fitted, small_good))
    out["direct"] = {name: cons.direct_estimates(net.studies, order, fit.tau2) for name, fit in fitted.fits.items()}
    loop = has_loop(edges, order, [(s.baseline, *s.treatments) for s in net.studies])
    out["consistency"] = {"loop": loop, **(analysis.consistency(fitted) if loop else
                                           {"design_by_treatment": None, "node_split": None}),
                          "message": None if loop else
                          "No closed loop: every comparison rests on direct or on indirect evidence only, "
                          "so consistency cannot be checked."}
    return out
