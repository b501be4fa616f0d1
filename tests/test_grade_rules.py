"""The proposed GRADE certainty: every rule at its thresholds, reviewers' judgments, provisional ratings."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from metapool.appraisal.grade import (LEVELS, SYMBOLS, GradeRules, Judgments, grade_certainty, imprecision,
                                      inconsistency, level_after, publication_bias, risk_of_bias)
from metapool.errors import InputError

from rob_examples import rob_block

ROOT = Path(__file__).resolve().parents[1]
LOW, SC, HIGH = ("low",) * 5, ("some concerns",) + ("low",) * 4, ("high",) + ("low",) * 4
INDIRECT = {"indirectness": {"downgrade": 0, "reason": "septic shock, the agents and mortality as in the question"}}
RULES = GradeRules()


def study(weight: float | None, domains=None, label="t") -> dict:
    return {"study": label, "weight_random": weight, "rob": None if domains is None else rob_block(domains)}


def pooled(studies=None, *, est=0.0, ci=(-0.5, 0.5), i2=10.0, pi=None, k=None) -> dict:
    """A pooled.json stub: RR, random block on the log scale."""
    studies = studies if studies is not None else [study(50.0, LOW), study(50.0, LOW)]
    k = k if k is not None else sum(s["weight_random"] is not None for s in studies)
    return {"measure": "RR", "k": k, "studies": studies,
            "random": {"k": k, "est": est, "ci_lb": ci[0], "ci_ub": ci[1], "I2": i2 if k > 1 else None,
                       "pi_lb": pi[0] if pi else None, "pi_ub": pi[1] if pi else None}}


def rr_ci(lo: float, hi: float) -> tuple[float, float]:
    return math.log(lo), math.log(hi)


def living(patients=None, ris=None, egger_p=None) -> dict:
    tsa = None if patients is None else {"patients": patients, "ris": ris, "excluded": []}
    egger = None if egger_p is None else {"p": egger_p, "k": 10}
    return {"tsa": tsa, "egger_rma": egger, "reasons": {}}


# ---- levels ---------------------------------------------------------------------------------

def test_levels_and_symbols():
    assert LEVELS == ("high", "moderate", "low", "very low")
    assert SYMBOLS == {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very low": "⊕◯◯◯"}
    assert [level_after(n) for n in range(6)] == ["high", "moderate", "low", "very low", "very low", "very low"]


def test_start_at_high_and_floor_at_very_low():
    clean = grade_certainty(pooled(ci=rr_ci(0.5, 0.7)), living(5000, 1000), judgments=INDIRECT)
    assert clean.level == "high" and clean.symbols == "⊕⊕⊕⊕" and not clean.provisional
    assert clean.reasons() == []
    worst = pooled([study(100.0, HIGH)], ci=rr_ci(0.3, 3.0), k=12)
    worst["random"]["I2"] = 90.0
    judged = {"indirectness": {"downgrade": 2, "reason": "a different population"}}
    c = grade_certainty(worst, living(100, 1000, egger_p=0.01), judgments=judged)
    assert sum(d.final.downgrade for d in c.domains) == 8
    assert c.level == "very low" and c.symbols == "⊕◯◯◯"


# ---- risk of bias -------------------------------------------------------------------------

def test_no_trial_assessed_is_not_downgraded_but_provisional():
    c = grade_certainty(pooled([study(60.0), study(40.0)], ci=rr_ci(0.5, 0.7)), living(5000, 1000),
                        judgments=INDIRECT)
    rob = c.to_dict()["domains"]["risk_of_bias"]
    assert rob["downgrade"] == 0 and "risk of bias not assessed" in rob["reason"]
    assert c.provisional and c.provisional_reasons == ("risk of bias not assessed",)
    assert c.reasons() == ["Provisional: risk of bias not assessed."]
    assert c.level == c.proposed_level == "high"


def test_some_trials_not_assessed_is_provisional():
    c = grade_certainty(pooled([study(70.0, LOW), study(30.0)]), living(5000, 1000), judgments=INDIRECT)
    assert c.provisional_reasons == ("risk of bias not assessed for 1 of 2 trials",)
    assert c.domains[0].proposed.numbers["weight_not_assessed"] == pytest.approx(0.3)


def test_trials_without_weight_do_not_count():
    studies = [study(100.0, LOW), study(None, HIGH), study(None)]
    rating = risk_of_bias(pooled(studies, k=1), RULES)
    assert rating.downgrade == 0 and rating.numbers["trials"] == 1 and rating.numbers["weight_high"] == 0


@pytest.mark.parametrize("weights, expected", [
    ({SC: 50.0, LOW: 50.0}, 0),   # not-low share exactly 0.5: not above the threshold
    ({SC: 50.1, LOW: 49.9}, 1),
    ({HIGH: 50.0, LOW: 50.0}, 0),  # exactly half high, half low: neither share is above 0.5
    ({HIGH: 50.0, SC: 0.1, LOW: 49.9}, 1),  # "some concerns" counts towards the not-low share
    ({HIGH: 30.0, SC: 30.0, LOW: 40.0}, 1),
    ({HIGH: 50.1, LOW: 49.9}, 2),
    ({HIGH: 100.0}, 2),
    ({LOW: 100.0}, 0),
])
def test_risk_of_bias_thresholds(weights, expected):
    studies = [study(w, domains, label=str(i)) for i, (domains, w) in enumerate(weights.items())]
    assert risk_of_bias(pooled(studies), RULES).downgrade == expected


def test_risk_of_bias_thresholds_are_configurable():
    studies = [study(30.0, SC), study(70.0, LOW)]
    assert risk_of_bias(pooled(studies), RULES).downgrade == 0
    assert risk_of_bias(pooled(studies), GradeRules(rob_serious_weight=0.25)).downgrade == 1
    high = [study(30.0, HIGH), study(70.0, LOW)]
    assert risk_of_bias(pooled(high), GradeRules(rob_very_serious_weight=0.25)).downgrade == 2


def with_excluded(main, ci_lb, ci_ub):
    """The main result with engine.restrict's "exclude_high_risk" block at that CI."""
    return {**main, "restricted": [{"restriction": "exclude_high_risk", "random": {"ci_lb": ci_lb, "ci_ub": ci_ub}}]}


