"""pipeline.captions: what the report's captions say about an analysis names its own measure."""

from metapool.pipeline.captions import caption
from metapool.pipeline.settings import AnalysisSettings


def settings(**kw) -> AnalysisSettings:
    return AnalysisSettings.from_dict({"name": "a", "title": "A vs B", "filter": {"outcome": ["x", "y"]},
                                       **kw})


def test_each_measure_is_named_with_its_scale_and_null():
    assert (caption(settings())["measure_lower"], caption(settings())["scale"]) == ("risk ratio", "log scale")
    md = caption(settings(measure="MD", bayes={"scale": 1}))
    assert (md["measure_lower"], md["scale"], md["null"], md["acr"]) == (
        "mean difference", "linear scale", "MD = 0", None)
    rd = caption(settings(measure="RD", ci="z", bayes={"scale": 0.1}))
    assert (rd["measure"], rd["null"], rd["ci"]) == ("Risk difference", "RD = 0", "Wald z")
    assert caption(settings(measure="OR"))["null"] == "OR = 1"


def test_selection_and_tsa_in_words():
    c = caption(settings(living={"acr": 0.4, "tsa": {"rrr": 0.25, "alpha": 0.05, "beta": 0.1}}))
    assert c["selection"] == "outcome = x or y"
    assert c["tsa"] == "a 25% relative risk reduction, two-sided alpha 0.05, power 90%"
    assert c["acr"] == "0.4"
