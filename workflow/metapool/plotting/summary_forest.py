"""Summary forest plot across analyses, drawn with the `forestplot` package.

One row per analysis (pooled effect, 95% CI, k, I², prediction interval), grouped by effect
measure (metapool.measures.registry; each measure its own panel and axis: a risk ratio and a
mean difference do not share a scale), then by outcome and timepoint. forestplot is loaded through forestplot_guard (its global side effects undone);
what it lacks is added here: unique row labels (it merges rows that share a label), the
prediction-interval bars, readable log-axis ticks, the bundled fonts, the title and footer.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from metapool.plotting import axis as axes
from metapool.plotting import effects
from metapool.plotting import wording as fmt
from metapool.plotting import forestplot_guard
from metapool.plotting import style
from metapool.plotting import text
from metapool.plotting.save import save_figure

ROW_INCH = 0.24  # height per table row
PLOT_INCH = 3.0  # width of the dot-and-whisker region
PAD_INCH = 0.15
FOOTER = ("Squares and lines: pooled {effects}, each analysis' declared estimate and 95% interval (the random-effects CI, "
          "or with 2 to 4 trials the Bayesian credible interval; never narrower than the fixed-effect CI); "
          "orange bars: 95% prediction interval (k >= 3; Bayesian predictive interval with the credible interval).")
NO_ESTIMATE = "no poolable study"
PANEL_GAP_INCH = 0.55  # between measure panels: the upper panel's ticks and axis label

# summary-row keys (pipeline.summary_rows) of the estimate, CI and PI on the people's scale
EFFECT_KEYS = ("effect", "effect_ci_lb", "effect_ci_ub", "effect_pi_lb", "effect_pi_ub")


def _keys(row: dict) -> tuple[str, ...]:
    return EFFECT_KEYS


def _check(rows: list[dict]) -> None:
    """Every row has the keys the figure needs (a misspelt key would draw an empty plot)."""
    for i, row in enumerate(rows):
        missing = [key for key in ("k",) + _keys(row)[:3] if key not in row]
        if missing:
            raise ValueError(f"summary row {i + 1} ({row.get('title') or row.get('analysis')}) "
                             f"lacks {', '.join(missing)}")


def group_name(row: dict) -> str:
    """'All-cause mortality, day 28' (outcome, timepoint)."""
    outcome = fmt.capitalised(str(row.get("outcome") or "Outcome not given"))
    day = row.get("timepoint_days")
    return f"{outcome}, day {day:g}" if isinstance(day, (int, float)) else outcome


def unique_labels(labels: list[str], groups: list[str]) -> list[str]:
    """Labels made distinct: a repeat gets its group in brackets, then a counter if needed.

    forestplot keys rows by label and would silently draw repeats on one line.
    """
    seen: set[str] = set()
    out = []
    for label, group in zip(labels, groups):
        candidate = label if label not in seen else f"{label} [{group}]"
        n = 2
        while candidate in seen:
            candidate, n = f"{label} [{group}] ({n})", n + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def summary_frame(rows: list[dict]):
    """The pandas DataFrame forestplot draws: measures, then groups, in first-seen order, rows
    in given order; with the outcome groups in first-seen order."""
    import pandas as pd

    _check(rows)
    groups = [group_name(r) for r in rows]
    order = list(dict.fromkeys(groups))
    codes = [effects.measure(r).code for r in rows]
    measures = list(dict.fromkeys(codes))
    labels = unique_labels([str(r.get("title") or r.get("analysis") or "") for r in rows], groups)
    records = []
    for r, g, code, label in zip(rows, groups, codes, labels):
        est, lo, hi, pi_lo, pi_hi = (r.get(key) for key in _keys(r))
        log_scale = effects.measure(r).log_scale
        has = est is not None and lo is not None and hi is not None
        has_pi = pi_lo is not None and pi_hi is not None
        records.append({
            "label": label, "group": g, "measure": code,
            "est": est if has else math.nan,
            "lo": lo if has else math.nan,
            "hi": hi if has else math.nan,
            "pi_lo": pi_lo if has_pi else math.nan,
            "pi_hi": pi_hi if has_pi else math.nan,
            "k": str(r["k"]),
            "i2": "" if r.get("I2") is None else f"{r['I2']:.0f}%",
            "effect_ci": fmt.effect_ci(est, lo, hi, log_scale) if has else NO_ESTIMATE,
            "pi": fmt.effect_ci(None, pi_lo, pi_hi, log_scale) if has_pi else "",
            "_order": (measures.index(code), order.index(g)),
        })
    frame = pd.DataFrame.from_records(records)
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True), order


def _axis(frame, measure) -> axes.Axis:
    """Pooled intervals must fit; prediction intervals count only so far (axis.for_measure)."""
    def scale(v):
        return measure.from_people(v)

    must = [scale(v) for col in ("est", "lo", "hi") for v in frame[col] if v == v]
    should = [scale(v) for col in ("pi_lo", "pi_hi") for v in frame[col] if v == v]
    return axes.for_measure(measure.log_scale, must, should, effects.axis_limit(measure))


def default_title(rows: list[dict]) -> str:
    """'Pooled risk ratios by outcome and timepoint'; 'Pooled effects ...' across measures."""
    codes = list(dict.fromkeys(effects.measure(r).code for r in rows)) or ["RR"]
    what = f"{fmt.in_sentence(effects.measure_name(codes[0]))}s" if len(codes) == 1 else "effects"
    return f"Pooled {what} by outcome and timepoint"


def draw_summary(rows: list[dict], paths: Mapping[str, str | os.PathLike],
                 title: str | None = "") -> None:
    """Draw the summary forest plot of `rows` (dicts as summary_row or jobs.summary_rows
    return; the title is the row label) to `paths`: one panel per measure, each with its own
    axis. title "" (default): default_title(rows); None: no title."""
    frame, _ = summary_frame(rows)
    title = default_title(rows) if title == "" else title
    if not (frame["est"] == frame["est"]).any():  # nothing pooled on this page: say so
        from metapool.plotting.page import message_page
        from metapool.plotting.save import save_canvas

        names = "; ".join(str(r.get("title") or r.get("analysis")) for r in rows)
        save_canvas(message_page(title or "Summary forest plot", "Pooled effects by analysis",
                                 "No analysis on this page has a pooled estimate (k = 0).", names).canvas(),
                    paths)
        return
    forestplot = forestplot_guard.load()
    panels = [(code, frame[frame["measure"] == code].drop(columns="measure").reset_index(drop=True))
              for code in dict.fromkeys(frame["measure"])]
    lines = [len(part) + part["group"].nunique() + 1 for _, part in panels]
    total = ROW_INCH * sum(lines) + PANEL_GAP_INCH * (len(panels) - 1)
    with style.figure_style():
        fig = Figure(figsize=(PLOT_INCH, total), dpi=72)  # 72 dpi: pixels = points
        FigureCanvasAgg(fig)
        axes_list, top = [], total
        for (code, part), n in zip(panels, lines):
            m = effects.measure({"measure": code})
            height = ROW_INCH * n
            ax = fig.add_axes((0.0, (top - height) / total, 1.0, height / total))
            top -= height + PANEL_GAP_INCH
            axes_list.append(_panel(forestplot, fig, ax, part, m, n))
        _fit(fig, axes_list, title, [effects.measure({"measure": c}) for c, _ in panels])
    save_figure(fig, paths)


def _panel(forestplot, fig: Figure, ax, frame, m, n_rows: int):
    """One measure's rows drawn by forestplot on `ax`, with its own axis."""
    axis = _axis(frame, m)
    ticks = [m.to_people(v) for v, _ in axis.ticks]
    with forestplot_guard.drawing(fig):
        drawn, ax = forestplot.forestplot(
            frame, estimate="est", ll="lo", hl="hi", varlabel="label", groupvar="group",
            logscale=m.log_scale, annote=["k", "i2"], annoteheaders=["k", "I\u00b2"],
            rightannote=["effect_ci", "pi"],
            right_annoteheaders=[f"{m.short} [95% CI]", "95% PI"],
            ci_report=False, form_ci_report=False, variable_header="Analysis",
            xticks=ticks, xticklabels=[lab for _, lab in axis.ticks],
            xlim=(m.to_people(axis.lo), m.to_people(axis.hi)), xline=m.null,
            xlinecolor=style.GREY,
            xlinewidth=0.6, fontfamily="DejaVu Sans Mono", fontsize=8, grouplab_size=8,
            xtick_size=7, markercolor=style.BLUE, markeralpha=1.0, markersize=30,
            linecolor=style.BLACK, lw=0.9, ax=ax, return_df=True, flush=True,
        )
    _finish(ax, drawn, n_rows, m)
    return ax


