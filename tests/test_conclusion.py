"""One declared interval per analysis (engine.conclusion, pooled.json `conclusion`): which one,
never narrower than the fixed-effect interval, and every reader (SoF, GRADE imprecision, the
versions state, the summary rows, the forest plot) uses it. ATHOS-3 and its pilot (data/raw/)."""

import pytest
from oracle import SMALL_K

from metapool.appraisal.grade import imprecision
from metapool.appraisal.grade_config import GradeRules
from metapool.appraisal.sof import sof_row
from metapool.appraisal.sof_render import footnotes
from metapool.engine.bayes import Prior
from metapool.engine.conclusion import declared_interval
from metapool.engine.pool import pool_studies
from metapool.errors import InputError
from metapool.pipeline.analyses import from_config
from metapool.pipeline.analysis_result import bayes_and_conclusion
from metapool.pipeline.settings import AnalysisSettings, BayesSettings
from metapool.pipeline.summary_rows import summary_row
from metapool.plotting.forest_rows import footer_lines, forest_rows
from metapool.plotting.options import ForestOptions
from metapool.versions.state import analysis_state

# data/raw/athos-3.csv and athos-pilot.csv: 75/163 vs 85/158 and 5/10 vs 6/10
ATHOS = [{"study": "ATHOS (pilot)", "events_trt": 5, "total_trt": 10, "events_ctl": 6, "total_ctl": 10},
         {"study": "ATHOS-3", "events_trt": 75, "total_trt": 163, "events_ctl": 85, "total_ctl": 158}]


def analysis(ci: str = "hksj_adhoc", measure: str = "RR", **bayes) -> AnalysisSettings:
    return AnalysisSettings(name="athos", title="Angiotensin II vs placebo", filter={}, ci=ci, measure=measure,
                            bayes=BayesSettings(**bayes))


def workflow_result(studies=ATHOS, ci: str = "hksj_adhoc", **bayes) -> dict:
    a = analysis(ci, **bayes)
    prior, other = a.bayes.priors(a.measure)
    result = pool_studies(studies, ci_method=ci, bayes=prior)
    bayes_and_conclusion(a, result, prior, other)
    return {"analysis": "athos", "title": "Angiotensin II vs placebo", **result}


def test_two_trials_rest_on_the_bayesian_credible_interval():
    r = workflow_result()
    c = r["conclusion"]
    assert c["source"] == "bayes" and not c["widened"]
    assert (c["est"], c["ci_lb"], c["ci_ub"]) == (r["bayes"]["mu_median"], r["bayes"]["mu_lb"], r["bayes"]["mu_ub"])
    assert c["natural"]["ci_lb"] < 1 < c["natural"]["ci_ub"]  # no longer a significant benefit
    assert c["sentence"].startswith("Conclusions rest on the Bayesian 95% credible interval (half-normal(0.5) prior on tau)")
    assert r["bayes"]["shown"] and r["bayes"]["sensitivity"]["prior"] == {"family": "half-normal", "scale": 1.0}
    assert r["bayes"]["mid"]["lower"] == 0.75 and 0 < r["bayes"]["mid"]["p_below_lower"] < r["bayes"]["p_mu_below_0"]


def test_plain_hksj_narrower_than_fixed_effect_is_widened_and_says_so():
    r = workflow_result(ci="hksj", max_k=1)  # Bayesian result not declared: the random-effects CI
    c, fixed = r["conclusion"], r["fixed_mh"]
    assert r["random"]["ci_lb"] > fixed["ci_lb"]  # the uncorrected HKSJ interval (Q = 0.004)
    assert c["source"] == "random" and c["widened"]
    assert c["ci_lb"] == fixed["ci_lb"] and c["ci_ub"] == max(fixed["ci_ub"], r["random"]["ci_ub"])
    assert "widened to contain the fixed-effect (Mantel-Haenszel) interval" in c["sentence"]


@pytest.mark.parametrize("ci", ["hksj", "hksj_adhoc", "z"])
@pytest.mark.parametrize("shown", [True, False])
def test_never_narrower_than_the_fixed_effect_interval(ci, shown):
    for case in SMALL_K:
        studies = [{"study": f"s{i}", "events_trt": a, "total_trt": n1, "events_ctl": c, "total_ctl": n2}
                   for i, (a, n1, c, n2) in enumerate(zip(case["ai"], case["n1"], case["ci"], case["n2"]))]
        r = pool_studies(studies, ci_method=ci, bayes=Prior("half-normal", 0.5))
        d = declared_interval(r, shown)
        fixed = r["fixed_mh"] or r["fixed_iv"]
        assert d["ci_lb"] <= fixed["ci_lb"] and d["ci_ub"] >= fixed["ci_ub"], case["name"]
        assert d["source"] == ("bayes" if shown and r["k"] > 1 else "random")


