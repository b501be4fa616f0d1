"""What the HTML report's captions (workflow/report/*.rst) say about each analysis of a job.

`snakemake --report` renders a figure's caption with its job's params; the analysis jobs pass
`caption(settings)` of each of their analyses, so every caption names the analysis' own measure,
scale, selection and methods (never a fixed "risk ratio").
"""

from __future__ import annotations

from metapool.measures import registry
from metapool.pipeline.settings import AnalysisSettings

CI_METHODS = {"hksj": "Hartung-Knapp-Sidik-Jonkman (t on k-1 df)",
              "hksj_adhoc": "Hartung-Knapp-Sidik-Jonkman with the ad hoc correction (never narrower "
                            "than the Wald CI)",
              "z": "Wald z"}


def _value(v) -> str:
    return " or ".join(map(str, v)) if isinstance(v, list) else str(v)


def caption(analysis: AnalysisSettings) -> dict:
    """Plain values for a caption template: name, title, measure name and short code, scale, null,
    selection, subgroup, tau^2 and CI methods, and the plot and TSA settings it mentions."""
    m = registry.get(analysis.measure)
    tsa = analysis.living.tsa
    return {
        "name": analysis.name, "title": analysis.title, "measure": m.name,
        "measure_lower": m.name[:1].lower() + m.name[1:], "short": m.short,
        "scale": "log scale" if m.log_scale else "linear scale", "null": f"{m.short} = {m.null:g}",
        "selection": "; ".join(f"{k} = {_value(v)}" for k, v in analysis.filter.items()),
        "subgroup": analysis.subgroup, "tau2": analysis.tau2,
        "ci": CI_METHODS.get(analysis.ci, analysis.ci),
        "prediction_interval": analysis.plot.prediction_interval, "pool_subgroups": analysis.pool_subgroups,
        "tsa": (f"a {round(tsa.rrr * 100)}% relative risk reduction" if m.kind == "binary"
                else f"a difference of {tsa.difference:g}" if tsa.difference is not None
                else "the anticipated difference")
        + f", two-sided alpha {tsa.alpha:g}, power {round((1 - tsa.beta) * 100)}%",
        "acr": (None if m.kind != "binary" else "the median control-arm risk of the trials"
                if analysis.living.acr is None else f"{analysis.living.acr:g}"),
    }
