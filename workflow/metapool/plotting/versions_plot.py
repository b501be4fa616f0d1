"""How one analysis' pooled estimate moved across published versions.

One column per published version (its number and date) and one for the current run: the
random-effects pooled estimate and its 95% CI on the people's scale (a log axis for ratio
measures), the line of no effect, and under each column k and the estimate in numbers. A
version in which the analysis did not exist says so in its column; with no published version
the figure says "not yet published" and shows the current run alone. Input: the list of
``data/versions/versions.json`` and the current state (:mod:`metapool.versions.state`). Drawn on a
page.Frame onto a canvas.Canvas, as every figure of the package.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from metapool.measures import registry
from metapool.plotting import axis as ratio_axis
from metapool.plotting import style
from metapool.plotting.canvas import Canvas, text_box
from metapool.plotting.page import MARGIN, Frame, LegendEntry, Page, Text
from metapool.plotting.save import save_canvas
from metapool.versions import numbers as num

SUBTITLE = "The pooled estimate at each published version and in the current run"
SLOT = 84.0  # points per column
PLOT_LEFT = 46.0  # room for the y tick labels and the axis label
MIN_WIDTH = 380.0
PLOT_HEIGHT = 190.0
LABEL_LINES = 4  # version, date, k, estimate
CURRENT = style.COLOURS["fixed"]  # vermillion: the current run
PUBLISHED = style.COLOURS["study"]  # blue: published versions
LINEAR_STEPS = (1, 2, 2.5, 5)
MARKER = 5.5  # side of an estimate's square
HEAD = 4.0  # width and height of the arrow head where a CI runs past the axis


@dataclass(frozen=True)
class Column:
    """One x position: its label lines and the state shown (None: the analysis was not there)."""

    head: str
    date: str
    state: dict | None
    current: bool = False


def columns(analysis: str, versions: list[dict], current: dict | None) -> list[Column]:
    """The published versions, oldest first, then the current run."""
    cols = [Column(f"Version {v['version']}", v["date"], (v.get("analyses") or {}).get(analysis))
            for v in versions]
    return cols + [Column("Current run", "(not published)", current, current=True)]


def measure_of(cols: list[Column]) -> registry.Measure:
    """The measure of the latest column that has a state (RR when none has)."""
    code = next((c.state.get("measure") for c in reversed(cols) if c.state), None)
    return num.measure(code)


def drawn(state: dict | None) -> bool:
    return bool(state) and None not in (state.get("est"), state.get("ci_lb"), state.get("ci_ub"))


def y_axis(cols: list[Column], m: registry.Measure) -> tuple[float, float, list[tuple[float, str]]]:
    """(lo, hi, ticks) on the analysis scale: the log-RR ladder for ratios, nice steps for differences."""
    values = [c.state[k] for c in cols if drawn(c.state) for k in ("est", "ci_lb", "ci_ub")]
    if m.log_scale:
        ax = ratio_axis.choose(values, [])
        return ax.lo, ax.hi, list(ax.ticks)
    lo, hi = min(values + [0.0]), max(values + [0.0])
    pad = 0.08 * (hi - lo) or 1.0
    return lo - pad, hi + pad, linear_ticks(lo - pad, hi + pad)


def linear_ticks(lo: float, hi: float, target: int = 6) -> list[tuple[float, str]]:
    """Ticks at 1, 2, 2.5 or 5 times a power of ten within [lo, hi], at most about ``target``."""
    span = hi - lo
    magnitude = 10 ** math.floor(math.log10(span / target))
    step = next(s * magnitude for s in LINEAR_STEPS + (10,) if span / (s * magnitude) <= target)
    first = math.ceil(lo / step - 1e-9)
    ticks = [round(i * step, 10) for i in range(first, int(math.floor(hi / step + 1e-9)) + 1)]
    return [(t, f"{t:g}") for t in ticks]


def label_lines(col: Column) -> list[str]:
    """Under a column: its name, date, k and the estimate with its CI."""
    if col.state is None:
        return [col.head, col.date, "", ""]
    s, code = col.state, col.state.get("measure")
    estimate = (f"{num.value(code, s['est'])} ({num.interval(code, s['ci_lb'], s['ci_ub'])})"
                if drawn(s) else "not estimable")
    return [col.head, col.date, f"k = {s.get('k') or 0}", estimate]


def caption(m: registry.Measure, n_versions: int) -> str:
    """What the figure shows and how to read it."""
    scale = "log scale" if m.log_scale else "linear scale"
    return (f"Random-effects pooled {m.name.lower()} ({m.short}) and 95% CI ({scale}) at each published "
            f"version and in the current run (vermillion); the grey line is no effect ({m.short} = "
            f"{m.null:g}). k: trials pooled."
            + (f" {n_versions} published version{'s' * (n_versions != 1)}." if n_versions else ""))


def versions_figure(analysis: str, versions: list[dict], current: dict | None) -> Canvas:
    """The figure."""
    cols = columns(analysis, versions, current)
    m = measure_of(cols)
    title = next((c.state.get("title") for c in reversed(cols) if c.state and c.state.get("title")), analysis)
    slot = max(SLOT, (MIN_WIDTH - 2 * MARGIN - PLOT_LEFT) / len(cols))
    page = Page(2 * MARGIN + PLOT_LEFT + slot * len(cols))
    page.title(str(title), SUBTITLE)
    if not versions:
        page.space(2.0)
        page.paragraph("Not yet published: only the current run is shown.", style.FONT_SIZE, "bold")
    page.space(6.0)
    box = page.reserve(PLOT_HEIGHT, page.left + PLOT_LEFT, slot * len(cols))
    label_top = page.y + 4.0
    for i, col in enumerate(cols):
        x = box.x0 + slot * (i + 0.5)
        for j, line in enumerate(label_lines(col)):
            weight = "bold" if j == 0 else "normal"
            page.texts.append(Text(line, x, label_top + 9.2 * j, style.SMALL_SIZE, weight, ha="center", va="top",
                                   colour=CURRENT if col.current and j == 0 else style.COLOURS["text"]))
    page.space(4.0 + 9.2 * LABEL_LINES + 6.0)
    page.legend_rows([LegendEntry("marker", "Published version", PUBLISHED, marker="s"),
                      LegendEntry("marker", "Current run", CURRENT, marker="s"),
                      LegendEntry("line", f"No effect ({m.short} = {m.null:g})", style.COLOURS["null"])])
    page.space(4.0)
    page.paragraph(caption(m, len(versions)), colour=style.COLOURS["muted"])
    canvas = page.canvas()
    lo, hi, ticks = y_axis(cols, m) if any(drawn(c.state) for c in cols) else _empty_axis(m)
    _draw(canvas, Frame(box, (0.0, float(len(cols))), (lo, hi)), cols, m, ticks)
    return canvas


def _draw(canvas: Canvas, frame: Frame, cols: list[Column], m: registry.Measure,
          ticks: list[tuple[float, str]]) -> None:
    lo, hi = frame.ylim
    clip = frame.clip
    canvas.line(frame.xy([(0.0, 0.0), (len(cols), 0.0)]), style.COLOURS["null"], 0.8, z=1.0, clip=clip)
    for i, col in enumerate(cols):
        x = frame.x(i + 0.5)
        colour = CURRENT if col.current else PUBLISHED
        if not drawn(col.state):
            why = ("no pooled estimate" if col.state is not None else
                   "not in the current run" if col.current else "not in this version")
            note = Text(why, x, frame.y(lo + 0.8 * (hi - lo)), style.SMALL_SIZE, "italic", "center",
                        colour=style.COLOURS["muted"])
            x0, y0, x1, y1 = text_box(note)  # on a white ground, over the line of no effect
            canvas.rect(x0 - 1.0, y0 - 1.0, x1 - x0 + 2.0, y1 - y0 + 2.0, "white", z=2.9)
            canvas.text(note)
            continue
        s = col.state
        y0, y1 = frame.y(max(s["ci_lb"], lo)), frame.y(min(s["ci_ub"], hi))
        canvas.line([(x, y0), (x, y1)], colour, 1.3, z=2.0)
        h = HEAD / 2
        if s["ci_lb"] < lo:  # the CI runs past the axis: an arrow head at that end
            canvas.polygon([(x - h, y0 - h), (x + h, y0 - h), (x, y0 + h)], colour, z=2.5)
        if s["ci_ub"] > hi:
            canvas.polygon([(x - h, y1 + h), (x + h, y1 + h), (x, y1 - h)], colour, z=2.5)
        if lo <= s["est"] <= hi:
            ye, h = frame.y(s["est"]), MARKER / 2
            canvas.rect(x - h, ye - h, MARKER, MARKER, colour, "white", 0.5, z=2.6)
    label = f"{m.name} ({'log scale' if m.log_scale else m.short})"
    frame.axes(canvas, [], ticks, label)


def _empty_axis(m: registry.Measure) -> tuple[float, float, list[tuple[float, str]]]:
    if m.log_scale:
        ax = ratio_axis.choose([], [])
        return ax.lo, ax.hi, list(ax.ticks)
    return -1.0, 1.0, linear_ticks(-1.0, 1.0)


def draw_versions_figure(analysis_name: str, versions: list[dict], current_state: dict | None,
                         paths: dict) -> None:
    """Draw and save (deterministic bytes, atomic) the versions figure of one analysis.

    paths: {format: path} for any of svg, png, pdf.
    """
    save_canvas(versions_figure(analysis_name, versions, current_state), paths)