def test_one_trial_is_its_own_interval_and_nothing_pooled_has_none():
    r = workflow_result(ATHOS[1:])
    assert r["conclusion"]["source"] == "random" and r["conclusion"]["sentence"].startswith(
        "Conclusions rest on the single trial's own 95% CI (Wald z)")
    empty = [{"study": "x", "events_trt": 0, "total_trt": 5, "events_ctl": 0, "total_ctl": 5}]
    assert workflow_result(empty)["conclusion"] is None


def test_readers_use_the_declared_interval():
    r = workflow_result()
    c = r["conclusion"]
    rating = imprecision(r, None, GradeRules())
    assert rating.numbers["ci_lb"] == pytest.approx(c["natural"]["ci_lb"], rel=1e-10)
    assert rating.numbers["ci_ub"] == pytest.approx(c["natural"]["ci_ub"], rel=1e-10)
    state = analysis_state(r, None)
    assert (state["est"], state["ci_lb"], state["ci_ub"]) == (c["est"], c["ci_lb"], c["ci_ub"])
    row = summary_row(r)
    assert (row["effect"], row["effect_ci_lb"], row["interval"]) == (c["natural"]["est"], c["natural"]["ci_lb"], "bayes")
    assert row["re_ci_lb"] == r["random"]["natural"]["ci_lb"] and row["bayes_prior"] == "half-normal(0.5)"
    sof = sof_row(r, {"absolute": {"acr": 0.5, "acr_source": "assumed", "assumed_per_1000": 500.0}})
    assert (sof.est, sof.ci_lb, sof.ci_ub) == (c["natural"]["est"], c["natural"]["ci_lb"], c["natural"]["ci_ub"])
    assert sof.corresponding_ci_lb == pytest.approx(500 * c["natural"]["ci_lb"])
    notes, refs = footnotes([sof])
    assert notes[refs[0]["relative"][0] - 1].startswith("Relative effect: the Bayesian 95% credible interval")


def test_forest_shows_the_bayesian_row_and_footer():
    r = workflow_result()
    rows = forest_rows(r, ForestOptions())
    bayes = [row for row in rows if row.kind == "bayes"]
    assert len(bayes) == 1 and bayes[0].cells["study"].startswith(
        "Bayesian random effects (half-normal(0.5) prior on tau)")
    assert any(row.kind == "bayes_prediction" for row in rows)
    text = "\n".join(footer_lines(r, ForestOptions()))
    assert "Prior sensitivity, half-normal(1) prior on tau: RR" in text
    assert "P(RR < 1) = " in text and "P(RR < 0.75, the lower minimal important difference) = " in text
    assert r["conclusion"]["sentence"].rstrip(".") in text
    four = workflow_result(max_k=1)
    assert not any(row.kind == "bayes" for row in forest_rows(four, ForestOptions()))


def test_no_mid_is_said():
    a = AnalysisSettings(name="x", title="x", filter={}, measure="RR", ci="hksj_adhoc",
                         grade_rules={"mid": {"RR": None}})
    prior, other = a.bayes.priors("RR")
    r = pool_studies(ATHOS, ci_method="hksj_adhoc", bayes=prior)
    bayes_and_conclusion(a, r, prior, other)
    assert r["bayes"]["mid"] is None
    assert "no minimal important difference is set for this analysis" in "\n".join(footer_lines(r, ForestOptions()))


@pytest.mark.parametrize("measure", ["MD", "RD"])
def test_md_and_rd_need_a_prior_scale_at_parse_time(measure):
    with pytest.raises(ValueError, match="bayes.scale"):
        analysis(measure=measure)
    assert analysis(measure=measure, scale=0.1).bayes.priors(measure)[0] == Prior("half-normal", 0.1)
    config = {"analyses": {"sofa": {"filter": {"outcome": "mean daily SOFA score"}, "measure": measure}}}
    with pytest.raises(InputError) as err:
        from_config(config)
    assert "analyses.sofa" in str(err.value) and "bayes.scale" in str(err.value)


@pytest.mark.parametrize("measure", ["RR", "OR", "PETO", "HR", "ROM", "SMD"])
def test_default_prior_is_half_normal_half(measure):
    prior, other = analysis(measure=measure).bayes.priors(measure)
    assert (prior, other) == (Prior("half-normal", 0.5), Prior("half-normal", 1.0))