def _finish(ax, drawn, n_rows: int, m) -> None:
    """What forestplot leaves out: header row, PI bars, plain ticks, bundled fonts."""
    ax.set_ylim(-0.5, n_rows - 0.5)  # forestplot's own limit cuts the header row off
    ax.xaxis.set_minor_locator(NullLocator())
    scale = ", log scale" if m.log_scale else ""
    ax.set_xlabel(f"{m.name} (pooled{scale})", fontsize=style.SMALL_SIZE)
    position = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    for _, row in drawn.iterrows():
        if row["pi_lo"] == row["pi_lo"] and row["yticklabel"] in position:
            ax.hlines(position[row["yticklabel"]], row["pi_lo"], row["pi_hi"], colors=style.ORANGE,
                      linewidths=4.0, zorder=-1)
    _bundled_fonts(ax)


def _bundled_fonts(ax) -> None:
    """Every text in the bundled DejaVu fonts (forestplot asks by family name)."""
    texts = [*ax.get_yticklabels(), *ax.get_xticklabels(), *ax.texts, ax.xaxis.label]
    for t in texts:
        weight = "bold" if t.get_fontweight() in ("bold", 700) else "normal"
        mono = "mono" in " ".join(t.get_fontfamily()).lower()
        t.set_fontproperties(style.font(weight, t.get_fontsize(), mono))
        t.set_fontfeatures(style.TEXT_FEATURES)