def test_excluding_high_risk_changes_the_interpretation():
    studies = [study(20.0, HIGH), study(80.0, LOW)]
    main = pooled(studies, ci=rr_ci(0.6, 0.9))  # excludes no effect
    assert risk_of_bias(with_excluded(main, *rr_ci(0.7, 1.1)), RULES).downgrade == 1
    assert risk_of_bias(with_excluded(main, *rr_ci(0.6, 0.95)), RULES).downgrade == 0
    assert risk_of_bias(with_excluded(main, *rr_ci(0.7, 1.1)), GradeRules(rob_interpretation=False)).downgrade == 0
    assert risk_of_bias(main, RULES).downgrade == 0  # no restriction block: rule not applicable
    changed = with_excluded(main, *rr_ci(0.7, 1.1))
    assert grade_certainty(changed, living(5000, 100), judgments=INDIRECT).domains[0].final.downgrade == 1


# ---- inconsistency --------------------------------------------------------------------------

@pytest.mark.parametrize("i2, expected", [(0.0, 0), (50.0, 0), (50.0001, 1), (90.0, 1)])
def test_inconsistency_i2(i2, expected):
    assert inconsistency(pooled(i2=i2), RULES).downgrade == expected


def test_inconsistency_threshold_configurable():
    assert inconsistency(pooled(i2=45.0), GradeRules(inconsistency_i2=40.0)).downgrade == 1


def test_prediction_interval_crossing_the_null_while_the_ci_does_not():
    p = pooled(ci=rr_ci(0.6, 0.9), pi=rr_ci(0.4, 1.3), i2=20.0)
    assert inconsistency(p, RULES).downgrade == 1
    assert inconsistency(p, GradeRules(inconsistency_prediction=False)).downgrade == 0
    both = pooled(ci=rr_ci(0.6, 1.1), pi=rr_ci(0.4, 1.5), i2=20.0)
    assert inconsistency(both, RULES).downgrade == 0
    neither = pooled(ci=rr_ci(0.6, 0.9), pi=rr_ci(0.5, 0.99), i2=20.0)
    assert inconsistency(neither, RULES).downgrade == 0


