"""The one GRADE imprecision rule (appraisal.imprecision) on the whole grid: the CI's lower and
upper bound in every region against the null and both minimal important differences, x the
optimal information size met, not met or not known. The expected levels are the rule's table
written out here by hand, never computed by the function under test."""

from __future__ import annotations

import math

import pytest

from metapool.appraisal.grade import GradeRules, grade_certainty, imprecision
from metapool.appraisal.imprecision import imprecision_levels, rule_text
from metapool.engine.pool import pool_studies
from metapool.living import run_living

MID = (0.75, 1.25)  # RR, GradeRules' default (GRADE 6: "RR under 0.75 or over 1.25")
NULL = 1.0
# Regions of one CI bound, in ascending order: below the lower MID, on it, between it and the null,
# on the null, between the null and the upper MID, on it, above it. An open region gives the
# lower bound its first value and the upper bound its second (so both bounds may share it).
REGIONS = {
    "below_lo": (0.40, 0.60), "at_lo": (0.75, 0.75), "lo_null": (0.80, 0.95), "at_null": (1.0, 1.0),
    "null_hi": (1.05, 1.20), "at_hi": (1.25, 1.25), "above_hi": (1.50, 3.00),
}
# The rule's table for the CI, by hand: (lower bound's region, upper bound's region) ->
# (levels with no effect as a threshold, levels with the MIDs only [imprecision_null false]).
# 2: the CI crosses both MIDs; 1: it crosses no effect (a bound on it counts) or one MID (a
# bound on a MID does not cross it); 0: it crosses nothing. A CI that is one point is not a CI.
CI_TABLE = {
    ("below_lo", "below_lo"): (0, 0), ("below_lo", "at_lo"): (0, 0), ("below_lo", "lo_null"): (1, 1),
    ("below_lo", "at_null"): (1, 1), ("below_lo", "null_hi"): (1, 1), ("below_lo", "at_hi"): (1, 1),
    ("below_lo", "above_hi"): (2, 2),
    ("at_lo", "lo_null"): (0, 0), ("at_lo", "at_null"): (1, 0), ("at_lo", "null_hi"): (1, 0),
    ("at_lo", "at_hi"): (1, 0), ("at_lo", "above_hi"): (1, 1),
    ("lo_null", "lo_null"): (0, 0), ("lo_null", "at_null"): (1, 0), ("lo_null", "null_hi"): (1, 0),
    ("lo_null", "at_hi"): (1, 0), ("lo_null", "above_hi"): (1, 1),
    ("at_null", "null_hi"): (1, 0), ("at_null", "at_hi"): (1, 0), ("at_null", "above_hi"): (1, 1),
    ("null_hi", "null_hi"): (0, 0), ("null_hi", "at_hi"): (0, 0), ("null_hi", "above_hi"): (1, 1),
    ("at_hi", "above_hi"): (0, 0),
    ("above_hi", "above_hi"): (0, 0),
}
# The rule's table for the OIS: levels from the CI's levels and the OIS (met, not met, not known).
# The OIS counts only when the CI crosses nothing (GRADE 34): the two never add.
OIS_TABLE = {0: {True: 0, False: 1, None: 0}, 1: {True: 1, False: 1, None: 1}, 2: {True: 2, False: 2, None: 2}}
GRID = [(lo, hi, ois, null_counts) for (lo, hi) in CI_TABLE for ois in (True, False, None)
        for null_counts in (True, False)]


def test_the_table_covers_every_pair_of_regions():
    names = list(REGIONS)
    pairs = {(a, b) for i, a in enumerate(names) for b in names[i:]
             if a != b or REGIONS[a][0] < REGIONS[a][1]}
    assert set(CI_TABLE) == pairs and len(pairs) == 25


def bounds(lo: str, hi: str) -> tuple[float, float]:
    return REGIONS[lo][0], REGIONS[hi][1]


def expected(lo: str, hi: str, ois: bool | None, null_counts: bool) -> int:
    return OIS_TABLE[CI_TABLE[lo, hi][0 if null_counts else 1]][ois]


@pytest.mark.parametrize("lo, hi, ois, null_counts", GRID)
def test_rule_on_the_grid(lo, hi, ois, null_counts):
    call = imprecision_levels(*bounds(lo, hi), null=NULL, mid=MID, ois_met=ois, count_null=null_counts)
    assert call.levels == expected(lo, hi, ois, null_counts)
    assert call.ois_read == (CI_TABLE[lo, hi][0 if null_counts else 1] == 0 and ois is not None)


def pooled_stub(lb: float, ub: float, measure="RR") -> dict:
    return {"measure": measure, "k": 2, "studies": [],
            "random": {"k": 2, "est": (math.log(lb) + math.log(ub)) / 2, "ci_lb": math.log(lb),
                       "ci_ub": math.log(ub), "I2": 0.0}}


@pytest.mark.parametrize("lo, hi, ois, null_counts", GRID)
def test_grade_uses_the_rule_on_the_grid(lo, hi, ois, null_counts):
    """grade.imprecision reads the same table through pooled.json and living.json's TSA."""
    lb, ub = bounds(lo, hi)
    tsa = None if ois is None else {"patients": 1000 if ois else 999, "ris": 1000.0, "excluded": []}
    rating = imprecision(pooled_stub(lb, ub), {"tsa": tsa}, GradeRules(imprecision_null=null_counts))
    assert rating.downgrade == expected(lo, hi, ois, null_counts), rating.reason


def test_the_rule_is_the_same_on_the_analysis_scale():
    """Only the order of the bounds and thresholds matters: log scale gives the same call."""
    for lo, hi in CI_TABLE:
        lb, ub = bounds(lo, hi)
        people = imprecision_levels(lb, ub, null=NULL, mid=MID, ois_met=False)
        logged = imprecision_levels(math.log(lb), math.log(ub), null=0.0, mid=tuple(map(math.log, MID)),
                                    ois_met=False)
        assert (people.levels, people.includes_null, len(people.mids_crossed), len(people.crossed)) == \
               (logged.levels, logged.includes_null, len(logged.mids_crossed), len(logged.crossed))


def test_without_a_mid_only_no_effect_is_a_threshold():
    assert imprecision_levels(-2.0, 5.0, null=0.0, mid=None, ois_met=True).levels == 1  # never 2
    assert imprecision_levels(1.0, 5.0, null=0.0, mid=None, ois_met=True).levels == 0
    assert imprecision_levels(1.0, 5.0, null=0.0, mid=None, ois_met=False).levels == 1
    assert imprecision_levels(-2.0, 5.0, null=0.0, mid=None, ois_met=True, count_null=False).levels == 0


def test_a_difference_measure_with_its_mid():
    """MD with MIDs of -5 and 5 (the outcome's units): the same table, raw scale."""
    assert imprecision_levels(-6.0, 6.0, null=0.0, mid=(-5.0, 5.0), ois_met=True).levels == 2
    assert imprecision_levels(-4.0, 6.0, null=0.0, mid=(-5.0, 5.0), ois_met=True).levels == 1
    assert imprecision_levels(0.5, 4.0, null=0.0, mid=(-5.0, 5.0), ois_met=False).levels == 1
    assert imprecision_levels(0.5, 4.0, null=0.0, mid=(-5.0, 5.0), ois_met=True).levels == 0


@pytest.mark.parametrize("lb, ub, mid", [(1.2, 0.8, MID), (float("nan"), 1.0, MID), (0.5, 2.0, (1.1, 1.3))])
def test_rejects_what_is_not_a_ci_or_its_thresholds(lb, ub, mid):
    with pytest.raises(ValueError):
        imprecision_levels(lb, ub, null=NULL, mid=mid, ois_met=True)


def test_the_conclusion_interval_comes_first():
    """pooled["conclusion"] (issue 21: the declared interval) decides, not the random-effects CI."""
    p = pooled_stub(0.80, 0.95)  # random-effects CI: crosses nothing
    liv = {"tsa": {"patients": 2000, "ris": 1000.0, "excluded": []}}
    assert imprecision(p, liv, GradeRules()).downgrade == 0
    wide = {**p, "conclusion": {"est": p["random"]["est"], "ci_lb": math.log(0.5), "ci_ub": math.log(2.0)}}
    r = imprecision(wide, liv, GradeRules())
    assert r.downgrade == 2 and r.numbers["interval"] == "conclusion"
    assert r.reason.startswith("95% CI 0.50 to 2.00 crosses both minimal important differences (RR 0.75 and 1.25)")
    assert imprecision(p, liv, GradeRules()).numbers["interval"] == "random"


def test_rule_text_states_the_thresholds_and_levels():
    text = rule_text("RR", 1.0, MID)
    assert text == ("Imprecision (GRADE guidance 34, Zeng et al. 2022; GRADE 6, Guyatt et al. 2011): thresholds "
                    "RR 1 (no effect) and the minimal important differences RR 0.75 and 1.25. Two levels down when "
                    "the 95% CI crosses both minimal important differences (it includes an important benefit and "
                    "an important harm); one level when it crosses any other threshold, or when it crosses none "
                    "but the participants are fewer than the optimal information size (the trial sequential "
                    "analysis' required information size); none otherwise.")
    assert rule_text("RR", 1.0, MID, count_null=False).startswith(
        "Imprecision (GRADE guidance 34, Zeng et al. 2022; GRADE 6, Guyatt et al. 2011): thresholds the "
        "minimal important differences RR 0.75 and 1.25. Two levels")
    assert rule_text("MD", 0.0, None).startswith("Imprecision (GRADE guidance 34, Zeng et al. 2022; GRADE 6, "
                                                 "Guyatt et al. 2011): threshold MD 0 (no effect); no minimal important "
                                                 "difference set. One level down when the 95% CI crosses it")
    assert "optimal information size" not in rule_text("RR", 1.0, MID, ois=False)


def test_terlipressin_regression():
    """The review's terlipressin vs norepinephrine analysis (results at commit 499939b) was
    downgraded twice for imprecision: once for its CI (RR 0.72 to 1.10: includes no effect and
    crosses the MID 0.75) and once more because its 84 participants fall short of the required
    information size (188). The OIS is read only when the CI crosses nothing (GRADE 34): one level.
    Its one trial, Choudhury 2017 (data/raw/choudhury-2017-terlipressin.csv, row 3: 32/42 vs 36/42
    deaths; a secondary source, PMC6861808 Table 1)."""
    study = {"study": "Choudhury 2017 terlipressin", "events_trt": 32, "total_trt": 42, "events_ctl": 36,
             "total_ctl": 42}
    pooled = pool_studies([study], measure="RR")
    living = run_living([study], measure="RR")
    rating = imprecision(pooled, living, GradeRules())
    lb, ub = rating.numbers["ci_lb"], rating.numbers["ci_ub"]
    assert (round(lb, 2), round(ub, 2)) == (0.72, 1.10)
    assert (living["tsa"]["patients"], round(living["tsa"]["ris"])) == (84, 188)
    assert rating.downgrade == 1
    assert rating.reason == ("95% CI 0.72 to 1.10 includes no effect (RR 1) and crosses the minimal important "
                             "difference (RR 0.75); 84 participants, fewer than the required information size "
                             "of 188 (trial sequential analysis), not counted again: the CI already crosses a "
                             "threshold")
    certainty = grade_certainty(pooled, living)
    assert certainty.to_dict()["domains"]["imprecision"]["downgrade"] == 1
