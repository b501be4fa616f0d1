"""Measured text widths (bundled DejaVu Sans metrics) and word wrapping to a width.

A width is the sum of the font's advance widths and kerning pairs (unhinted, in font units,
read once per character with FreeType), scaled to the point size: what an SVG or PDF viewer
lays out, without shaping a string (as the Agg text layout did, at ~0.5 ms a string). No
ligatures: the figures switch them off (style.TEXT_FEATURES).
"""

from __future__ import annotations

from functools import lru_cache

from metapool.plotting import style

UNITS = 2048  # DejaVu Sans units per em


@lru_cache(maxsize=None)
def _font(weight: str):
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(style.FONT_DIR / style.FONT_FILES[weight]))
    font.set_size(UNITS, 72)  # one pixel per font unit
    return font


@lru_cache(maxsize=None)
def _glyph(weight: str, char: str) -> tuple[int, float]:
    """(glyph index, advance in font units) of a character."""
    from matplotlib.ft2font import LoadFlags

    font = _font(weight)
    glyph = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
    return font.get_char_index(ord(char)), glyph.linearHoriAdvance / 65536


@lru_cache(maxsize=None)
def _kern(weight: str, left: int, right: int) -> float:
    from matplotlib.ft2font import Kerning

    return _font(weight).get_kerning(left, right, Kerning.UNSCALED)


def _line_units(line: str, weight: str) -> float:
    total, previous = 0.0, None
    for ch in line:
        index, advance = _glyph(weight, ch)
        if previous is not None:
            total += _kern(weight, previous, index)
        total += advance
        previous = index
    return total


@lru_cache(maxsize=65536)
def width(text: str, size: float = style.FONT_SIZE, weight: str = "normal") -> float:
    """Width in points of the widest line of `text`."""
    return max((_line_units(line, weight) for line in text.split("\n")), default=0.0) * size / UNITS


def wrap(text: str, max_width: float, size: float = style.FONT_SIZE,
         weight: str = "normal") -> list[str]:
    """Greedy word wrap of `text` into lines no wider than `max_width` points.

    A single word wider than `max_width` is kept whole on its own line (never cut).
    """
    words = text.split()
    if not words:
        return [""]
    lines = [words[0]]
    for word in words[1:]:
        candidate = f"{lines[-1]} {word}"
        if width(candidate, size, weight) <= max_width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines
