"""Drawing a forest-plot Layout with matplotlib's object API (no pyplot, no global state).

One Axes covers the whole figure with data coordinates in points (x right, y down), so the
Layout's positions are used as they are and boxes come out square.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from metapool.plotting import style
from metapool.plotting.forest_layout import Label, Layout, Plot, Row, build_layout
from metapool.plotting.options import ForestOptions
from metapool.plotting.save import save_figure

LINE_WIDTH = 0.8
DIAMOND_HALF_HEIGHT = 4.2
BAR_HALF_HEIGHT = 1.8
ARROW_LENGTH = 4.0
ARROW_HALF_HEIGHT = 2.4


def draw_forest(result: dict, paths: Mapping[str, str | os.PathLike],
                options: ForestOptions | dict | None = None) -> Layout:
    """Draw the forest plot of one analysis (pooled.json dict) to `paths` ('svg'/'png'/'pdf')."""
    layout = build_layout(result, options)
    with style.figure_style():
        fig = render(layout)
    save_figure(fig, paths)
    return layout


def render(layout: Layout) -> Figure:
    """A Figure showing `layout` (call inside style.figure_style())."""
    fig = Figure(figsize=(layout.width / 72, layout.height / 72), dpi=style.DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, layout.width)
    ax.set_ylim(layout.height, 0)
    for label in layout.headers + layout.axis_labels + layout.footers:
        _text(ax, label)
    for x0, x1, y in layout.rules:
        ax.plot([x0, x1], [y, y], color=style.COLOURS["null"], lw=0.6, solid_capstyle="butt")
    columns = {c.key: c for c in layout.columns}
    for row in layout.rows:
        _row_text(ax, row, columns, layout.plot)
    if layout.plot.drawn:
        _axis(ax, layout.plot)
        _markers(ax, layout)
    return fig


def _text(ax, label: Label) -> None:
    ax.text(label.x, label.y, label.text, fontproperties=style.font(label.style, label.size),
            ha=label.ha, va=label.va, color=style.COLOURS["text"], parse_math=False,
            fontfeatures=style.TEXT_FEATURES)


def _row_text(ax, row: Row, columns, plot: Plot) -> None:
    colour = style.COLOURS["muted"] if row.kind == "group_heterogeneity" else style.COLOURS["text"]
    prop = style.font(row.style, row.size)
    for key, value in row.cells.items():
        if not value:
            continue
        if key == "plot":
            x, ha = (plot.x0 + plot.x1) / 2, "center"
        else:
            column = columns[key]
            x, ha = (column.left, "left") if row.span else (column.anchor, column.align)
        ax.text(x, row.y, value, fontproperties=prop, ha=ha, va="center", color=colour,
                parse_math=False, linespacing=1.2, fontfeatures=style.TEXT_FEATURES)


def _axis(ax, plot: Plot) -> None:
    """Null line at RR = 1, the axis line and its ticks."""
    grey = style.COLOURS["null"]
    x1 = plot.x(0.0)
    segments = [[(x1, plot.top), (x1, plot.axis_y)], [(plot.x0, plot.axis_y), (plot.x1, plot.axis_y)]]
    segments += [[(plot.x(v), plot.axis_y), (plot.x(v), plot.axis_y + 3.0)] for v, _ in plot.axis.ticks]
    ax.add_collection(LineCollection(segments, colors=[grey] + ["black"] * (len(segments) - 1),
                                     linewidths=[0.6] + [LINE_WIDTH] * (len(segments) - 1),
                                     capstyle="butt"))


def _markers(ax, layout: Layout) -> None:
    """Boxes, whiskers, arrows, diamonds and prediction bars of every row."""
    plot = layout.plot
    whiskers, boxes, box_colours, arrows, shapes, shape_colours = [], [], [], [], [], []
    for row in layout.rows:
        m = row.marker
        if m is None:
            continue
        x_lo, x_hi, y = plot.x(m.lo), plot.x(m.hi), row.y
        if m.kind == "box":
            whiskers.append([(x_lo, y), (x_hi, y)])
            if m.est_inside and m.size > 0:
                half = layout.max_box * m.size / 2
                xc = plot.x(m.est)
                boxes.append([(xc - half, y - half), (xc + half, y - half),
                              (xc + half, y + half), (xc - half, y + half)])
                box_colours.append(style.COLOURS[m.role])
        elif m.kind == "diamond":
            xc, h = plot.x(m.est), DIAMOND_HALF_HEIGHT
            shapes.append([(x_lo, y), (xc, y - h), (x_hi, y), (xc, y + h)])
            shape_colours.append(style.COLOURS[m.role])
        else:
            h = BAR_HALF_HEIGHT
            shapes.append([(x_lo, y - h), (x_hi, y - h), (x_hi, y + h), (x_lo, y + h)])
            shape_colours.append(style.COLOURS[m.role])
        if m.arrow_lo:
            arrows.append([(x_lo, y), (x_lo + ARROW_LENGTH, y - ARROW_HALF_HEIGHT),
                           (x_lo + ARROW_LENGTH, y + ARROW_HALF_HEIGHT)])
        if m.arrow_hi:
            arrows.append([(x_hi, y), (x_hi - ARROW_LENGTH, y - ARROW_HALF_HEIGHT),
                           (x_hi - ARROW_LENGTH, y + ARROW_HALF_HEIGHT)])
    clip = Rectangle((plot.x0, 0), plot.x1 - plot.x0, layout.height, transform=ax.transData)
    if boxes:
        ax.add_collection(PolyCollection(boxes, facecolors=box_colours, edgecolors="none"))
    if whiskers:
        ax.add_collection(LineCollection(whiskers, colors=style.COLOURS["ci"],
                                         linewidths=LINE_WIDTH, capstyle="butt"))
    if shapes:
        polys = PolyCollection(shapes, facecolors=shape_colours, edgecolors="none")
        ax.add_collection(polys)
        polys.set_clip_path(clip)
    if arrows:
        ax.add_collection(PolyCollection(arrows, facecolors=style.COLOURS["ci"], edgecolors="none"))
