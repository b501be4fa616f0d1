"""Restricted sensitivity analyses as rules the review declares (pipeline.settings,
config `restrictions:`), applied by an engine that knows no review's vocabulary (engine.restrict)."""

import pytest

from metapool.engine.pool import pool_studies
from metapool.engine.restrict import Restriction, restricted, restrictions
from metapool.pipeline.settings import RESTRICTION_RULES, AnalysisSettings

COUNTS = [(10, 50, 14, 50), (22, 100, 30, 98), (7, 40, 6, 41), (40, 200, 52, 201)]
AGENTS = ["vasopressin", "terlipressin", "vasopressin", "selepressin"]
ROB = [{"overall": "low"}, {"overall": "high"}, None, {"overall": "some concerns"}]


def rows():
    return [{"study": f"T{i}", "events_trt": a, "total_trt": n1, "events_ctl": c, "total_ctl": n2,
             "agent": agent, "rob": rob}
            for i, ((a, n1, c, n2), agent, rob) in enumerate(zip(COUNTS, AGENTS, ROB))]


def settings(restrictions):
    return AnalysisSettings.from_dict({"name": "a", "title": "A", "filter": {}, "restrictions": restrictions})


def test_a_rule_of_the_config_keeps_the_trials_with_its_values():
    rule = {"name": "vasopressin_only", "label": "vasopressin trials only", "column": "agent",
            "values": ["vasopressin"]}
    (resolved,) = settings([rule]).restrictions
    s = rows()
    main = pool_studies(s)
    (block,) = restrictions(s, main, [resolved])
    assert block["restriction"] == "vasopressin_only" and block["label"] == "vasopressin trials only"
    assert block["studies"] == ["T0", "T2"] and block["excluded"] == ["T1", "T3"]
    assert block["random"]["est"] == pool_studies([s[0], s[2]])["random"]["est"]


def test_exclude_leaves_out_the_values_and_keeps_the_unrecorded():
    block = restricted(rows(), pool_studies(rows()), Restriction.of(RESTRICTION_RULES["exclude_high_risk"]))
    assert block["excluded"] == ["T1"] and block["studies"] == ["T0", "T2", "T3"]
    low = restricted(rows(), pool_studies(rows()), Restriction.of(RESTRICTION_RULES["low_risk_only"]))
    assert low["studies"] == ["T0"] and low["excluded"] == ["T1", "T2", "T3"]


def test_names_resolve_to_the_review_rules_in_order():
    names = ["blinded", "septic_shock_only"]
    assert [r["column"] for r in settings(names).restrictions] == ["blinding", "septic_shock_only"]
    assert settings(names).restrictions == AnalysisSettings.from_dict(settings(names).to_dict()).restrictions


@pytest.mark.parametrize("item, message", [
    ("open_label", "unknown restriction 'open_label'"),
    ({"name": "x", "label": "x", "column": "agent"}, "values"),
])
def test_an_unknown_name_or_an_incomplete_rule_is_an_error(item, message):
    with pytest.raises((ValueError, TypeError), match=message):
        settings([item])
