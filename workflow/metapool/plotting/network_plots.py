"""The figures of a network meta-analysis (results/networks/<name>/), drawn on the project's
canvas like every other figure: the network graph, a forest plot of every treatment against the
reference, the league table, the P-scores and the consistency checks. Each takes network.json
(network.result.build); a network that was not analysed, or has no closed loop, gets a page
saying so instead of an empty figure. Estimates shown are the random-effects model's (one
tau^2, REML), on the people's scale."""

from __future__ import annotations

import math

from metapool.measures import registry
from metapool.plotting import style, table
from metapool.plotting import text as measure_text
from metapool.plotting import wording as fmt
from metapool.plotting.canvas import Canvas
from metapool.plotting.living_text import effect_cell, integer
from metapool.plotting.page import Page, Text, message_page
from metapool.plotting.style import MARGIN
from metapool.plotting.table import Column, Interval, Row

MODEL = "random"
GRAPH_SIZE = 300.0
LABEL_AT = 0.4  # an edge's count sits this far along it (not at the middle, where diagonals cross)
CAUTION = ("How to read P-scores: a P-score is the mean certainty, over the other treatments, that a "
           "treatment is better (Rucker & Schwarzer 2015). It ignores how large the differences are and how "
           "certain the evidence is: close P-scores, or a rank resting on one small trial, mean no real "
           "difference. Read the ranks with the league table and its confidence intervals, never alone.")


def _m(net: dict) -> registry.Measure:
    return registry.get(net["measure"])


def _method(net: dict) -> str:
    tau2 = (net.get("random") or {}).get("tau2")
    t = f", {fmt.tau2(tau2)}" if tau2 is not None else ""
    return (f"Random-effects network meta-analysis (contrast-based, metafor rma.mv: one \u03c4\u00b2 by REML{t}; "
            "correlation 1/2 between a multi-arm trial's comparisons), Wald 95% CI.")


def _not_analysed(net: dict, subtitle: str) -> Canvas | None:
    if net["status"] == "analysed":
        return None
    return message_page(net["title"], subtitle, net["message"] or "Not analysed.").canvas()


def graph_figure(net: dict) -> Canvas:
    """Nodes on a circle, area proportional to patients; edges as wide as their number of trials,
    each labelled with it."""
    nodes, edges = net["treatments"], net["edges"]
    subtitle = "Network of the trials: node area \u221d patients randomised, line width \u221d trials"
    if not nodes:
        return message_page(net["title"], subtitle, net["message"] or "No trial with counts.").canvas()
    page = Page(GRAPH_SIZE + 2 * MARGIN + 160.0)
    page.title(net["title"], subtitle)
    box = page.reserve(GRAPH_SIZE + 40.0)
    cx, cy, radius = box.x0 + box.width / 2, box.y0 + box.height / 2, GRAPH_SIZE / 2 - 30.0
    most = max(n["patients"] for n in nodes) or 1
    where = {}
    for i, n in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / len(nodes)
        where[n["treatment"]] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle)
    if net["status"] != "analysed":
        page.paragraph(net["message"], style.SMALL_SIZE, colour=style.COLOURS["muted"])
    page.paragraph("Numbers on the lines: trials comparing the two treatments directly. Under each "
                   "treatment: trials and patients randomised to it.", style.SMALL_SIZE,
                   colour=style.COLOURS["muted"])
    canvas = page.canvas()
    most_trials = max((e["trials"] for e in edges), default=1)
    for e in edges:
        (x0, y0, _), (x1, y1, _) = where[e["a"]], where[e["b"]]
        canvas.line([(x0, y0), (x1, y1)], style.COLOURS["null"], 1.0 + 4.0 * e["trials"] / most_trials, z=1.0)
        mx, my = x0 + LABEL_AT * (x1 - x0), y0 + LABEL_AT * (y1 - y0)
        label = str(e["trials"])
        w = measure_text.width(label, style.SMALL_SIZE) + 4.0
        canvas.rect(mx - w / 2, my - 5.0, w, 10.0, "white", z=2.0)
        canvas.text(Text(label, mx, my, style.SMALL_SIZE, "bold", ha="center"))
    for n in nodes:
        x, y, angle = where[n["treatment"]]
        r = 6.0 + 18.0 * math.sqrt(n["patients"] / most)
        reference = n["treatment"] == net["reference"]
        canvas.circle(x, y, r, style.BLUE if not reference else style.ORANGE, "#000000", 0.6, z=2.5)
        tx, ty, ha = caption_at(x, y, r, angle)
        canvas.text(Text(n["treatment"] + (" (reference)" if reference else ""), tx, ty, style.FONT_SIZE,
                         "bold", ha=ha))
        canvas.text(Text(f"{n['trials']} trial{'s' if n['trials'] != 1 else ''}, {integer(n['patients'])} patients",
                         tx, ty + 9.5, style.SMALL_SIZE, ha=ha))
    return canvas