def test_inconsistency_not_assessable_with_one_trial():
    r = inconsistency(pooled([study(100.0, LOW)]), RULES)
    assert r.downgrade == 0 and r.reason == "not assessable: a single trial"


# ---- imprecision ----------------------------------------------------------------------------

@pytest.mark.parametrize("ci, patients, expected", [
    ((0.5, 0.7), 2000, 0),    # excludes the null and the MIDs, information size reached
    ((0.5, 0.7), 999, 1),     # information size not reached
    ((0.5, 1.1), 2000, 1),    # includes no effect, and crosses 0.75
    ((0.8, 1.1), 2000, 1),    # includes no effect, crosses no MID
    ((0.6, 0.9), 2000, 1),    # excludes no effect but crosses 0.75
    ((0.5, 1.1), 999, 1),     # crosses no effect and 0.75; the information size is not counted again
    ((0.5, 1.3), 2000, 2),    # crosses both MIDs: an important benefit and an important harm
    ((0.5, 1.0), 2000, 1),    # a bound on the null: includes no effect
    ((0.5, 0.75), 2000, 0),   # a bound on the MID does not cross it
    ((1.25, 1.6), 1000, 0),   # patients equal to the information size reach it
])
def test_imprecision(ci, patients, expected):
    r = imprecision(pooled(ci=rr_ci(*ci)), living(patients, 1000), RULES)
    assert r.downgrade == expected, r.reason


def test_imprecision_reason_names_the_rule():
    r = imprecision(pooled(ci=rr_ci(0.5, 1.3)), living(756, 6979), RULES)
    assert r.reason == ("95% CI 0.50 to 1.30 crosses both minimal important differences (RR 0.75 and 1.25): it "
                        "includes an important benefit and an important harm; 756 participants, fewer than the "
                        "required information size of 6,979 (trial sequential analysis), not counted again: the "
                        "CI already crosses a threshold")
    assert r.downgrade == 2
    met = imprecision(pooled(ci=rr_ci(0.8, 0.9)), living(756, 6979), RULES)
    assert met.downgrade == 1 and met.reason.endswith("fewer than the required information size of 6,979 "
                                                      "(trial sequential analysis)")


def test_imprecision_mid_configurable():
    p, liv = pooled(ci=rr_ci(0.78, 0.9)), living(2000, 1000)
    assert imprecision(p, liv, RULES).downgrade == 0
    assert imprecision(p, liv, GradeRules.from_mapping({"mid": {"RR": {"relative_change": 0.2}}})).downgrade == 1
    assert imprecision(p, liv, GradeRules.from_mapping({"mid": {"RR": [0.85, 1.15]}})).downgrade == 1
    no_mid = GradeRules.from_mapping({"mid": {"RR": None}})
    r = imprecision(pooled(ci=rr_ci(0.6, 0.9)), liv, no_mid)
    assert r.downgrade == 0 and "no minimal important difference set for RR" in r.reason


def test_imprecision_switches():
    p = pooled(ci=rr_ci(0.9, 1.1))
    assert imprecision(p, living(500, 1000), GradeRules(imprecision_ois=False)).downgrade == 1
    assert imprecision(p, living(2000, 1000), GradeRules(imprecision_null=False)).downgrade == 0
    r = imprecision(p, living(), RULES)
    assert r.downgrade == 1 and "required information size not available" in r.reason


# ---- publication bias -----------------------------------------------------------------------

def ten(k: int = 10) -> dict:
    return pooled([study(100.0 / k, LOW, label=str(i)) for i in range(k)])


@pytest.mark.parametrize("p, expected", [(0.0999, 1), (0.10, 0), (0.5, 0)])
def test_publication_bias_egger(p, expected):
    assert publication_bias(ten(), living(egger_p=p), RULES).downgrade == expected


