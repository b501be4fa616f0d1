"""The per-analysis forest plot: forest_rows.forest_table laid out and drawn by table.py; an
analysis with nothing to pool is a short page saying so and why for each trial (no empty plot)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from metapool.plotting import effects, table
from metapool.plotting.forest_rows import forest_table, nothing_to_pool
from metapool.plotting.options import ForestOptions
from metapool.plotting.save import save_canvas
from metapool.plotting.page import message_page
from metapool.plotting.table import Layout, render

__all__ = ["build_layout", "draw_forest", "render"]


def build_layout(result: dict, options: ForestOptions | dict | None = None) -> Layout:
    """The forest plot of `result` (pooled.json dict) placed on the page."""
    return table.layout(forest_table(result, ForestOptions.coerce(options)))


def draw_forest(result: dict, paths: Mapping[str, str | os.PathLike],
                options: ForestOptions | dict | None = None) -> Layout | None:
    """Draw the forest plot of one analysis (pooled.json dict) to `paths` ('svg'/'png'/'pdf');
    with nothing to pool (k = 0) a short page instead (returns None)."""
    if not result.get("k"):
        message, detail = nothing_to_pool(result)
        title = str(result.get("title") or result.get("analysis") or "")
        save_canvas(message_page(title, effects.measure(result).name, message, detail).canvas(), paths)
        return None
    layout = build_layout(result, options)
    save_canvas(render(layout), paths)
    return layout
