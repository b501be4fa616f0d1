"""Risk-of-bias sensitivity analysis: restricted pools equal the engine's, or a note says why not."""

from __future__ import annotations

import json

import pytest

from metapool.appraisal.rob_sensitivity import RANDOM_KEYS, footer_line, restricted, rob_sensitivity
from metapool.engine.pool import pool_studies

from examples import synthetic_studies
from rob_examples import rob_block, with_synthetic_rob

LOW, SC, HIGH = ("low",) * 5, ("low", "some concerns", "low", "low", "low"), ("high",) + ("low",) * 4


def studies_with(pattern, k=8, awkward=False):
    return with_synthetic_rob(synthetic_studies(k, awkward=awkward, seed=4), pattern)


def test_no_trial_assessed():
    sens = rob_sensitivity(studies_with((None,)))
    for block in sens.values():
        assert block["est"] is None and block["rr"] is None
        assert block["note"] == "Not computed: no trial with an estimable effect is assessed for risk of bias (RoB 2)."
    assert footer_line(sens) == ("Risk-of-bias sensitivity analysis: not computed: no trial with an estimable "
                                 "effect is assessed for risk of bias (RoB 2).")


def test_all_trials_low():
    sens = rob_sensitivity(studies_with((LOW,)))
    assert sens["low_only"]["note"] == "Not computed: every trial is at low risk of bias; the main analysis applies."
    assert sens["exclude_high"]["note"] == "Not computed: no trial is at high risk of bias; the main analysis applies."
    assert sens["low_only"]["k"] == 8 and sens["low_only"]["excluded"] == []


@pytest.mark.parametrize("tau2, ci", [("REML", "hksj"), ("DL", "z")])
def test_restricted_numbers_equal_the_engines(tau2, ci):
    studies = studies_with((LOW, SC, HIGH, None))
    sens = rob_sensitivity(studies, tau2_method=tau2, ci_method=ci)
    low = pool_studies([s for s in studies if s["rob"] and s["rob"]["overall"] == "low"], tau2, ci)["random"]
    no_high = pool_studies([s for s in studies if not s["rob"] or s["rob"]["overall"] != "high"], tau2, ci)["random"]
    for block, engine in ((sens["low_only"], low), (sens["exclude_high"], no_high)):
        assert {key: block[key] for key in RANDOM_KEYS} == {key: engine.get(key) for key in RANDOM_KEYS}
        assert block["k"] == engine["k"]
    assert sens["low_only"]["k"] == 2 and sens["exclude_high"]["k"] == 6
    assert sens["low_only"]["studies"] == ["TRIAL-01", "TRIAL-05"]
    assert sens["exclude_high"]["excluded"] == ["TRIAL-03", "TRIAL-07"]
    assert sens["low_only"]["note"] == "2 trial(s) not assessed for risk of bias are left out."
    assert sens["exclude_high"]["note"] == "2 trial(s) not assessed for risk of bias are kept."
    assert sens["low_only"]["restriction"] == "trials at low risk of bias only"
    json.dumps(sens, allow_nan=False)


def test_footer_line_with_estimates():
    sens = rob_sensitivity(studies_with((LOW, HIGH)))
    rr = sens["low_only"]["rr"]
    text = footer_line(sens)
    assert text.startswith("Risk-of-bias sensitivity (random effects): low risk only RR "
                           f"{rr['est']:.2f} [{rr['ci_lb']:.2f}, {rr['ci_ub']:.2f}], k = 4; excluding high risk RR ")
    assert "\n" not in text and text.endswith("k = 4.")


def test_footer_line_mixes_estimate_and_reason():
    text = footer_line(rob_sensitivity(studies_with((LOW, SC))))
    assert "low risk only RR" in text
    assert text.endswith("excluding high risk not computed (no trial is at high risk of bias; "
                         "the main analysis applies).")
    assert footer_line(None) == "Risk-of-bias sensitivity analysis: not computed."


def test_nothing_left():
    sens = rob_sensitivity(studies_with((HIGH,)))
    assert sens["low_only"]["note"] == "Not computed: no trial is at low risk of bias; no trial is left."
    assert sens["exclude_high"]["note"] == "Not computed: every trial is at high risk of bias; no trial is left."
    assert sens["exclude_high"]["k"] == 0 and len(sens["exclude_high"]["excluded"]) == 8


def test_trials_without_an_estimable_effect_do_not_count():
    studies = synthetic_studies(6, awkward=True, seed=4)  # rows 4 and 5: double zero, no data
    studies = [{**s, "rob": rob_block(LOW if i in (3, 4) else HIGH if i == 0 else SC)} for i, s in enumerate(studies)]
    low = restricted(studies, "low_only")
    assert low["note"] == "Not computed: no trial is at low risk of bias; no trial is left."
    assert "TRIAL-04" not in low["excluded"] and "TRIAL-05" not in low["excluded"]


def test_a_study_without_a_rob_key_is_not_assessed():
    studies = [{k: v for k, v in s.items() if k != "rob"} for s in studies_with((LOW,))]
    assert rob_sensitivity(studies)["low_only"]["note"].startswith("Not computed: no trial with an estimable")


def test_unknown_restriction():
    with pytest.raises(ValueError):
        restricted(studies_with((LOW,)), "low_and_some_concerns")