def test_publication_bias_follows_the_small_study_gate():
    """Egger's test is read only when living.json says the small-study methods ran (k >= 10 by
    default: living.small_study_min_k), else not assessable with its reason."""
    gate = {"run": False, "k": 9, "min_k": 10, "reason": "k = 9 < 10: funnel plot, ... not run."}
    r = publication_bias(ten(9), {**living(egger_p=0.001), "small_study": gate}, RULES)
    assert r.downgrade == 0 and r.reason == "not assessable: k = 9 < 10: funnel plot, ... not run."
    ran = {"run": True, "k": 9, "min_k": 9, "reason": None}
    assert publication_bias(ten(9), {**living(egger_p=0.001), "small_study": ran}, RULES).downgrade == 1
    missing = publication_bias(ten(), {"egger_rma": None, "reasons": {"egger_rma": "Not computed: x."}}, RULES)
    assert missing.downgrade == 0 and missing.reason == "not assessable: Not computed: x."
    assert publication_bias(ten(), living(egger_p=0.05), GradeRules(publication_bias_p=0.05)).downgrade == 0


@pytest.mark.parametrize("k, expected", [(3, 0), (9, 0), (10, 1), (12, 1)])
def test_publication_bias_through_run_living(k, expected):
    """k < 10 trials: Egger's test is not run and publication bias is not assessable; from 10 it is
    rated (here every trial's effect grows with its standard error: asymmetry, P < 0.10)."""
    from metapool.living import run_living
    studies = [{"study": f"t{i}", "effect_measure": "RR", "effect": 0.6 + 0.08 * i,
                "effect_lower": (0.6 + 0.08 * i) / (1.2 + 0.15 * i), "effect_upper": (0.6 + 0.08 * i) * (1.2 + 0.15 * i),
                "effect_adjusted": "no"} for i in range(k)]
    liv = run_living(studies, measure="RR")
    r = publication_bias(ten(k), liv, RULES)
    assert liv["small_study"]["run"] == (k >= 10)
    assert r.downgrade == expected, r.reason
    if k < 10:
        assert r.reason == f"not assessable: {liv['small_study']['reason']}"


# ---- indirectness and the reviewers' judgments ---------------------------------------------

def test_indirectness_as_stated():
    stated = {"indirectness": {"downgrade": 1, "reason": "ATHOS-3 randomised vasodilatory shock, not only sepsis"}}
    c = grade_certainty(pooled(ci=rr_ci(0.5, 0.7)), living(5000, 1000), judgments=stated)
    d = c.to_dict()["domains"]["indirectness"]
    assert d["downgrade"] == 1 and d["reason"].startswith("ATHOS-3") and c.level == "moderate"
    assert "Indirectness (−1): ATHOS-3 randomised vasodilatory shock, not only sepsis" in c.reasons()


def test_indirectness_not_judged_is_provisional():
    c = grade_certainty(pooled(ci=rr_ci(0.5, 0.7)), living(5000, 1000))
    assert c.provisional_reasons == ("indirectness not judged",)
    assert c.domains[2].final.downgrade == 0


def test_final_judgment_overrides_with_its_reason():
    p, liv = pooled(ci=rr_ci(0.5, 1.3)), living(500, 1000)  # imprecision proposes 2
    judged = {**INDIRECT, "final": {"imprecision": {"downgrade": 1, "reason": "the CI excludes a large harm"}}}
    c = grade_certainty(p, liv, judgments=judged)
    d = c.to_dict()["domains"]["imprecision"]
    assert d["proposed"]["downgrade"] == 2 and d["final"]["downgrade"] == 1 and d["overridden"]
    assert d["downgrade"] == 1 and d["reason"] == "reviewers' judgment: the CI excludes a large harm"
    assert d["proposed"]["reason"].startswith("95% CI 0.50 to 1.30 crosses both minimal important differences")
    assert c.proposed_level == "low" and c.final_level == c.level == "moderate"
    out = c.to_dict()
    assert out["proposed_level"] == "low" and out["final_level"] == "moderate"
    assert out["proposed_symbols"] == "⊕⊕◯◯" and out["symbols"] == "⊕⊕⊕◯"


