"""The one painter of interval columns: axis, line of no effect, reference band and markers.

Every table-like figure (table.py: forest, cumulative, leave-one-out plots) places intervals
on an axis (axis.py, analysis scale) as `Marker`s and paints them here with matplotlib
collections, in points (x right, y down): weighted boxes or fixed-size points with whiskers,
diamonds for pooled estimates, bars for prediction intervals, and arrows where an interval
runs past the axis (as in RevMan).
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.patches import Rectangle

from metapool.plotting import axis as axes
from metapool.plotting import style

BAND = "#DCE9F5"  # light tint of style BLUE: a reference CI band
KINDS = ("box", "point", "flag", "diamond", "bar")


@dataclass(frozen=True)
class Marker:
    """An interval placed on the axis (analysis scale, clipped to it).

    kind: 'box' (weighted square with whiskers), 'point' (fixed-size square with whiskers),
    'flag' (fixed-size lozenge with whiskers: a flagged row), 'diamond' (pooled estimate) or
    'bar' (prediction interval); role: colour role (style.COLOURS); size: box side relative to
    the largest box, sqrt(weight / max weight), so box area is proportional to weight (1 for the
    other kinds); arrow_lo / arrow_hi: the interval runs past that axis end; est_inside: the
    centre lies on the axis (else no box or point is drawn).
    """

    kind: str
    role: str
    est: float | None
    lo: float
    hi: float
    size: float
    arrow_lo: bool
    arrow_hi: bool
    est_inside: bool


def place(axis: axes.Axis, kind: str, role: str, est: float | None, lo: float, hi: float,
          size: float = 1.0) -> Marker:
    """A Marker for [lo, hi] (analysis scale) clipped to `axis`."""
    c = axes.clip(axis, est, lo, hi)
    return Marker(kind, role, est, c.lo, c.hi, size, c.arrow_lo, c.arrow_hi, c.est_inside)


def paint_axis(ax, x, x0: float, x1: float, top: float, axis_y: float,
               ticks: tuple[tuple[float, str], ...]) -> None:
    """Line of no effect (analysis-scale 0) from `top` to the axis, the axis line and its ticks;
    `x` maps analysis-scale values to points."""
    grey = style.COLOURS["null"]
    segments = [[(x(0.0), top), (x(0.0), axis_y)], [(x0, axis_y), (x1, axis_y)]]
    segments += [[(x(v), axis_y), (x(v), axis_y + style.TICK)] for v, _ in ticks]
    ax.add_collection(LineCollection(segments, colors=[grey] + ["black"] * (len(segments) - 1),
                                     linewidths=[style.RULE_WIDTH]
                                     + [style.LINE_WIDTH] * (len(segments) - 1),
                                     capstyle="butt"))


def paint_reference(ax, x, est: float, lo: float, hi: float, top: float, bottom: float) -> None:
    """A reference estimate: its CI as a shaded band and a dashed line at the estimate."""
    ax.add_patch(Rectangle((x(lo), top), x(hi) - x(lo), bottom - top, facecolor=BAND,
                           edgecolor="none"))
    ax.add_collection(LineCollection([[(x(est), top), (x(est), bottom)]],
                                     colors=style.COLOURS["study"], linewidths=style.LINE_WIDTH,
                                     linestyles=(0, (3.0, 2.0))))


def paint_markers(ax, x, placed: list[tuple[Marker, float]], clip: tuple[float, float, float, float]
                  ) -> None:
    """Every (marker, y) of `placed`; diamonds and bars are clipped to `clip` (x0, y0, w, h)."""
    whiskers, points, point_colours, arrows, shapes, shape_colours = [], [], [], [], [], []
    for m, y in placed:
        x_lo, x_hi = x(m.lo), x(m.hi)
        if m.kind in ("box", "point", "flag"):
            whiskers.append([(x_lo, y), (x_hi, y)])
            if m.est_inside and m.size > 0:
                xc = x(m.est)
                if m.kind == "box":
                    half = style.MAX_BOX * m.size / 2
                else:
                    half = style.POINT / 2
                if m.kind == "flag":
                    half *= style.FLAG_SCALE
                    points.append([(xc - half, y), (xc, y - half), (xc + half, y), (xc, y + half)])
                else:
                    points.append([(xc - half, y - half), (xc + half, y - half),
                                   (xc + half, y + half), (xc - half, y + half)])
                point_colours.append(style.COLOURS[m.role])
        elif m.kind == "diamond":
            xc, h = x(m.est), style.DIAMOND_HALF_HEIGHT
            shapes.append([(x_lo, y), (xc, y - h), (x_hi, y), (xc, y + h)])
            shape_colours.append(style.COLOURS[m.role])
        else:
            h = style.BAR_HALF_HEIGHT
            shapes.append([(x_lo, y - h), (x_hi, y - h), (x_hi, y + h), (x_lo, y + h)])
            shape_colours.append(style.COLOURS[m.role])
        length, half_h = style.ARROW_LENGTH, style.ARROW_HALF_HEIGHT
        if m.arrow_lo:
            arrows.append([(x_lo, y), (x_lo + length, y - half_h), (x_lo + length, y + half_h)])
        if m.arrow_hi:
            arrows.append([(x_hi, y), (x_hi - length, y - half_h), (x_hi - length, y + half_h)])
    if whiskers:
        ax.add_collection(LineCollection(whiskers, colors=style.COLOURS["ci"],
                                         linewidths=style.LINE_WIDTH, capstyle="butt"))
    if points:
        ax.add_collection(PolyCollection(points, facecolors=point_colours, edgecolors="none"))
    if shapes:
        polys = PolyCollection(shapes, facecolors=shape_colours, edgecolors="none")
        ax.add_collection(polys)
        polys.set_clip_path(Rectangle(clip[:2], clip[2], clip[3], transform=ax.transData))
    if arrows:
        ax.add_collection(PolyCollection(arrows, facecolors=style.COLOURS["ci"], edgecolors="none"))


# Risk-of-bias traffic lights (RoB 2, as R robvis / meta rob()): colour and a glyph that also
# tells the levels apart in grayscale: low "+", some concerns "-", high "x", not assessed "?".
ROB_LEVELS = ("low", "some concerns", "high", None)
ROB_FILL = {"low": "#009E73", "some concerns": "#F0E442", "high": style.VERMILLION, None: "white"}
ROB_EDGE = {"low": "#00684C", "some concerns": "#A39700", "high": "#8F3F00", None: style.GREY}
ROB_GLYPH_COLOUR = {"low": "white", "some concerns": "black", "high": "white", None: style.GREY}
ROB_GLYPH = {"low": "+", "some concerns": "\u2212", "high": "\u00d7", None: "?"}
ROB_RADIUS = 4.2
GLYPH_HALF = 2.1  # half the length of a glyph's strokes


def rob_level(value) -> str | None:
    """A RoB 2 judgement as one of ROB_LEVELS ('Low', 'some concerns', 'High risk' -> ...)."""
    if value is None:
        return None
    v = str(value).strip().lower()
    if v.startswith("low"):
        return "low"
    if v.startswith("some"):
        return "some concerns"
    if v.startswith("high"):
        return "high"
    return None


def paint_symbols(ax, symbols) -> None:
    """Risk-of-bias circles with their glyph strokes at each (level, x, y); the '?' of a not
    assessed judgement is a text (table.py adds it)."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Circle

    if not symbols:
        return
    circles = [Circle((x, y), ROB_RADIUS) for _, x, y in symbols]
    ax.add_collection(PatchCollection(circles, facecolors=[ROB_FILL[lv] for lv, _, _ in symbols],
                                      edgecolors=[ROB_EDGE[lv] for lv, _, _ in symbols],
                                      linewidths=0.6))
    strokes, colours = [], []
    h = GLYPH_HALF
    for level, x, y in symbols:
        if level in ("low", "some concerns"):
            strokes.append([(x - h, y), (x + h, y)])
            colours.append(ROB_GLYPH_COLOUR[level])
        if level == "low":
            strokes.append([(x, y - h), (x, y + h)])
            colours.append(ROB_GLYPH_COLOUR[level])
        if level == "high":
            d = h * 0.8
            strokes += [[(x - d, y - d), (x + d, y + d)], [(x - d, y + d), (x + d, y - d)]]
            colours += [ROB_GLYPH_COLOUR[level]] * 2
    if strokes:
        ax.add_collection(LineCollection(strokes, colors=colours, linewidths=1.1, capstyle="butt",
                                         zorder=2.5))