def caption_at(x: float, y: float, r: float, angle: float) -> tuple[float, float, str]:
    """(x, baseline y of the first line, alignment) of a node's two-line caption, on the side of the
    node away from the circle's centre, where no edge runs (every edge leaves a node inwards): above
    a node at the top, below one at the bottom, else beside it."""
    sin, cos = math.sin(angle), math.cos(angle)
    if sin < -0.8:
        return x, y - r - 18.0, "center"
    if sin > 0.8:
        return x, y + r + 8.0, "center"
    return (x + r + 5.0, y - 4.75, "left") if cos > 0 else (x - r - 5.0, y - 4.75, "right")


def forest_table(net: dict) -> table.Table:
    """Every treatment vs the reference: network estimate, with the direct estimate where one exists."""
    m, ref, model = _m(net), net["reference"], net[MODEL]
    direct = (net.get("direct") or {}).get(MODEL) or {}
    rows = []
    for t in net["order"]:
        if t == ref:
            continue
        d = model["d"][t]
        rows.append(Row("network", {"label": f"{t} vs {ref}", "effect": effect_cell(m, d["est"], d["ci_lb"], d["ci_ub"]),
                                    "direct": _direct_cell(m, direct.get(f"{t}|{ref}"))},
                        style="bold", interval=Interval("diamond", "random", d["est"], d["ci_lb"], d["ci_ub"])))
    columns = (Column("label", ("Comparison",), "left"),
               Column(table.PLOT, (f"{m.name} (95% CI)",), "center"),
               Column("effect", ("Network", f"{m.short} [95% CI]")),
               Column("direct", ("Direct (trials)", f"{m.short} [95% CI]")))
    footers = (_method(net), "Direct: the trials that compared the two treatments head to head, pooled "
               "with the network's \u03c4\u00b2; '-' where none did.", _left_out_line(net))
    return table.Table(title=net["title"], subtitle=f"Every treatment against {ref}",
                       columns=columns, rows=tuple(rows), favours=_favours(net),
                       footers=tuple(f for f in footers if f), log_scale=m.log_scale)


def _favours(net: dict) -> tuple[str, str]:
    """Under the axis: which side is better (left = fewer events) for the first-named treatment."""
    if net["small_values"] == "good":
        return ("Favours the first named", f"Favours {net['reference']}")
    return (f"Favours {net['reference']}", "Favours the first named")


def _direct_cell(m: registry.Measure, block: dict | None) -> str:
    if not block:
        return fmt.DASH
    return f"{effect_cell(m, block['est'], block['ci_lb'], block['ci_ub'])} ({block['k']})"


def _left_out_line(net: dict) -> str | None:
    gone = sorted({x["trial"] for x in net.get("left_out") or []})
    return f"Not in the network (no usable counts): {', '.join(gone)}." if gone else None


def forest_figure(net: dict) -> Canvas:
    blocked = _not_analysed(net, f"Every treatment against {net['reference']}")
    return blocked or table.draw(forest_table(net))


