"""All figures of one analysis: the forest plot, the living-review figures and its versions."""

from __future__ import annotations

from metapool.plotting.options import ForestOptions


def draw_analysis_figures(pooled: dict, sens: dict, options: ForestOptions, paths: dict[str, dict[str, str]],
                          versions: list[dict]) -> None:
    """Forest plot (paths["forest"]), the pooled estimate at each published version
    (paths["versions"]; ``versions`` as data/versions/versions.json) and the living-review
    figures (the other keys of ``paths``)."""
    from metapool.plotting.forest_plot import draw_forest
    from metapool.plotting.living_figures import draw_living_figures
    from metapool.plotting.rob_figures import draw_rob_figures
    from metapool.plotting.versions_plot import draw_versions_figure
    from metapool.versions.state import analysis_state

    draw_forest(pooled, paths["forest"], options)
    draw_versions_figure(pooled["analysis"], versions, analysis_state(pooled, sens), paths["versions"])
    rob = {k: v for k, v in paths.items() if k.startswith("rob_")}
    draw_rob_figures(pooled, rob)
    draw_living_figures(pooled, sens, options, {k: v for k, v in paths.items()
                                                if k not in ("forest", "versions") and k not in rob})
