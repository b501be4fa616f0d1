"""A table of risk ratios with a log-RR interval column: the cumulative and leave-one-out plots.

`IntervalTable` is the content (row labels, text cells, intervals on the ln RR scale, an
optional reference estimate drawn as a dashed line over its CI band); `draw_table` places it
on a Page (measured column widths, wrapped long labels) and draws points with whiskers,
arrows where an interval runs past the axis (axis.choose / axis.clip), and the line of no
effect.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.patches import Rectangle

from metapool.plotting import axis as axes
from metapool.plotting import style
from metapool.plotting import text
from metapool.plotting.page import MARGIN, Page, Text

ROW = 12.0  # row pitch
LINE = 9.6  # extra height per wrapped label line
GAP = 9.0  # between text columns
PLOT_PAD = 10.0  # between the plot column and its neighbours
PLOT_WIDTH = 180.0
MAX_LABEL = 190.0  # labels wider than this wrap
MIN_WIDTH = 400.0  # narrowest page, so titles and footers do not wrap into a tower
POINT = 4.6  # side of a square point marker
DIAMOND_HALF_HEIGHT = 4.2
ARROW_LENGTH = 4.0
ARROW_HALF_HEIGHT = 2.4
TICK = 3.0
BAND = "#DCE9F5"  # light tint of style BLUE: the reference CI band


@dataclass(frozen=True)
class IntervalRow:
    """One row: label, right-hand text cells, interval (ln RR; None: nothing drawn).

    kind 'point' (a square with whiskers) or 'summary' (a diamond, bold text, set off by a
    rule); flagged rows get a vermillion diamond point instead of a blue square.
    """

    label: str
    cells: tuple[str, ...]
    est: float | None
    lo: float | None
    hi: float | None
    kind: str = "point"
    flagged: bool = False


@dataclass(frozen=True)
class IntervalTable:
    title: str
    subtitle: str
    label_header: str
    columns: tuple[str, ...]  # right-hand column headers, one per cell
    rows: tuple[IntervalRow, ...]
    favours: tuple[str, str]  # texts under the axis, left and right of RR = 1
    footers: tuple[str, ...] = ()
    reference: tuple[float, float, float] | None = None  # est, lo, hi (ln RR)
    plot_header: str = "Risk ratio (95% CI)"


@dataclass(frozen=True)
class PlacedRow:
    row: IntervalRow
    lines: tuple[str, ...]
    y: float


def choose_axis(table: IntervalTable) -> axes.Axis:
    """Estimates and the reference interval must fit; CI limits up to 10-fold (axis.choose)."""
    must, should = [], []
    for r in table.rows:
        if r.est is not None:
            must.append(r.est)
        if r.kind == "summary" and r.lo is not None:
            must.extend((r.lo, r.hi))
        elif r.lo is not None:
            should.extend((r.lo, r.hi))
    if table.reference is not None:
        must.extend(table.reference)
    return axes.choose(must, should)


def wrap_label(label: str, weight: str = "normal") -> tuple[str, ...]:
    """A label as lines no wider than MAX_LABEL (a single long word stays whole)."""
    if text.width(label, style.FONT_SIZE, weight) <= MAX_LABEL:
        return (label,)
    return tuple(text.wrap(label, MAX_LABEL, style.FONT_SIZE, weight))


def draw_table(table: IntervalTable) -> Page:
    """Lay out and render `table`; the returned Page holds the Figure (page.fig)."""
    axis = choose_axis(table)
    wrapped = [wrap_label(r.label, _weight(r)) for r in table.rows]
    label_w = max([text.width(line, style.FONT_SIZE, _weight(r))
                   for r, lines in zip(table.rows, wrapped) for line in lines]
                  + [text.width(table.label_header, style.FONT_SIZE, "bold")])
    col_w = [max([text.width(r.cells[i], style.FONT_SIZE, _weight(r)) for r in table.rows]
                 + [text.width(h, style.FONT_SIZE, "bold")])
             for i, h in enumerate(table.columns)]
    favours_w = max(text.width(f, style.SMALL_SIZE) for f in table.favours)
    plot_w = max(PLOT_WIDTH, 2 * favours_w + 16.0,
                 text.width(table.plot_header, style.FONT_SIZE, "bold") + 8.0)
    x_plot = MARGIN + label_w + PLOT_PAD
    col_right = []
    x = x_plot + plot_w + PLOT_PAD
    for w in col_w:
        col_right.append(x + w)
        x += w + GAP
    width = max(MIN_WIDTH, x - GAP + MARGIN)

    page = Page(width)
    page.title(table.title, table.subtitle)
    page.space(1.0)
    header_y = page.y + LINE / 2
    page.texts.append(Text(table.label_header, MARGIN, header_y, weight="bold"))
    page.texts.append(Text(table.plot_header, x_plot + plot_w / 2, header_y, weight="bold",
                           ha="center"))
    for h, right in zip(table.columns, col_right):
        page.texts.append(Text(h, right, header_y, weight="bold", ha="right"))
    page.space(LINE + 3.0)
    page.rule()
    top = page.y

    placed = []
    for r, lines in zip(table.rows, wrapped):
        if r.kind == "summary":
            page.space(2.0)
            page.rule()
        h = ROW + LINE * (len(lines) - 1)
        y = page.y + h / 2
        placed.append(PlacedRow(r, lines, y))
        first = y - LINE * (len(lines) - 1) / 2
        for i, line in enumerate(lines):
            page.texts.append(Text(line, MARGIN, first + i * LINE, weight=_weight(r)))
        for cell, right in zip(r.cells, col_right):
            page.texts.append(Text(cell, right, y, weight=_weight(r), ha="right"))
        page.space(h)
    page.space(4.0)
    axis_y = page.y

    def px(v: float) -> float:
        return x_plot + (v - axis.lo) / (axis.hi - axis.lo) * plot_w

    labels_y = axis_y + TICK + 2.0
    for v, lab in axis.ticks:
        page.texts.append(Text(lab, px(v), labels_y, style.SMALL_SIZE, ha="center", va="top"))
    favours_y = labels_y + style.SMALL_SIZE * 1.3 + 2.0
    page.texts.append(Text(table.favours[0], px(0.0) - 4.0, favours_y, style.SMALL_SIZE,
                           ha="right", va="top"))
    page.texts.append(Text(table.favours[1], px(0.0) + 4.0, favours_y, style.SMALL_SIZE,
                           va="top"))
    page.y = favours_y + style.SMALL_SIZE * 1.3 + 6.0
    for line in table.footers:
        page.paragraph(line, colour=style.COLOURS["muted"])

    page.render()
    _draw_plot(page, table, axis, placed, px, top, axis_y, x_plot, plot_w)
    return page


def _weight(row: IntervalRow) -> str:
    return "bold" if row.kind == "summary" else "normal"


def _draw_plot(page: Page, table: IntervalTable, axis: axes.Axis, placed: list[PlacedRow], px,
               top: float, axis_y: float, x_plot: float, plot_w: float) -> None:
    """Reference band and line, null line, axis with ticks, whiskers, points, diamonds, arrows."""
    ax = page.canvas_ax
    if table.reference is not None:
        est, lo, hi = (min(max(v, axis.lo), axis.hi) for v in table.reference)
        ax.add_patch(Rectangle((px(lo), top), px(hi) - px(lo), axis_y - top, facecolor=BAND,
                               edgecolor="none"))
        ax.add_collection(LineCollection([[(px(est), top), (px(est), axis_y)]],
                                         colors=style.COLOURS["study"], linewidths=0.8,
                                         linestyles=(0, (3.0, 2.0))))
    grey = style.COLOURS["null"]
    segments = [[(px(0.0), top), (px(0.0), axis_y)], [(x_plot, axis_y), (x_plot + plot_w, axis_y)]]
    segments += [[(px(v), axis_y), (px(v), axis_y + TICK)] for v, _ in axis.ticks]
    ax.add_collection(LineCollection(segments, colors=[grey] + ["black"] * (len(segments) - 1),
                                     linewidths=[0.6] + [0.8] * (len(segments) - 1),
                                     capstyle="butt"))
    whiskers, squares, square_colours, diamonds, arrows = [], [], [], [], []
    for p in placed:
        r, y = p.row, p.y
        if r.est is None or r.lo is None or r.hi is None:
            continue
        c = axes.clip(axis, r.est, r.lo, r.hi)
        x_lo, x_hi = px(c.lo), px(c.hi)
        if r.kind == "summary":
            h = DIAMOND_HALF_HEIGHT
            diamonds.append([(x_lo, y), (px(r.est), y - h), (x_hi, y), (px(r.est), y + h)])
            continue
        whiskers.append([(x_lo, y), (x_hi, y)])
        if c.est_inside:
            xc, half = px(r.est), POINT / 2
            if r.flagged:
                half *= 1.35
                squares.append([(xc - half, y), (xc, y - half), (xc + half, y), (xc, y + half)])
                square_colours.append(style.COLOURS["fixed"])
            else:
                squares.append([(xc - half, y - half), (xc + half, y - half),
                                (xc + half, y + half), (xc - half, y + half)])
                square_colours.append(style.COLOURS["study"])
        if c.arrow_lo:
            arrows.append([(x_lo, y), (x_lo + ARROW_LENGTH, y - ARROW_HALF_HEIGHT),
                           (x_lo + ARROW_LENGTH, y + ARROW_HALF_HEIGHT)])
        if c.arrow_hi:
            arrows.append([(x_hi, y), (x_hi - ARROW_LENGTH, y - ARROW_HALF_HEIGHT),
                           (x_hi - ARROW_LENGTH, y + ARROW_HALF_HEIGHT)])
    if whiskers:
        ax.add_collection(LineCollection(whiskers, colors=style.COLOURS["ci"], linewidths=0.8,
                                         capstyle="butt"))
    if squares:
        ax.add_collection(PolyCollection(squares, facecolors=square_colours, edgecolors="none"))
    if diamonds:
        polys = PolyCollection(diamonds, facecolors=style.COLOURS["random"], edgecolors="none")
        ax.add_collection(polys)
        polys.set_clip_path(Rectangle((x_plot, 0), plot_w, page.height, transform=ax.transData))
    if arrows:
        ax.add_collection(PolyCollection(arrows, facecolors=style.COLOURS["ci"], edgecolors="none"))
