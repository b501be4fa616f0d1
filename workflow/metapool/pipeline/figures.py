"""All figures of one analysis: the forest plot and the living-review figures."""

from __future__ import annotations

from metapool.plotting.options import ForestOptions


def draw_analysis_figures(pooled: dict, sens: dict, options: ForestOptions, paths: dict[str, dict[str, str]]) -> None:
    """Forest plot (paths["forest"]) and living-review figures (the other keys of ``paths``)."""
    from metapool.plotting.forest_plot import draw_forest
    from metapool.plotting.living_figures import draw_living_figures

    draw_forest(pooled, paths["forest"], options)
    draw_living_figures(pooled, sens, options, {k: v for k, v in paths.items() if k != "forest"})