def test_imprecision_may_be_judged_three_levels():
    """GRADE guidance 34 and 35: extremely serious imprecision loses three levels; the rule stops
    at two, the reviewers may state three (with the reason)."""
    judged = {**INDIRECT, "final": {"imprecision": {"downgrade": 3, "reason": "RR 0.003 to 305: no information"}}}
    c = grade_certainty(pooled(ci=rr_ci(0.003, 305.0)), living(279, 10533), judgments=judged)
    d = c.to_dict()["domains"]["imprecision"]
    assert d["proposed"]["downgrade"] == 2 and d["final"]["downgrade"] == 3
    assert c.proposed_level == "low" and c.level == "very low"


def test_final_judgment_may_also_downgrade_a_domain_not_proposed():
    judged = {**INDIRECT, "final": {"risk_of_bias": {"downgrade": 1, "reason": "unblinded outcome adjudication"}}}
    c = grade_certainty(pooled([study(50.0), study(50.0)], ci=rr_ci(0.5, 0.7)), living(5000, 1000), judgments=judged)
    assert c.proposed_level == "high" and c.level == "moderate"
    assert c.provisional  # the proposal still rests on no RoB assessment


@pytest.mark.parametrize("final, column", [
    ({"imprecision": {"downgrade": 1}}, "imprecision.reason"),
    ({"imprecision": {"downgrade": 1, "reason": "  "}}, "imprecision.reason"),
    ({"imprecision": {"downgrade": 4, "reason": "x"}}, "imprecision.downgrade"),
    ({"risk_of_bias": {"downgrade": 3, "reason": "x"}}, "risk_of_bias.downgrade"),
    ({"imprecision": {"downgrade": True, "reason": "x"}}, "imprecision.downgrade"),
    ({"imprecision": {"downgrade": 1, "reason": "x", "note": "y"}}, "imprecision.note"),
    ({"imprecision": 1}, "imprecision"),
    ({"precision": {"downgrade": 1, "reason": "x"}}, "precision"),
    ({"indirectness": {"downgrade": 1, "reason": "x"}}, "indirectness"),
])
def test_final_judgment_without_a_reason_is_rejected(final, column):
    with pytest.raises(InputError) as caught:
        grade_certainty(pooled(), living(), judgments={"final": final})
    wanted = f"analyses.<name>.grade.final.{column}"
    assert any(p.column == wanted for p in caught.value.problems), caught.value


def test_judgment_errors_all_at_once():
    with pytest.raises(InputError) as caught:
        Judgments.from_mapping({"indirectness": {"downgrade": 1}, "final": {"imprecision": {"reason": "x"}},
                                "extra": 1}, where="config/config.yaml", key="analyses.a.grade")
    columns = {p.column for p in caught.value.problems}
    assert columns == {"analyses.a.grade.indirectness.reason", "analyses.a.grade.final.imprecision.downgrade",
                       "analyses.a.grade.extra"}
    assert all(p.file == "config/config.yaml" for p in caught.value.problems)


# ---- the rules' configuration ---------------------------------------------------------------

def test_default_rules():
    assert GradeRules.from_mapping(None) == GradeRules() == GradeRules.from_mapping({})
    d = GradeRules().to_dict()
    assert d == {"rob_serious_weight": 0.5, "rob_very_serious_weight": 0.5, "rob_interpretation": True,
                 "inconsistency_i2": 50.0, "inconsistency_prediction": True,
                 "mid": {c: [0.75, 1.25] for c in ("HR", "IRR", "OR", "PETO", "ROM", "RR")},
                 "imprecision_null": True, "imprecision_ois": True,
                 "publication_bias_p": 0.10}
    assert GradeRules.from_mapping(d).to_dict() == d
    with pytest.raises(Exception):
        GradeRules().inconsistency_i2 = 40.0  # frozen


