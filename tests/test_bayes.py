"""Bayesian random effects (engine.bayes): small_k.json's bayes_hn0.5 / bayes_hn1 blocks through the
engine and `metapool pool --bayes`, and tests/reference/bayes_normal_normal.json (base R integrate:
half-Cauchy priors, other scales, one study, MD and SMD) to 1e-6 relative / 1e-9 absolute."""

import json
import math
from pathlib import Path

import pytest
from oracle import SMALL_K, close
from test_small_k_adhoc import case_csv

from metapool.cli import run
from metapool.engine.bayes import Prior, bayes_random
from metapool.engine.pool import pool_studies

R_REF = json.loads((Path(__file__).parent / "reference" / "bayes_normal_normal.json").read_text())
PRIORS = {"bayes_hn0.5": Prior("half-normal", 0.5), "bayes_hn1": Prior("half-normal", 1.0)}
FIELDS = ("mu_median", "mu_lb", "mu_ub", "mu_mean", "mu_sd", "tau_median", "tau_lb", "tau_ub",
          "pred_lb", "pred_ub", "p_mu_below_0")
BLOCKS = [pytest.param(c, key, id=f"{c['name']}-{key}") for c in SMALL_K for key in PRIORS]


def check(got: dict, ref: dict):
    for field in FIELDS:
        assert close(got[field], ref[field]), (field, got[field], ref[field])


@pytest.mark.parametrize("case,key", BLOCKS)
def test_engine_matches_small_k(case, key):
    got = bayes_random(case["yi"], case["vi"], PRIORS[key])
    assert case["ref"][key]["prior"] == PRIORS[key].label
    check(got, case["ref"][key])


@pytest.mark.parametrize("case,key", BLOCKS)
def test_command_line_matches_small_k(tmp_path, capsys, case, key):
    prior = PRIORS[key]
    code = run(["pool", case_csv(tmp_path, case), "--bayes", f"{prior.family}:{prior.scale:g}", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0 and err == "", err
    b = json.loads(out)["bayes"]
    assert b["prior"] == {"family": "half-normal", "scale": prior.scale} and b["k"] == len(case["yi"])
    check(b, case["ref"][key])
    for field in ("mu_median", "mu_lb", "mu_ub", "pred_lb", "pred_ub"):
        assert b["natural"][field] == pytest.approx(math.exp(b[field]), rel=1e-10)


@pytest.mark.parametrize("ref", R_REF, ids=[f"{r['name']}-{r['prior']['family']}{r['prior']['scale']}" for r in R_REF])
def test_engine_matches_the_base_r_reference(ref):
    got = bayes_random(ref["yi"], ref["vi"], Prior(**ref["prior"]))
    check(got, ref["ref"])


def test_reference_covers_half_cauchy_one_study_and_differences():
    kinds = {(r["measure"], r["prior"]["family"]) for r in R_REF}
    assert {("RR", "half-cauchy"), ("MD", "half-cauchy"), ("MD", "half-normal"), ("SMD", "half-normal")} <= kinds
    assert any(len(r["yi"]) == 1 for r in R_REF)
    assert any(r["ref"]["mu_sd"] is None for r in R_REF)  # half-Cauchy, k <= 2: infinite posterior SD


def test_difference_measures_have_natural_equal_to_analysis_scale():
    studies = [{"study": "a", "mean_trt": 10.0, "sd_trt": 3.0, "n_trt": 40, "mean_ctl": 12.0, "sd_ctl": 3.5, "n_ctl": 38},
               {"study": "b", "mean_trt": 9.0, "sd_trt": 2.5, "n_trt": 55, "mean_ctl": 10.5, "sd_ctl": 3.0, "n_ctl": 60}]
    b = pool_studies(studies, measure="MD", bayes=Prior("half-normal", 2.0))["bayes"]
    assert b["natural"]["mu_lb"] == b["mu_lb"] and b["mu_lb"] < b["mu_median"] < b["mu_ub"]


def test_no_bayes_block_unless_asked_and_null_when_nothing_pools():
    studies = [{"study": "a", "events_trt": 0, "total_trt": 10, "events_ctl": 0, "total_ctl": 10}]
    assert "bayes" not in pool_studies(studies)
    assert pool_studies(studies, bayes=Prior("half-normal", 0.5))["bayes"] is None


def test_deterministic_and_the_credible_interval_contains_the_median():
    case = next(c for c in SMALL_K if c["name"] == "k2")
    a = bayes_random(case["yi"], case["vi"], Prior("half-cauchy", 0.5))
    b = bayes_random(case["yi"], case["vi"], Prior("half-cauchy", 0.5))
    assert a == b
    assert a["mu_lb"] < a["mu_median"] < a["mu_ub"] and a["pred_lb"] < a["mu_lb"] and a["pred_ub"] > a["mu_ub"]
    assert 0 < a["tau_lb"] < a["tau_median"] < a["tau_ub"]


@pytest.mark.parametrize("text,message", [("half-normal", "FAMILY:SCALE"), ("gamma:1", "unknown prior family"),
                                          ("half-normal:0", "positive"), ("half-cauchy:x", "must be a number"),
                                          ("half-normal:nan", "positive")])
def test_bad_prior_is_an_argument_error(tmp_path, capsys, text, message):
    case = next(c for c in SMALL_K if c["name"] == "k2")
    with pytest.raises(SystemExit) as exit_:
        run(["pool", case_csv(tmp_path, case), "--bayes", text])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_help_documents_bayes(capsys):
    with pytest.raises(SystemExit):
        run(["--help"])
    text = capsys.readouterr().out
    for word in ("--bayes F:S", "half-normal:0.5", "p_mu_below_0", "hksj_adhoc", "test=\"adhoc\""):
        assert word in text, word


def test_living_command_takes_the_adhoc_ci(tmp_path, capsys):
    case = next(c for c in SMALL_K if c["name"] == "k8_hetero")
    code = run(["living", case_csv(tmp_path, case), "--ci", "hksj_adhoc"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["settings"]["ci_method"] == "hksj_adhoc"
