"""The risk-of-bias judgment marker (robvis-style, McGuinness & Higgins 2021 Res Synth Methods 12:55),
readable without colour: every judgment differs in colour (Okabe-Ito), shape and glyph.

  low            bluish-green circle with a white "+"
  some concerns  yellow square with a black "−"
  high           vermillion cross "×" (a filled X)
  not assessed   open (white) circle with a grey "?"

`draw_judgment` draws one onto a canvas.Canvas, centred at (x, y) in points (y down), `size`
points across: shapes and strokes, and the "?" as a text (text stays text in SVG and PDF).
"""

from __future__ import annotations

from functools import lru_cache

from metapool.appraisal.rob2 import HIGH, LEVELS, LOW, NOT_ASSESSED, SOME_CONCERNS
from metapool.plotting import style
from metapool.plotting.canvas import ASCENT, DESCENT, Canvas
from metapool.plotting.page import Text

FACE = {LOW: "#009E73", SOME_CONCERNS: "#F0E442", HIGH: "#D55E00", NOT_ASSESSED: "#FFFFFF"}  # Okabe-Ito
EDGE = {LOW: "#000000", SOME_CONCERNS: "#000000", HIGH: "#000000", NOT_ASSESSED: style.GREY}
SHAPE = {LOW: "o", SOME_CONCERNS: "s", HIGH: "X", NOT_ASSESSED: "o"}  # circle, square, filled cross
GLYPH = {LOW: "+", SOME_CONCERNS: "\u2212", HIGH: None, NOT_ASSESSED: "?"}
GLYPH_COLOUR = {LOW: "#FFFFFF", SOME_CONCERNS: "#000000", NOT_ASSESSED: style.GREY}
LABELS = {LOW: "Low", SOME_CONCERNS: "Some concerns", HIGH: "High", NOT_ASSESSED: "Not assessed"}
SHAPE_SCALE = {LOW: 1.0, SOME_CONCERNS: 0.86, HIGH: 1.05, NOT_ASSESSED: 1.0}  # equal visual weight
# The filled cross in a unit square centred on (0, 0) (matplotlib's "X" marker).
CROSS = ((-0.25, -0.5), (0.0, -0.25), (0.25, -0.5), (0.5, -0.25), (0.25, 0.0), (0.5, 0.25),
         (0.25, 0.5), (0.0, 0.25), (-0.25, 0.5), (-0.5, 0.25), (-0.25, 0.0), (-0.5, -0.25))
STROKE = 0.58  # length of the "+" and "−" strokes, times the marker size
STROKE_WIDTH = 0.15
QUESTION = 0.62  # ink height of the "?", times the marker size


@lru_cache(maxsize=None)
def _question_ink() -> tuple[float, float, float]:
    """(ink height, ink centre right of the advance centre, ink centre above the baseline) of the
    bundled DejaVu Sans Bold '?', per point of font size."""
    from matplotlib.textpath import TextPath

    from metapool.plotting import text

    path = TextPath((0, 0), "?", size=1.0, prop=style.font("bold"))
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    return y1 - y0, (x0 + x1) / 2 - text.width("?", 1.0, "bold") / 2, (y0 + y1) / 2


def question_mark(x: float, y: float, height: float, colour: str) -> Text:
    """A bold '?' whose ink is `height` points tall and centred on (x, y)."""
    ink, dx, dy = _question_ink()
    size = height / ink
    # va='center' puts the baseline (ASCENT - DESCENT) / 2 sizes below the anchor
    anchor_y = y + dy * size - (ASCENT - DESCENT) / 2 * size
    return Text("?", x - dx * size, anchor_y, size, "bold", "center", colour=colour)


def draw_judgment(canvas: Canvas, x: float, y: float, judgment: str, size: float = 9.0,
                  z: float = 3.0) -> int:
    """Draw the marker of `judgment` ('low', 'some concerns', 'high', 'not assessed') centred at
    (x, y), `size` points across, at layer `z` (its glyph just above); returns how many items
    were added to the canvas."""
    if judgment not in LEVELS:
        raise ValueError(f"unknown judgment {judgment!r}; choose one of {', '.join(LEVELS)}")
    before = len(canvas.items)
    line = max(0.5, size * 0.07)
    side = size * SHAPE_SCALE[judgment]
    shape = SHAPE[judgment]
    if shape == "o":
        canvas.circle(x, y, side / 2, FACE[judgment], EDGE[judgment], line, z=z)
    elif shape == "s":
        h = side / 2
        canvas.polygon([(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h)],
                       FACE[judgment], EDGE[judgment], line, z=z)
    else:
        canvas.polygon([(x + px * side, y + py * side) for px, py in CROSS], FACE[judgment],
                       EDGE[judgment], line, z=z)
    glyph = GLYPH[judgment]
    if glyph in ("+", "\u2212"):
        h, width = size * STROKE / 2, size * STROKE_WIDTH
        strokes = [[(x - h, y), (x + h, y)]] + ([[(x, y - h), (x, y + h)]] if glyph == "+" else [])
        for points in strokes:
            canvas.line(points, GLYPH_COLOUR[judgment], width, z=z + 0.1)
    elif glyph == "?":
        canvas.text(question_mark(x, y, size * QUESTION, GLYPH_COLOUR[judgment]), z=z + 0.1)
    return len(canvas.items) - before
