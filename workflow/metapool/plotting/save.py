"""Deterministic, atomic saving of a figure (a canvas.Canvas) to SVG, PNG and PDF.

`save_canvas` writes every figure with the canvas' own writers: no dates, no software versions.
Each file is written to a temporary file in its own directory, then renamed over the target
(os.replace), so a reader never sees a half-written figure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from metapool.atomic import atomic_path
from metapool.plotting import style

FORMATS = ("svg", "png", "pdf")
MAX_PNG_PIXELS = 60_000  # Agg cannot rasterise a side longer than 2**16 pixels


def png_dpi(canvas) -> float:
    """style.DPI, lowered only for a figure so tall (a summary of 1,000+ analyses) that a side
    would pass MAX_PNG_PIXELS at that resolution."""
    return min(style.DPI, MAX_PNG_PIXELS * 72 / max(canvas.width, canvas.height))


def save_canvas(canvas, paths: Mapping[str, str | os.PathLike]) -> None:
    """Write a canvas.Canvas once per format key of `paths` ('svg', 'png', 'pdf')."""
    from metapool.plotting import canvas as cv

    unknown = sorted(set(paths) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown figure format(s) {unknown}; known: {', '.join(FORMATS)}")
    writers = {"svg": cv.to_svg,
               "png": lambda c: cv.to_png(c, png_dpi(c)),
               "pdf": cv.to_pdf}
    for fmt in FORMATS:
        if fmt in paths:
            data = writers[fmt](canvas)
            atomic_write(Path(paths[fmt]), lambda fh, data=data: fh.write(data))


def atomic_write(path: Path, write) -> None:
    """Call write(binary file) on a temporary file next to `path`, then rename it to `path`."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        write(fh)