def test_rules_from_mapping_merge_mid():
    rules = GradeRules.from_mapping({"inconsistency_i2": 40, "mid": {"md": [-5, 5], "or": {"relative_change": 0.2}}})
    assert rules.inconsistency_i2 == 40.0 and rules.mid_for("MD") == (-5.0, 5.0)
    assert rules.mid_for("OR") == (0.8, 1.2) and rules.mid_for("RR") == (0.75, 1.25)
    assert rules.mid_for("SMD") is None


@pytest.mark.parametrize("values, column, rule", [
    ({"rob_weight": 0.5}, "grade.rob_weight", "unknown rule"),
    ({"inconsistency_i2": "50%"}, "grade.inconsistency_i2", "is not a number"),
    ({"inconsistency_i2": 150}, "grade.inconsistency_i2", "outside 0 to 100"),
    ({"rob_serious_weight": 1.5}, "grade.rob_serious_weight", "outside 0 to 1"),
    ({"rob_interpretation": "yes"}, "grade.rob_interpretation", "not true or false"),
    ({"publication_bias_min_k": 10}, "grade.publication_bias_min_k", "living.small_study_min_k"),
    ({"mid": {"XX": [0.8, 1.2]}}, "grade.mid.XX", "unknown effect measure"),
    ({"mid": {"RR": [1.1, 1.2]}}, "grade.mid.RR", "either side of the null"),
    ({"mid": {"RR": [0, 1.2]}}, "grade.mid.RR", "not a positive ratio"),
    ({"mid": {"RR": [0.8]}}, "grade.mid.RR", "give [lower, upper]"),
    ({"mid": {"MD": {"relative_change": 0.2}}}, "grade.mid.MD", "ratio measures only"),
    ({"mid": {"RR": {"relative_change": 1.5}}}, "grade.mid.RR", "strictly between 0 and 1"),
    ({"mid": [0.75, 1.25]}, "grade.mid", "a mapping of measure code"),
])
def test_rules_from_mapping_rejects(values, column, rule):
    with pytest.raises(InputError) as caught:
        GradeRules.from_mapping(values)
    assert any(p.column == column and rule in p.message for p in caught.value.problems), caught.value


# ---- the certainty block and the review's real results -------------------------------------

def test_certainty_block_for_pooled_json():
    d = grade_certainty(pooled(), living(500, 1000)).to_dict()
    assert list(d) == ["start", "level", "symbols", "proposed_level", "proposed_symbols", "final_level",
                       "provisional", "provisional_reasons", "domains", "reasons", "rules"]
    assert list(d["domains"]) == ["risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"]
    for block in d["domains"].values():
        assert list(block) == ["downgrade", "reason", "proposed", "final", "overridden", "numbers"]
    json.dumps(d, allow_nan=False)


def test_nothing_pooled_has_no_certainty():
    assert grade_certainty({"measure": "RR", "k": 0, "studies": [], "random": None}) is None


@pytest.mark.parametrize("analysis", sorted(p.name for p in (ROOT / "results").iterdir() if (p / "pooled.json").exists()))
def test_real_results_are_provisional_and_never_downgraded_for_risk_of_bias(analysis):
    from metapool.engine.subgroups import subgroup_parts

    folder = ROOT / "results" / analysis
    result = json.loads((folder / "pooled.json").read_text())
    living = json.loads((folder / "living.json").read_text())
    if result.get("pool_subgroups") is False:  # kept apart: each subgroup is graded on its own trials
        assert result["certainty"] is None
        for part, part_living in zip(subgroup_parts(result), living["subgroups"]):
            provisional_without_rob_downgrade(part, part_living)
        return
    provisional_without_rob_downgrade(result, living)


def provisional_without_rob_downgrade(result, living):
    c = grade_certainty(result, living)
    if not result["k"]:
        assert c is None
        return
    rob = c.to_dict()["domains"]["risk_of_bias"]
    assert rob["downgrade"] == 0 and rob["reason"].startswith("risk of bias not assessed")
    assert c.provisional and "risk of bias not assessed" in c.provisional_reasons
