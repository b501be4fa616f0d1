"""Summary forest plot across analyses, drawn on the canvas like every other figure (table.py).

One row per analysis (pooled random-effects effect, 95% CI, k, I²; a prediction-interval row
under it, with its limits, when there is one), grouped by effect measure (metapool.measures.registry; each
measure its own panel and axis: a risk ratio and a mean difference do not share a scale), then
by outcome and the time points of the trials that enter the analysis. Every text is positioned
(measured columns, wrapped labels), a CI that runs past the axis ends in an arrow, and the axis
carries favours labels. The panels are table.Table pages stacked on one canvas.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

from metapool.plotting import effects
from metapool.plotting import living_text as lt
from metapool.plotting import style
from metapool.plotting import table
from metapool.plotting import wording as fmt
from metapool.plotting.canvas import Canvas
from metapool.plotting.save import save_canvas
from metapool.plotting.table import Column, Interval, Row

FOOTER = ("Squares and lines: pooled {effects}, each analysis' declared estimate and 95% interval "
          "(the random-effects CI, or with 2 to 4 trials the Bayesian credible interval; never narrower "
          "than the fixed-effect CI; an arrow: the interval runs past the axis); orange bars: 95% "
          "prediction interval (k >= 3; the Bayesian predictive interval with the credible interval). "
          "Experimental: the intervention named first in the analysis' title.")
FAVOURS = ("Favours experimental", "Favours control")
NO_ESTIMATE = "no poolable study"
LABEL_WIDTH = 128.0  # analysis titles wider than this wrap (the page stays within 17 cm)

# The forest plot's page at 8 pt, not fitted (LABEL_WIDTH keeps it within 17 cm), with a
# narrower interval column (the favours texts still fit side by side).
STYLE = replace(table.FOREST, header_pitch=11.0, plot_width=150.0, font_size=style.FONT_SIZE,
                gap=style.GAP, page_width=0.0)

# summary-row keys (pipeline.summary_rows) of the estimate, CI and PI on the people's scale
EFFECT_KEYS = ("effect", "effect_ci_lb", "effect_ci_ub", "effect_pi_lb", "effect_pi_ub")


def _check(rows: list[dict]) -> None:
    """Every row has the keys the figure needs (a misspelt key would draw an empty plot)."""
    for i, row in enumerate(rows):
        missing = [key for key in ("k",) + EFFECT_KEYS[:3] if key not in row]
        if missing:
            raise ValueError(f"summary row {i + 1} ({row.get('title') or row.get('analysis')}) "
                             f"lacks {', '.join(missing)}")


def group_name(row: dict) -> str:
    """'All-cause mortality, day 28' (outcome, and the time point(s) of the analysis' trials:
    the row's 'timepoint' text, else its single 'timepoint_days')."""
    outcome = fmt.capitalised(str(row.get("outcome") or "Outcome not given"))
    when = row.get("timepoint")
    if not when and isinstance(row.get("timepoint_days"), (int, float)):
        when = f"day {row['timepoint_days']:g}"
    return f"{outcome}, {when}" if when else outcome


def panels(rows: list[dict]) -> list[tuple[str, list[tuple[str, list[dict]]]]]:
    """[(measure code, [(group name, rows), ...]), ...]: measures, then groups, in first-seen
    order; rows in the order given."""
    _check(rows)
    out: dict[str, dict[str, list[dict]]] = {}
    for r in rows:
        out.setdefault(effects.measure(r).code, {}).setdefault(group_name(r), []).append(r)
    return [(code, list(groups.items())) for code, groups in out.items()]


def _columns(m) -> tuple[Column, ...]:
    return (Column("label", ("Analysis",), "left"), Column("k", ("k",)),
            Column("i2", ("I\u00b2",)),
            Column(table.PLOT, (f"{m.name} (95% CI)",), "center"),
            Column("effect", (f"{m.short} [95% CI]",)))


def _rows(m, groups: list[tuple[str, list[dict]]]) -> list[Row]:
    out = []
    for name, members in groups:
        out.append(Row("group", {"label": name}, style="bold", span=True,
                       set_off="gap" if out else None))
        for r in members:
            est, lo, hi, pi_lo, pi_hi = (r.get(key) for key in EFFECT_KEYS)
            has = None not in (est, lo, hi)
            has_pi = None not in (pi_lo, pi_hi)
            cells = {"label": str(r.get("title") or r.get("analysis") or ""), "k": str(r["k"]),
                     "i2": lt.i2_cell(r.get("I2")) if has else "",
                     "effect": fmt.effect_ci(est, lo, hi, m.log_scale) if has else NO_ESTIMATE}
            interval = (Interval("point", "study", *(m.from_people(v) for v in (est, lo, hi)))
                        if has else None)
            out.append(Row("analysis", cells, interval=interval))
            if has_pi:
                out.append(Row("prediction", {"label": "95% prediction interval",
                                              "effect": fmt.effect_ci(None, pi_lo, pi_hi, m.log_scale)},
                               small=True, muted=True, interval=Interval("bar", "prediction", None,
                                                             m.from_people(pi_lo),
                                                             m.from_people(pi_hi))))
    return out


def subtitle(codes: list[str]) -> str:
    """'Risk ratio, pooled, log scale'; across measures, one panel (and axis) each."""
    if len(codes) > 1:
        return "Pooled estimates; one panel and axis per effect measure"
    m = effects.measure({"measure": codes[0]})
    return f"{m.name}, pooled" + (", log scale" if m.log_scale else "")


def panel_table(code: str, groups, title: str | None, footer: str | None,
                subtitle_text: str | None = None) -> table.Table:
    """One measure's panel: its rows, own axis, favours labels and (last panel) the footer."""
    m = effects.measure({"measure": code})
    return table.Table(title=title, subtitle=subtitle_text,
                       columns=_columns(m), rows=tuple(_rows(m, groups)), favours=FAVOURS,
                       footers=(footer,) if footer else (), max_label_width=LABEL_WIDTH,
                       log_scale=m.log_scale, axis_limit=effects.axis_limit(m),
                       style=STYLE)


def default_title(rows: list[dict]) -> str:
    """'Pooled risk ratios by outcome and time point'; 'Pooled effects ...' across measures."""
    codes = list(dict.fromkeys(effects.measure(r).code for r in rows)) or ["RR"]
    what = f"{fmt.in_sentence(effects.measure_name(codes[0]))}s" if len(codes) == 1 else "effects"
    return f"Pooled {what} by outcome and time point"


def footer(codes: list[str]) -> str:
    names = [fmt.in_sentence(effects.measure_name(c)) + "s" for c in codes]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return FOOTER.format(effects=joined)


def summary_figure(rows: list[dict], title: str | None = "") -> Canvas:
    """The summary forest plot of `rows` (dicts as summary_row or jobs.summary_rows return; the
    title is the row label): one panel per measure, stacked. title "" (default):
    default_title(rows); None: no title."""
    from metapool.plotting.page import message_page

    parts = panels(rows)
    title = default_title(rows) if title == "" else title
    if not any(None not in (r.get(k) for k in EFFECT_KEYS[:3]) for r in rows):
        names = "; ".join(str(r.get("title") or r.get("analysis")) for r in rows)
        return message_page(title or "Summary forest plot", "Pooled effects by analysis",
                            "No analysis on this page has a pooled estimate (k = 0).",
                            names).canvas()
    codes = [code for code, _ in parts]
    canvases = [table.draw(panel_table(code, groups, title if i == 0 else None,
                                       footer(codes) if i == len(parts) - 1 else None,
                                       subtitle(codes) if i == 0 else None))
                for i, (code, groups) in enumerate(parts)]
    return stack(canvases, title or "Summary forest plot")


def stack(canvases: list[Canvas], title: str) -> Canvas:
    """The canvases one under another (each keeps its own margins), as one canvas."""
    out = Canvas(max(c.width for c in canvases), sum(c.height for c in canvases), title=title)
    dy = 0.0
    for c in canvases:
        out.paste(c, dy)
        dy += c.height
    return out


def draw_summary(rows: list[dict], paths: Mapping[str, str | os.PathLike],
                 title: str | None = "") -> None:
    """Write summary_figure(rows, title) to `paths` ('svg', 'png', 'pdf')."""
    save_canvas(summary_figure(rows, title), paths)

