"""The risk-of-bias judgment marker (robvis-style, McGuinness & Higgins 2021 Res Synth Methods 12:55),
readable without colour: every judgment differs in colour (Okabe-Ito), shape and glyph.

  low            bluish-green circle with a white "+"
  some concerns  yellow square with a black "−"
  high           vermillion cross "×" (a filled X)
  not assessed   open (white) circle with a grey "?"

`draw_judgment` draws one on any Axes; sizes are in points (the marker is drawn in display
space, so it is round and the same size whatever the data scale of the Axes: the forest plot's
points-based canvas, or a data Axes).
"""

from __future__ import annotations

from functools import lru_cache

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from metapool.appraisal.rob2 import HIGH, LEVELS, LOW, NOT_ASSESSED, SOME_CONCERNS
from metapool.plotting import style

FACE = {LOW: "#009E73", SOME_CONCERNS: "#F0E442", HIGH: "#D55E00", NOT_ASSESSED: "#FFFFFF"}  # Okabe-Ito
EDGE = {LOW: "#000000", SOME_CONCERNS: "#000000", HIGH: "#000000", NOT_ASSESSED: style.GREY}
SHAPE = {LOW: "o", SOME_CONCERNS: "s", HIGH: "X", NOT_ASSESSED: "o"}
GLYPH = {LOW: "+", SOME_CONCERNS: "\u2212", HIGH: None, NOT_ASSESSED: "?"}
GLYPH_COLOUR = {LOW: "#FFFFFF", SOME_CONCERNS: "#000000", NOT_ASSESSED: style.GREY}
LABELS = {LOW: "Low", SOME_CONCERNS: "Some concerns", HIGH: "High", NOT_ASSESSED: "Not assessed"}
SHAPE_SCALE = {LOW: 1.0, SOME_CONCERNS: 0.86, HIGH: 1.05, NOT_ASSESSED: 1.0}  # equal visual weight


@lru_cache(maxsize=None)
def _question_mark() -> Path:
    """The '?' of the bundled DejaVu Sans Bold as a path centred on (0, 0), height 1."""
    path = TextPath((0, 0), "?", size=1.0, prop=style.font("bold"))
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    return path.transformed(Affine2D().translate(-(x0 + x1) / 2, -(y0 + y1) / 2).scale(1 / (y1 - y0)))


def draw_judgment(ax: Axes, x: float, y: float, judgment: str, size: float = 9.0,
                  zorder: float = 3.0) -> list[Line2D]:
    """Draw the marker of `judgment` ('low', 'some concerns', 'high', 'not assessed') centred at
    data (x, y), `size` points across; returns the artists added."""
    if judgment not in LEVELS:
        raise ValueError(f"unknown judgment {judgment!r}; choose one of {', '.join(LEVELS)}")
    line = max(0.5, size * 0.07)
    artists = [Line2D([x], [y], linestyle="none", marker=SHAPE[judgment],
                      markersize=size * SHAPE_SCALE[judgment], markerfacecolor=FACE[judgment],
                      markeredgecolor=EDGE[judgment], markeredgewidth=line, zorder=zorder, clip_on=False)]
    glyph = GLYPH[judgment]
    if glyph in ("+", "\u2212"):
        artists.append(Line2D([x], [y], linestyle="none", marker="+" if glyph == "+" else "_",
                              markersize=size * 0.58, markeredgewidth=size * 0.15,
                              markeredgecolor=GLYPH_COLOUR[judgment], zorder=zorder + 0.1, clip_on=False))
    elif glyph == "?":
        artists.append(Line2D([x], [y], linestyle="none", marker=_question_mark(), markersize=size * 0.62,
                              markerfacecolor=GLYPH_COLOUR[judgment], markeredgewidth=0.0,
                              zorder=zorder + 0.1, clip_on=False))
    for artist in artists:
        ax.add_line(artist)
    return artists
