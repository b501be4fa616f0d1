"""Forest plots: per-analysis (forest.draw_forest) and across analyses (summary.draw_summary)."""

from metapool.plotting.forest_plot import draw_forest
from metapool.plotting.options import ForestOptions

__all__ = ["ForestOptions", "draw_forest"]
