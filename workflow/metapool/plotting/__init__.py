"""Forest plots: per-analysis (forest.draw_forest) and across analyses (summary.draw_summary)."""

from .forest import draw_forest
from .options import ForestOptions

__all__ = ["ForestOptions", "draw_forest"]
