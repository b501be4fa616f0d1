"""The kind of source of a trial row (`source_kind`): the forest plot's dagger and footnote, and the
`primary_only` restricted sensitivity analysis (engine.restrict)."""

import copy

import pytest

from examples import example_result, text_problems
from metapool.engine.pool import pool_studies
from metapool.engine.restrict import Restriction, restricted
from metapool.pipeline.settings import RESTRICTION_RULES
from metapool.plotting.forest_plot import build_layout, render
from metapool.plotting.forest_rows import SECONDARY_MARK, SECONDARY_NOTE, footer_lines, forest_rows
from metapool.plotting.options import ForestOptions

COUNTS = [(10, 50, 14, 50), (22, 100, 30, 98), (7, 40, 6, 41), (40, 200, 52, 201)]


def studies(kinds):
    return [{"study": f"T{i}", "events_trt": a, "total_trt": n1, "events_ctl": c, "total_ctl": n2,
             "source_kind": kind} for i, ((a, n1, c, n2), kind) in enumerate(zip(COUNTS, kinds))]


def test_primary_only_refits_on_the_primary_rows():
    rows = studies(["primary", "secondary", "primary", "primary"])
    main = pool_studies(rows)
    block = restricted(rows, main, Restriction.of(RESTRICTION_RULES["primary_only"]))
    assert block["studies"] == ["T0", "T2", "T3"] and block["excluded"] == ["T1"]
    alone = pool_studies([r for r in rows if r["source_kind"] == "primary"])["random"]
    assert block["random"]["est"] == alone["est"] and block["random"]["ci_lb"] == alone["ci_lb"]
    assert block["random"]["est"] != main["random"]["est"]


@pytest.mark.parametrize("kinds, note", [
    (["primary"] * 4, "every pooled trial qualifies: the same as the main analysis"),
    (["secondary"] * 4, "no pooled trial qualifies"),
    ([None] * 4, "no pooled trial records its kind of source"),
])
def test_primary_only_not_computed(kinds, note):
    rows = studies(kinds)
    block = restricted(rows, pool_studies(rows), Restriction.of(RESTRICTION_RULES["primary_only"]))
    assert block["random"] is None and block["note"] == note


def with_kinds(result, kinds):
    out = copy.deepcopy(result)
    for s, kind in zip(out["studies"], kinds):
        s["source_kind"] = kind
    return out


def test_forest_marks_secondary_rows_and_explains_the_mark():
    result = with_kinds(example_result(4, awkward=False), ["primary", "secondary", "primary", "secondary"])
    labels = [r.cells["study"] for r in forest_rows(result, ForestOptions()) if r.kind == "study"]
    marked = [label.split(SECONDARY_MARK)[0] for label in labels if SECONDARY_MARK in label]
    assert marked == [result["studies"][1]["label"], result["studies"][3]["label"]]
    assert footer_lines(result, ForestOptions()).count(SECONDARY_NOTE) == 1
    assert SECONDARY_NOTE == "\u2020 counts from a published meta-analysis' table (secondary source)"
    plain = with_kinds(result, ["primary"] * 4)
    assert SECONDARY_NOTE not in footer_lines(plain, ForestOptions())
    assert not any(SECONDARY_MARK in r.cells["study"] for r in forest_rows(plain, ForestOptions()))
    outside, overlaps = text_problems(render(build_layout(result, {})))
    assert outside == [] and overlaps == []
