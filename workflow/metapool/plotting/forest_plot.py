"""The per-analysis forest plot: forest_rows.forest_table laid out and drawn by table.py."""

from __future__ import annotations

import os
from collections.abc import Mapping

from metapool.plotting import table
from metapool.plotting.forest_rows import forest_table
from metapool.plotting.options import ForestOptions
from metapool.plotting.save import save_canvas
from metapool.plotting.table import Layout, render

__all__ = ["build_layout", "draw_forest", "render"]


def build_layout(result: dict, options: ForestOptions | dict | None = None) -> Layout:
    """The forest plot of `result` (pooled.json dict) placed on the page."""
    return table.layout(forest_table(result, ForestOptions.coerce(options)))


def draw_forest(result: dict, paths: Mapping[str, str | os.PathLike],
                options: ForestOptions | dict | None = None) -> Layout:
    """Draw the forest plot of one analysis (pooled.json dict) to `paths` ('svg'/'png'/'pdf')."""
    layout = build_layout(result, options)
    save_canvas(render(layout), paths)
    return layout
