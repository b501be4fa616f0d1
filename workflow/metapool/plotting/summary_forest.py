"""Summary forest plot across analyses, drawn with the `forestplot` package.

One row per analysis (pooled RR, 95% CI, k, I², prediction interval), grouped by outcome and
timepoint. forestplot is loaded through forestplot_guard (its global side effects undone);
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
from metapool.plotting import wording as fmt
from metapool.plotting import forestplot_guard
from metapool.plotting import style
from metapool.plotting import text
from metapool.plotting.save import save_figure

ROW_INCH = 0.24  # height per table row
PLOT_INCH = 3.0  # width of the dot-and-whisker region
PAD_INCH = 0.15
FOOTER = ("Squares: pooled risk ratio (random effects); lines: 95% confidence interval; "
          "orange bars: 95% prediction interval (k >= 3).")
NO_ESTIMATE = "no poolable study"


REQUIRED = ("k", "effect", "ci_lb", "ci_ub")


def _check(rows: list[dict]) -> None:
    """Every row has the keys the figure needs (a misspelt key would draw an empty plot)."""
    for i, row in enumerate(rows):
        missing = [key for key in REQUIRED if key not in row]
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
    """The pandas DataFrame forestplot draws: groups in first-seen order, rows in given order."""
    import pandas as pd

    _check(rows)
    groups = [group_name(r) for r in rows]
    order = list(dict.fromkeys(groups))
    labels = unique_labels([str(r.get("title") or r.get("analysis") or "") for r in rows], groups)
    records = []
    for r, g, label in zip(rows, groups, labels):
        has = r["effect"] is not None and r["ci_lb"] is not None and r["ci_ub"] is not None
        has_pi = r.get("pi_lb") is not None and r.get("pi_ub") is not None
        records.append({
            "label": label, "group": g,
            "est": r["effect"] if has else math.nan,
            "lo": r["ci_lb"] if has else math.nan,
            "hi": r["ci_ub"] if has else math.nan,
            "pi_lo": r["pi_lb"] if has_pi else math.nan,
            "pi_hi": r["pi_ub"] if has_pi else math.nan,
            "k": str(r["k"]),
            "i2": "" if r.get("I2") is None else f"{r['I2']:.0f}%",
            "rr_ci": fmt.ratio_ci(r["effect"], r["ci_lb"], r["ci_ub"]) if has else NO_ESTIMATE,
            "pi": fmt.ratio_ci(None, r["pi_lb"], r["pi_ub"]) if has_pi else "",
            "_order": order.index(g),
        })
    frame = pd.DataFrame.from_records(records)
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True), order


def _axis(frame) -> axes.Axis:
    """Pooled intervals must fit; prediction intervals count up to 10-fold (axis.choose)."""
    must = [math.log(v) for col in ("est", "lo", "hi") for v in frame[col] if v == v]
    should = [math.log(v) for col in ("pi_lo", "pi_hi") for v in frame[col] if v == v]
    return axes.choose(must, should)


def draw_summary(rows: list[dict], paths: Mapping[str, str | os.PathLike],
                 title: str | None = "Pooled risk ratios by outcome and timepoint") -> None:
    """Draw the summary forest plot of `rows` (dicts as summary_row or jobs.summary_rows
    return; the title is the row label) to `paths`."""
    forestplot = forestplot_guard.load()
    frame, order = summary_frame(rows)
    axis = _axis(frame)
    ticks = [math.exp(v) for v, _ in axis.ticks]
    n_lines = len(frame) + len(order) + 1
    with style.figure_style():
        fig = Figure(figsize=(PLOT_INCH, ROW_INCH * n_lines), dpi=72)  # 72 dpi: pixels = points
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        with forestplot_guard.drawing(fig):
            drawn, ax = forestplot.forestplot(
                frame, estimate="est", ll="lo", hl="hi", varlabel="label", groupvar="group",
                logscale=True, annote=["k", "i2"], annoteheaders=["k", "I\u00b2"],
                rightannote=["rr_ci", "pi"], right_annoteheaders=["RR [95% CI]", "95% PI"],
                ci_report=False, form_ci_report=False, variable_header="Analysis",
                xticks=ticks, xticklabels=[lab for _, lab in axis.ticks],
                xlim=(math.exp(axis.lo), math.exp(axis.hi)), xline=1, xlinecolor=style.GREY,
                xlinewidth=0.6, fontfamily="DejaVu Sans Mono", fontsize=8, grouplab_size=8,
                xtick_size=7, markercolor=style.BLUE, markeralpha=1.0, markersize=30,
                linecolor=style.BLACK, lw=0.9, ax=ax, return_df=True, flush=True,
            )
        _finish(fig, ax, drawn, len(frame) + len(order) + 1, title)
    save_figure(fig, paths)


def _finish(fig: Figure, ax, drawn, n_rows: int, title: str | None) -> None:
    """What forestplot leaves out: header row, PI bars, plain ticks, bundled fonts, margins."""
    ax.set_ylim(-0.5, n_rows - 0.5)  # forestplot's own limit cuts the header row off
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("Risk ratio (random effects, log scale)", fontsize=style.SMALL_SIZE)
    position = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    for _, row in drawn.iterrows():
        if row["pi_lo"] == row["pi_lo"] and row["yticklabel"] in position:
            ax.hlines(position[row["yticklabel"]], row["pi_lo"], row["pi_hi"], colors=style.ORANGE,
                      linewidths=4.0, zorder=-1)
    _bundled_fonts(ax)
    _fit(fig, ax, title)


def _bundled_fonts(ax) -> None:
    """Every text in the bundled DejaVu fonts (forestplot asks by family name)."""
    texts = [*ax.get_yticklabels(), *ax.get_xticklabels(), *ax.texts, ax.xaxis.label]
    for t in texts:
        weight = "bold" if t.get_fontweight() in ("bold", 700) else "normal"
        mono = "mono" in " ".join(t.get_fontfamily()).lower()
        t.set_fontproperties(style.font(weight, t.get_fontsize(), mono))
        t.set_fontfeatures(style.TEXT_FEATURES)


def _fit(fig: Figure, ax, title: str | None) -> None:
    """Resize the figure to its content plus a margin, then add the title and the footer."""
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)  # inches
    width = box.width + 2 * PAD_INCH
    footer = text.wrap(FOOTER, (width - 2 * PAD_INCH) * 72, style.SMALL_SIZE)
    line = style.SMALL_SIZE * 1.35 / 72
    title_lines = text.wrap(title, (width - 2 * PAD_INCH) * 72, style.TITLE_SIZE, "bold") if title else []
    title_h = len(title_lines) * style.TITLE_SIZE * 1.35 / 72 + (0.08 if title_lines else 0)
    footer_h = len(footer) * line + 0.08
    height = box.height + 2 * PAD_INCH + title_h + footer_h
    pos = ax.get_position()
    old_w, old_h = fig.get_size_inches()
    x0 = pos.x0 * old_w - box.x0 + PAD_INCH
    y0 = pos.y0 * old_h - box.y0 + PAD_INCH + footer_h
    fig.set_size_inches(width, height)
    ax.set_position((x0 / width, y0 / height, pos.width * old_w / width, pos.height * old_h / height))
    for i, part in enumerate(title_lines):
        y = height - PAD_INCH - (i + 0.5) * style.TITLE_SIZE * 1.35 / 72
        fig.text(PAD_INCH / width, y / height, part, fontproperties=style.font("bold", style.TITLE_SIZE),
                 va="center", parse_math=False, fontfeatures=style.TEXT_FEATURES)
    for i, part in enumerate(footer):
        y = PAD_INCH + footer_h - 0.08 - (i + 0.5) * line
        fig.text(PAD_INCH / width, y / height, part, fontproperties=style.font("normal", style.SMALL_SIZE),
                 va="center", parse_math=False, fontfeatures=style.TEXT_FEATURES)
