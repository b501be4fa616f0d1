"""All figures of one analysis: the forest plot, the living-review figures and its versions."""

from __future__ import annotations

from metapool.pipeline.analysis_result import AnalysisResult


def draw_analysis_figures(result: AnalysisResult, paths: dict[str, dict[str, str]], versions: list[dict]) -> None:
    """The figures of one analysis object, at its plot settings: forest plot (paths["forest"]), the
    pooled estimate at each published version (paths["versions"]; ``versions`` as
    data/versions/versions.json) and the living-review figures (the other keys of ``paths``)."""
    from metapool.plotting.forest_plot import draw_forest
    from metapool.plotting.living_figures import draw_living_figures
    from metapool.plotting.rob_figures import draw_rob_figures
    from metapool.plotting.versions_plot import draw_versions_figure

    pooled, sens, options = result.pooled, result.living, result.settings.plot
    draw_forest(pooled, paths["forest"], options)
    draw_versions_figure(result.name, versions, result.state(), paths["versions"])
    rob = {k: v for k, v in paths.items() if k.startswith("rob_")}
    draw_rob_figures(pooled, rob)
    draw_living_figures(pooled, sens, options, {k: v for k, v in paths.items()
                                                if k not in ("forest", "versions") and k not in rob})
