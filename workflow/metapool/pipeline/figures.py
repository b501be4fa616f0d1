"""All figures of one analysis: the forest plot and the living-review figures."""

from __future__ import annotations


def forest_options(settings: dict) -> dict:
    """ForestOptions fields from an analysis' settings (config/config.yaml)."""
    return {
        "treatment_label": settings.get("treatment_label"),
        "control_label": settings.get("control_label"),
        "show_overall": settings.get("overall", True),
        "show_fixed": settings.get("show_fixed", False),
        "show_prediction": settings.get("prediction_interval", True),
    }


def draw_analysis_figures(pooled: dict, sens: dict, settings: dict, paths: dict[str, dict[str, str]]) -> None:
    """Forest plot (paths["forest"]) and living-review figures (the other keys of ``paths``)."""
    from metapool.plotting.forest_plot import draw_forest
    from metapool.plotting.living_figures import draw_living_figures

    draw_forest(pooled, paths["forest"], forest_options(settings))
    draw_living_figures(pooled, sens, settings, {k: v for k, v in paths.items() if k != "forest"})