def _fit(fig: Figure, axes_list: list, title: str | None, measures: list) -> None:
    """Resize the figure to its content plus a margin, then add the title and the footer."""
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)  # inches
    width = box.width + 2 * PAD_INCH
    names = [fmt.in_sentence(m.name) for m in measures]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    footer = text.wrap(FOOTER.format(effects=joined),
                       (width - 2 * PAD_INCH) * 72, style.SMALL_SIZE)
    line = style.SMALL_SIZE * 1.35 / 72
    title_lines = text.wrap(title, (width - 2 * PAD_INCH) * 72, style.TITLE_SIZE, "bold") if title else []
    title_h = len(title_lines) * style.TITLE_SIZE * 1.35 / 72 + (0.08 if title_lines else 0)
    footer_h = len(footer) * line + 0.08
    height = box.height + 2 * PAD_INCH + title_h + footer_h
    old_w, old_h = fig.get_size_inches()
    positions = [ax.get_position() for ax in axes_list]
    fig.set_size_inches(width, height)
    for ax, pos in zip(axes_list, positions):
        x0 = pos.x0 * old_w - box.x0 + PAD_INCH
        y0 = pos.y0 * old_h - box.y0 + PAD_INCH + footer_h
        ax.set_position((x0 / width, y0 / height, pos.width * old_w / width,
                         pos.height * old_h / height))
    for i, part in enumerate(title_lines):
        y = height - PAD_INCH - (i + 0.5) * style.TITLE_SIZE * 1.35 / 72
        fig.text(PAD_INCH / width, y / height, part, fontproperties=style.font("bold", style.TITLE_SIZE),
                 va="center", parse_math=False, fontfeatures=style.TEXT_FEATURES)
    for i, part in enumerate(footer):
        y = PAD_INCH + footer_h - 0.08 - (i + 0.5) * line
        fig.text(PAD_INCH / width, y / height, part, fontproperties=style.font("normal", style.SMALL_SIZE),
                 va="center", parse_math=False, fontfeatures=style.TEXT_FEATURES)
