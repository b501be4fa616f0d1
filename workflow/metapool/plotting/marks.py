"""The one painter of interval columns: axis, line of no effect, reference band and markers.

Every table-like figure (table.py: forest, cumulative, leave-one-out plots) places intervals
on an axis (axis.py, analysis scale) as `Marker`s and paints them here onto a canvas.Canvas,
in points (x right, y down): weighted boxes or fixed-size points with whiskers,
diamonds for pooled estimates, bars for prediction intervals, and arrows where an interval
runs past the axis (as in RevMan).
"""

from __future__ import annotations

from dataclasses import dataclass

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


def paint_axis(canvas, x, x0: float, x1: float, top: float, axis_y: float,
               ticks: tuple[tuple[float, str], ...]) -> None:
    """Line of no effect (analysis-scale 0) from `top` to the axis, the axis line and its ticks;
    `x` maps analysis-scale values to points."""
    canvas.line([(x(0.0), top), (x(0.0), axis_y)], style.COLOURS["null"], style.RULE_WIDTH)
    canvas.line([(x0, axis_y), (x1, axis_y)], "#000000", style.LINE_WIDTH)
    for v, _ in ticks:
        canvas.line([(x(v), axis_y), (x(v), axis_y + style.TICK)], "#000000", style.LINE_WIDTH)


def paint_reference(canvas, x, est: float, lo: float, hi: float, top: float,
                    bottom: float) -> None:
    """A reference estimate: its CI as a shaded band and a dashed line at the estimate."""
    canvas.polygon([(x(lo), top), (x(hi), top), (x(hi), bottom), (x(lo), bottom)], BAND,
                   z=0.5)
    canvas.line([(x(est), top), (x(est), bottom)], style.COLOURS["study"], style.LINE_WIDTH,
                dash=(0.0, (3.0, 2.0)))


def paint_markers(canvas, x, placed: list[tuple[Marker, float]],
                  clip: tuple[float, float, float, float]) -> None:
    """Every (marker, y) of `placed`; diamonds and bars are clipped to `clip` (x0, y0, w, h)."""
    length, half_h = style.ARROW_LENGTH, style.ARROW_HALF_HEIGHT
    for m, y in placed:
        x_lo, x_hi = x(m.lo), x(m.hi)
        if m.kind in ("box", "point", "flag"):
            canvas.line([(x_lo, y), (x_hi, y)], style.COLOURS["ci"], style.LINE_WIDTH)
            if m.est_inside and m.size > 0:
                xc = x(m.est)
                half = style.MAX_BOX * m.size / 2 if m.kind == "box" else style.POINT / 2
                if m.kind == "flag":
                    half *= style.FLAG_SCALE
                    shape = [(xc - half, y), (xc, y - half), (xc + half, y), (xc, y + half)]
                else:
                    shape = [(xc - half, y - half), (xc + half, y - half),
                             (xc + half, y + half), (xc - half, y + half)]
                canvas.polygon(shape, style.COLOURS[m.role])
        elif m.kind == "diamond":
            xc, h = x(m.est), style.DIAMOND_HALF_HEIGHT
            canvas.polygon([(x_lo, y), (xc, y - h), (x_hi, y), (xc, y + h)],
                           style.COLOURS[m.role], clip=clip)
        else:
            h = style.BAR_HALF_HEIGHT
            canvas.polygon([(x_lo, y - h), (x_hi, y - h), (x_hi, y + h), (x_lo, y + h)],
                           style.COLOURS[m.role], clip=clip)
        if m.arrow_lo:
            canvas.polygon([(x_lo, y), (x_lo + length, y - half_h), (x_lo + length, y + half_h)],
                           style.COLOURS["ci"], z=2.2)
        if m.arrow_hi:
            canvas.polygon([(x_hi, y), (x_hi - length, y - half_h), (x_hi - length, y + half_h)],
                           style.COLOURS["ci"], z=2.2)


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


def paint_symbols(canvas, symbols) -> None:
    """Risk-of-bias circles with their glyph strokes at each (level, x, y); the '?' of a not
    assessed judgement is a text (table.py adds it)."""
    h = GLYPH_HALF
    for level, x, y in symbols:
        canvas.circle(x, y, ROB_RADIUS, ROB_FILL[level], ROB_EDGE[level], 0.6, z=2.4)
        colour = ROB_GLYPH_COLOUR[level]
        if level in ("low", "some concerns"):
            canvas.line([(x - h, y), (x + h, y)], colour, 1.1, z=2.5)
        if level == "low":
            canvas.line([(x, y - h), (x, y + h)], colour, 1.1, z=2.5)
        if level == "high":
            d = h * 0.8
            canvas.line([(x - d, y - d), (x + d, y + d)], colour, 1.1, z=2.5)
            canvas.line([(x - d, y + d), (x + d, y - d)], colour, 1.1, z=2.5)
