"""Multi-arm and factorial trials (Cochrane Handbook 23.3.4): the shared control arm is checked when
the tables are read, and never counted twice in a pairwise analysis (pipeline.multiarm)."""

import math

import pytest

from metapool.errors import InputError
from metapool.inputs.trials import load_trials
from metapool.pipeline import multiarm
from metapool.pipeline.analyses import check_selection, select, study_entries
from metapool.pipeline.analysis_result import pooled_result
from metapool.pipeline.settings import from_config_entry
from metapool.plotting.forest_rows import footer_lines, forest_rows
from metapool.plotting.options import ForestOptions
from test_trials_bad_inputs import BASE, write

# A made-up three-arm trial (test data only): two experimental arms against one shared control arm.
THREE_ARM = {**BASE, "trial": "TRI-ARM", "first_author": "Synthetica", "year": "2020", "journal": "Synthetic",
             "doi": "", "pmid": "", "comparator": "norepinephrine", "comparator_class": "norepinephrine",
             "role": "first-line", "agent_class": "vasopressin analogue", "blinding": "double-blind",
             "quote": '"synthetic three-arm trial"', "source": "https://example.org/tri-arm"}
ARMS = {"terlipressin": ("6", "15"), "vasopressin": ("8", "16")}
CONTROL = ("9", "15")


def three_arm_rows(control=CONTROL, **changes):
    return [{**THREE_ARM, "agent": agent, "events_trt": a, "total_trt": n, "events_ctl": control[0],
             "total_ctl": control[1], **changes.get(agent, {})} for agent, (a, n) in ARMS.items()]


def load(tmp_path, rows):
    return load_trials([write(tmp_path, rows, name="tri-arm.csv")]).rows


def analysis(**spec):
    base = {"filter": {"outcome": "all-cause mortality", "agent_class": "vasopressin analogue"}}
    return from_config_entry("tri", {**base, **spec}, {})


@pytest.mark.parametrize("value, parts, expected", [(15, 2, [8, 7]), (9, 2, [5, 4]), (16, 3, [6, 5, 5]),
                                                    (0, 2, [0, 0]), (1, 3, [1, 0, 0])])
def test_split_whole_is_even_and_exact(value, parts, expected):
    assert multiarm.split_whole(value, parts) == expected and sum(expected) == value


def test_one_row_per_comparison_is_not_a_duplicate(tmp_path):
    rows = load(tmp_path, three_arm_rows())
    assert [r["agent"] for r in rows] == ["terlipressin", "vasopressin"]


def test_shared_arm_must_repeat_identically(tmp_path):
    path = write(tmp_path, three_arm_rows(vasopressin={"total_ctl": "16"}), name="tri-arm.csv")
    with pytest.raises(InputError) as caught:
        load_trials([path])
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == (str(path), 3, "total_ctl")
    assert "total_ctl = 16 but row 2 (terlipressin vs norepinephrine) gives 15" in problem.message
    assert "share its arm" in str(problem) and "tri-arm.csv" in str(problem)


def test_same_comparison_twice_is_still_a_duplicate(tmp_path):
    rows = three_arm_rows()
    with pytest.raises(InputError, match="trial x agent x comparator x outcome x timepoint_days must be unique"):
        load(tmp_path, [rows[0], rows[0]])


def log_rr(a, n1, c, n2):
    return math.log((a / n1) / (c / n2))


def test_one_intervention_combines_the_experimental_arms(tmp_path):
    chosen = select(load(tmp_path, three_arm_rows()), analysis())
    assert check_selection(analysis(), chosen) == []
    [row] = chosen
    assert (row["events_trt"], row["total_trt"], row["events_ctl"], row["total_ctl"]) == (14, 31, 9, 15)
    assert row["multi_arm"]["handling"] == "combined" and row["multi_arm"]["shared_arm"] == "norepinephrine"
    pooled = pooled_result(analysis(), chosen)
    assert pooled["k"] == 1
    assert pooled["studies"][0]["yi"] == pytest.approx(log_rr(6 + 8, 15 + 16, 9, 15), rel=1e-12)
    assert "counted once" in pooled["studies"][0]["multi_arm"]["note"]


def test_arms_in_different_subgroups_split_the_shared_arm(tmp_path):
    spec = analysis(subgroup="agent", pool_subgroups=False)
    chosen = select(load(tmp_path, three_arm_rows()), spec)
    assert check_selection(spec, chosen) == []
    assert [(r["agent"], r["events_ctl"], r["total_ctl"]) for r in chosen] == \
        [("terlipressin", 5, 8), ("vasopressin", 4, 7)]
    assert sum(r["total_ctl"] for r in chosen) == int(CONTROL[1])  # the control arm once, exactly
    labels = [e["label"] for e in study_entries(chosen, "agent")]
    assert labels == ["Synthetica 2020 (TRI-ARM): terlipressin", "Synthetica 2020 (TRI-ARM): vasopressin"]
    pooled = pooled_result(spec, chosen)
    assert [s["yi"] for s in pooled["studies"]] == pytest.approx([log_rr(6, 15, 5, 8), log_rr(8, 16, 4, 7)])
    lines = footer_lines(pooled, ForestOptions())
    assert any(line.startswith("\u00b9 Multi-arm trial: TRI-ARM's shared norepinephrine arm (9/15) is split")
               for line in lines), lines
    marks = [r.cells["study"] for r in forest_rows(pooled, ForestOptions()) if r.kind == "study"]
    assert all(m.endswith("\u00b9") for m in marks)


def test_an_arm_without_data_leaves_the_other_comparison(tmp_path):
    blank = {"events_trt": "", "total_trt": "", "events_ctl": "", "total_ctl": "", "status": "missing"}
    chosen = select(load(tmp_path, three_arm_rows(vasopressin=blank)), analysis())
    [row] = chosen
    assert (row["agent"], row["events_trt"], row["total_trt"]) == ("terlipressin", 6, 15)
    assert "vasopressin arm(s) report no usable data" in row["multi_arm"]["note"]


def test_arms_that_cannot_be_combined_are_an_error_not_a_double_count(tmp_path):
    effect = {"events_trt": "", "total_trt": "", "events_ctl": "", "total_ctl": "", "effect_measure": "RR",
              "effect": "0.9", "effect_lower": "0.5", "effect_upper": "1.6"}
    chosen = select(load(tmp_path, three_arm_rows(vasopressin=effect)), analysis())
    [problem] = check_selection(analysis(), chosen)
    assert "selects two comparisons of the multi-arm trial TRI-ARM" in problem.message
    assert problem.column == "analyses.tri.filter"


def test_factorial_note_is_a_forest_footnote(tmp_path):
    quote = '"synthetic" [factorial: vasopressin+hydrocortisone and vasopressin+placebo arms summed]'
    rows = load(tmp_path, [{**three_arm_rows()[0], "quote": quote}])
    pooled = pooled_result(analysis(), select(rows, analysis()))
    lines = footer_lines(pooled, ForestOptions())
    assert "\u00b9 Factorial trial: vasopressin+hydrocortisone and vasopressin+placebo arms summed" in lines
