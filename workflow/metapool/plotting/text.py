"""Measured text extents (bundled DejaVu Sans, Agg metrics) and word wrapping to a width.

Widths come from the same FreeType layout the Agg renderer uses, at 72 dpi, so they are
in points; no figure is created.
"""

from __future__ import annotations

from functools import lru_cache

from matplotlib.backends.backend_agg import RendererAgg

from metapool.plotting import style

_RENDERER = RendererAgg(1, 1, 72)  # 72 dpi: pixels are points


@lru_cache(maxsize=65536)
def width(text: str, size: float = style.FONT_SIZE, weight: str = "normal") -> float:
    """Width in points of the widest line of `text`."""
    prop = style.font(weight, size)
    return max(
        (_RENDERER.get_text_width_height_descent(line, prop, ismath=False)[0]
         for line in text.split("\n")),
        default=0.0,
    )


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