def league_cells(net: dict) -> list[list[str]]:
    """Row r, column c: the row treatment vs the column treatment. Below the diagonal the network
    estimate, above it the direct pairwise estimate (with its number of trials) or '-'."""
    m, order = _m(net), net["order"]
    league, direct = net[MODEL]["league"], (net.get("direct") or {}).get(MODEL) or {}
    out = []
    for r, a in enumerate(order):
        row = []
        for c, b in enumerate(order):
            if r == c:
                row.append(a)
            elif r > c:
                x = league[f"{a}|{b}"]
                row.append(effect_cell(m, x["est"], x["ci_lb"], x["ci_ub"]))
            else:
                x = direct.get(f"{b}|{a}")
                row.append(_direct_cell(m, x and {**x, "est": -x["est"], "ci_lb": -x["ci_ub"], "ci_ub": -x["ci_lb"]}))
        out.append(row)
    return out


def league_tsv(net: dict) -> str:
    """The league table as TSV: a header of treatments, then one row per treatment (league_cells)."""
    cells = league_cells(net) if net["status"] == "analysed" else []
    rows = [["row vs column"] + net["order"]] if cells else [["message", net["message"] or ""]]
    rows += [[net["order"][i]] + row for i, row in enumerate(cells)]
    return "".join("\t".join(_tsv_cell(x) for x in row) + "\n" for row in rows)


def _tsv_cell(text: str) -> str:
    """A cell without the tabs and line breaks that would split it."""
    return " ".join(str(text).split())


def league_figure(net: dict) -> Canvas:
    subtitle = "League table: row treatment vs column treatment"
    blocked = _not_analysed(net, subtitle)
    if blocked:
        return blocked
    m, cells = _m(net), league_cells(net)
    n = len(cells)
    size = style.SMALL_SIZE
    width = max(max(measure_text.width(x, size, "bold") for row in cells for x in row) + 10.0, 70.0)
    page = Page(max(2 * MARGIN + n * width, 420.0))
    page.title(net["title"], subtitle)
    box = page.reserve(n * 22.0 + 4.0)
    for line in (f"Below the diagonal: network {m.short} (95% CI), random effects. Above it: the direct "
                 f"{m.short} from head-to-head trials (number of trials); '-' where no trial compared them.",
                 f"{m.short} below {'1' if m.log_scale else '0'}: fewer events with the row treatment. "
                 "Bold: the 95% CI excludes no effect.", _method(net)):
        page.paragraph(line, style.SMALL_SIZE, colour=style.COLOURS["muted"])
    canvas = page.canvas()
    league = net[MODEL]["league"]
    for r in range(n):
        for c in range(n):
            x, y = box.x0 + c * width, box.y0 + r * 22.0
            fill = "#E8E8E8" if r == c else ("#FFFFFF" if r < c else "#F4F8FB")
            canvas.rect(x, y, width, 22.0, fill, "#BBBBBB", 0.4, z=1.0)
            weight = "bold" if r == c else "normal"
            if r > c:
                e = league[f"{net['order'][r]}|{net['order'][c]}"]
                weight = "bold" if e["ci_lb"] > 0 or e["ci_ub"] < 0 else "normal"
            canvas.text(Text(cells[r][c], x + width / 2, y + 11.0, size, weight, ha="center"))
    return canvas


def pscore_figure(net: dict) -> Canvas:
    subtitle = "P-scores (Rucker & Schwarzer 2015): 1 = certainly better than every other, 0 = certainly worse"
    blocked = _not_analysed(net, subtitle)
    if blocked:
        return blocked
    scores = sorted(net[MODEL]["pscore"].items(), key=lambda kv: (-kv[1], kv[0]))
    label_w = max(measure_text.width(t, style.FONT_SIZE) for t, _ in scores) + 12.0
    page = Page(460.0)
    page.title(net["title"], subtitle)
    bar_w = page.content - label_w - 40.0
    box = page.reserve(len(scores) * 16.0 + 6.0)
    page.space(4.0)
    page.paragraph(CAUTION, style.SMALL_SIZE, "bold")
    page.paragraph(("Fewer events are better" if net["small_values"] == "good" else "More events are better")
                   + ". " + _method(net), style.SMALL_SIZE, colour=style.COLOURS["muted"])
    canvas = page.canvas()
    x0 = box.x0 + label_w
    for i, (t, p) in enumerate(scores):
        y = box.y0 + i * 16.0 + 8.0
        canvas.text(Text(t, box.x0, y, style.FONT_SIZE))
        canvas.rect(x0, y - 5.0, bar_w, 10.0, "#F0F0F0", z=1.0)
        canvas.rect(x0, y - 5.0, bar_w * p, 10.0, style.BLUE, z=1.5)
        canvas.text(Text(f"{p:.2f}", x0 + bar_w + 4.0, y, style.FONT_SIZE))
    return canvas


def consistency_table(net: dict) -> table.Table:
    """Per split comparison: direct, indirect (back-calculated) and network estimates, and the
    test of their difference; the design-by-treatment test in the footers."""
    m, cons = _m(net), net["consistency"]
    rows = []
    for pair, s in cons["node_split"][MODEL].items():
        a, b = pair.split("|", 1)
        rows.append(Row("heading", {"label": f"{a} vs {b}"}, style="bold", span=True, set_off="gap" if rows else None))
        for key, word, kind in (("direct", f"Direct ({s['k_direct']} trial{'s' if s['k_direct'] != 1 else ''})", "point"),
                                ("indirect", "Indirect", "point"), ("network", "Network", "diamond")):
            x = s[key]
            rows.append(Row(key, {"label": word, "effect": effect_cell(m, x["est"], x["ci_lb"], x["ci_ub"]),
                                  "p": fmt.p_value(s["difference"]["p"]) if key == "indirect" else ""},
                            interval=Interval(kind, "random" if kind == "diamond" else "study", x["est"], x["ci_lb"], x["ci_ub"])))
    dbt = cons["design_by_treatment"]
    fixed, random = dbt["fixed"], dbt["random"]
    footers = (
        "Node splitting by back-calculation (Dias et al. 2010): indirect = (network - w \u00b7 direct)/(1 - w), "
        "w = the proportion of direct evidence; P tests direct = indirect.",
        f"Design-by-treatment interaction (Higgins et al. 2012), {dbt['designs']} designs: fixed effect "
        f"Q between designs = {fixed['Q_between']:.2f} (df {fixed['df_between']}, {fmt.p_value(fixed['p_between'])}); "
        f"within designs Q = {fixed['Q_within']:.2f} (df {fixed['df_within']}); random effects "
        f"Q = {random['Q_between']:.2f} ({fmt.p_value(random['p_between'])}).",
        _method(net))
    columns = (Column("label", ("Comparison",), "left"), Column(table.PLOT, (f"{m.name} (95% CI)",), "center"),
               Column("effect", (f"{m.short} [95% CI]",)), Column("p", ("P (direct vs indirect)",)))
    return table.Table(title=net["title"], subtitle="Consistency: direct and indirect evidence", columns=columns,
                       rows=tuple(rows), favours=("", ""), footers=footers, log_scale=m.log_scale)


def consistency_figure(net: dict) -> Canvas:
    subtitle = "Consistency: direct and indirect evidence"
    blocked = _not_analysed(net, subtitle)
    if blocked:
        return blocked
    cons = net["consistency"]
    if not cons["loop"] or not cons["node_split"][MODEL]:
        return message_page(net["title"], subtitle, cons["message"] or "No comparison has both direct and "
                            "indirect evidence.").canvas()
    return table.draw(consistency_table(net))


FIGURES = {"graph": graph_figure, "forest": forest_figure, "league": league_figure,
           "pscores": pscore_figure, "consistency": consistency_figure}
