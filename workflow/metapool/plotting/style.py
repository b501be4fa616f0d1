"""Fonts, colours, sizes and rcParams shared by every figure of the package.

The font is the DejaVu Sans *bundled with matplotlib* (loaded by file name, never looked up
among system fonts), so measured widths and rendered bytes do not depend on the machine.
Colours are from the Okabe-Ito palette (Okabe & Ito 2008), safe for colour-blind readers.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FILES = {
    "normal": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
}

# Okabe-Ito colours.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
BLACK = "#000000"
GREY = "#6E6E6E"

COLOURS = {
    "study": BLUE,  # weighted boxes
    "ci": BLACK,  # study whiskers and arrows
    "random": BLACK,  # random-effects diamonds
    "fixed": VERMILLION,  # fixed-effect diamonds
    "prediction": ORANGE,  # prediction-interval bar
    "bayes": "#009E73",  # Bayesian random-effects diamond and predictive bar (Okabe-Ito bluish green)
    "null": GREY,  # line of no effect, rules
    "text": BLACK,
    "muted": "#4D4D4D",  # footers
}

# Sizes in points.
FONT_SIZE = 8.0  # table cells
SMALL_SIZE = 7.0  # footers, heterogeneity lines, tick labels
TITLE_SIZE = 9.5
PRINT_WIDTH = 17 / 2.54 * 72  # a 17 cm printed page width, in points (issue 22 item 5)
DPI = 300  # PNG resolution (journals ask for 300 dpi or more)
# The SVG font list: the bundled font first, then fonts with the same metrics class and a generic
# family, so a system without DejaVu Sans renders in a sans-serif, never in its default serif.
SVG_FONT_FAMILY = "'DejaVu Sans', 'Bitstream Vera Sans', Arial, Helvetica, sans-serif"

# Geometry in points (1/72 inch), shared by every figure: page margins, table rows and columns,
# and the markers of interval columns (marks.py).
MARGIN = 12.0  # page margin on every side
TITLE_LINE = 12.5  # pitch of TITLE_SIZE lines
LINE = 9.6  # pitch of FONT_SIZE lines (paragraphs, wrapped labels)
SMALL_LINE = 9.2  # pitch of SMALL_SIZE lines (footers, captions)
ROW = 12.0  # table row pitch
SMALL_ROW = 10.0  # table rows in the small font (subgroup heterogeneity lines)
GAP = 9.0  # between table columns
PLOT_PAD = 10.0  # between an interval column and its neighbours
GROUP_GAP = 5.0  # space before a block of rows (subgroup heading, totals)
TICK = 3.0  # axis tick length
RULE_WIDTH = 0.6  # horizontal rules and the line of no effect
LINE_WIDTH = 0.8  # axis, whiskers
MAX_BOX = 9.0  # side of the largest weighted box
MIN_BOX = 3.0  # side of the smallest weighted box (a 0.1% weight stays visible; table.box_size)
POINT = 4.6  # side of an unweighted square point
FLAG_SCALE = 1.35  # a flagged point is a lozenge this much larger
DIAMOND_HALF_HEIGHT = 4.2
BAR_HALF_HEIGHT = 1.8  # prediction-interval bar
ARROW_LENGTH = 4.0  # an interval running past the axis ends in an arrow
ARROW_HALF_HEIGHT = 2.4

# Font features for every text: no ligatures. matplotlib 3.11 shapes text with HarfBuzz, and a
# ligature glyph (fi, ff, fl) has no character code of its own, so the PDF embeds a second
# subset of the font for it -- each embedded subset costs about 0.1 s of fontTools work.
TEXT_FEATURES = ("-liga",)

@lru_cache(maxsize=None)
def font(weight: str = "normal", size: float = FONT_SIZE, mono: bool = False) -> FontProperties:
    """FontProperties of the bundled DejaVu Sans (Mono) in `weight` ('normal', 'bold', 'italic')."""
    from matplotlib.font_manager import FontProperties

    family = "DejaVu Sans Mono" if mono else "DejaVu Sans"
    fname = FONT_FILES[weight].replace("DejaVuSans", "DejaVuSansMono" if mono else "DejaVuSans")
    return FontProperties(
        family=family,
        weight="bold" if weight == "bold" else "normal",
        style="oblique" if weight == "italic" else "normal",
        size=size,
        fname=FONT_DIR / fname,
    )
