"""Deterministic, atomic saving of a figure to SVG, PNG and PDF.

`save_canvas` writes a canvas.Canvas (every figure but the summary forest) with its own writers;
`save_figure` a matplotlib Figure (the summary forest plot, drawn by forestplot). Metadata that
varies between runs or versions (dates, software versions) is dropped, rcParams come from
style.figure_style (fixed SVG hash salt, text kept as text), and each file is written to a
temporary file in its own directory, then renamed over the target (os.replace), so a reader
never sees a half-written figure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from metapool.atomic import atomic_path
from metapool.plotting import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("svg", "png", "pdf")
METADATA = {
    "svg": {"Date": None, "Creator": None},
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
}


MAX_PNG_PIXELS = 60_000  # Agg cannot rasterise a side longer than 2**16 pixels


def png_dpi(fig: Figure) -> float:
    """style.DPI, lowered only for a figure so tall (a summary of 1,000+ analyses) that a side
    would pass MAX_PNG_PIXELS at that resolution."""
    return min(style.DPI, MAX_PNG_PIXELS / max(fig.get_size_inches()))


def save_figure(fig: Figure, paths: Mapping[str, str | os.PathLike]) -> None:
    """Write `fig` once per format key of `paths` ('svg', 'png', 'pdf'); PNG at png_dpi(fig), PDF
    fonts through pdf_fonts' fixed subset."""
    from metapool.plotting import pdf_fonts

    pdf_fonts.install()
    unknown = sorted(set(paths) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown figure format(s) {unknown}; known: {', '.join(FORMATS)}")
    with style.figure_style():
        for fmt in FORMATS:
            if fmt in paths:
                atomic_write(Path(paths[fmt]), lambda fh, fmt=fmt: fig.savefig(
                    fh, format=fmt, dpi=png_dpi(fig), metadata=METADATA[fmt]))


def save_canvas(canvas, paths: Mapping[str, str | os.PathLike]) -> None:
    """Write a canvas.Canvas once per format key of `paths` ('svg', 'png', 'pdf')."""
    from metapool.plotting import canvas as cv

    unknown = sorted(set(paths) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown figure format(s) {unknown}; known: {', '.join(FORMATS)}")
    writers = {"svg": cv.to_svg,
               "png": lambda c: cv.to_png(c, min(style.DPI, MAX_PNG_PIXELS * 72 / max(c.width, c.height))),
               "pdf": cv.to_pdf}
    for fmt in FORMATS:
        if fmt in paths:
            data = writers[fmt](canvas)
            atomic_write(Path(paths[fmt]), lambda fh, data=data: fh.write(data))


def atomic_write(path: Path, write) -> None:
    """Call write(binary file) on a temporary file next to `path`, then rename it to `path`."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        write(fh)
