"""The living-review figures of one analysis, drawn from its pooled.json and living.json.

`draw_living_figures` writes, per key of `paths`: "cumulative" (cumulative_plot), "leave1out"
(leave1out_plot), "funnel" (funnel_plot) and "tsa" (tsa_plot), each to the formats given
(svg, png, pdf) with save.save_canvas (deterministic bytes, atomic writes).
"""

from __future__ import annotations

from metapool.plotting.options import ForestOptions

import os
from collections.abc import Mapping

from metapool.plotting.cumulative_plot import cumulative_figure
from metapool.plotting.funnel_plot import funnel_figure
from metapool.plotting.leave1out_plot import leave1out_figure
from metapool.plotting.save import save_canvas
from metapool.plotting.tsa_plot import tsa_figure

FIGURES = {
    "cumulative": cumulative_figure,
    "leave1out": leave1out_figure,
    "funnel": funnel_figure,
    "tsa": tsa_figure,
}


def draw_living_figures(pooled: dict, sens: dict, options: ForestOptions,
                        paths: Mapping[str, Mapping[str, str | os.PathLike]]) -> None:
    """Draw each figure named in `paths` ({figure: {format: path}}) for one analysis.

    pooled: the pooled.json dict; sens: the living.json dict (metapool.living
    run_living); options: the analysis' plot options (arm labels).
    """
    unknown = sorted(set(paths) - set(FIGURES))
    if unknown:
        raise ValueError(f"unknown living-review figure(s) {unknown}; known: {', '.join(FIGURES)}")
    for name, draw in FIGURES.items():
        if name in paths:
            save_canvas(draw(pooled, sens, options), paths[name])
