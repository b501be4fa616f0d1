"""Risk-of-bias traffic lights beside the forest plot (RoB 2 domains D1-D5 and Overall)."""

import pytest

from examples import example_result, synthetic_result, text_problems, with_rob
from metapool.plotting.forest_plot import draw_forest
from metapool.plotting import marks
from metapool.plotting.forest_plot import build_layout, render
from metapool.plotting.forest_rows import ROB_NOT_ASSESSED, footer_lines, forest_rows, forest_table
from metapool.plotting.options import ForestOptions

ROB_KEYS = ["d1", "d2", "d3", "d4", "d5", "overall"]


def keys(result, **options):
    return [c.key for c in forest_table(result, ForestOptions(**options)).columns]


def test_columns_right_of_the_effect_only_when_a_study_is_assessed():
    result = example_result(6)
    assert keys(with_rob(result))[-7:] == ["effect"] + ROB_KEYS
    assert not set(ROB_KEYS) & set(keys(result))
    assert not set(ROB_KEYS) & set(keys(with_rob(result), show_rob=False))
    assert ROB_NOT_ASSESSED in footer_lines(result, ForestOptions())
    assert ROB_NOT_ASSESSED not in footer_lines(with_rob(result), ForestOptions())
    assert not any("Risk of bias" in line for line in footer_lines(result, ForestOptions(show_rob=False)))
    table = forest_table(with_rob(result), ForestOptions())
    assert ("Risk of bias", "d1", "overall") in table.spans
    assert [label for _, label in table.legend] == ["Low risk", "Some concerns", "High risk", "Not assessed"]


def test_each_study_gets_its_judgements_and_unassessed_ones_a_question_mark():
    result = with_rob(example_result(12), assessed=0.6, seed=2)
    rows = [r for r in forest_rows(result, ForestOptions()) if r.kind == "study"]
    for row, study in zip(rows, result["studies"]):
        rob = study["rob"]
        expected = {k: (rob[k] if rob else None) for k in ROB_KEYS}
        assert row.symbols == expected
    assert any(r.symbols["d1"] is None for r in rows) and any(r.symbols["d1"] for r in rows)
    totals = [r for r in forest_rows(result, ForestOptions()) if r.kind != "study"]
    assert all(r.symbols is None for r in totals)


def test_judgement_words():
    assert [marks.rob_level(v) for v in ("Low", "low risk", "Some concerns", "HIGH", None, "unclear")] == \
        ["low", "low", "some concerns", "high", None, None]
    # the four levels differ in glyph, not only in colour
    assert len(set(marks.ROB_GLYPH.values())) == 4


def test_sensitivity_footer():
    """The restricted analyses by risk of bias (engine.restrict blocks of pooled.json) are footer
    lines with their estimate, k and the trials left out; none without `restricted` blocks."""
    result = with_rob(example_result(6), seed=5)
    low = next(b for b in result["restricted"] if b["restriction"] == "low_risk_only")
    e = low["random"]["natural"]
    line = next(l for l in footer_lines(result, ForestOptions())
                if l.startswith("Sensitivity, trials at low risk of bias only"))
    assert line == (f"Sensitivity, trials at low risk of bias only: RR {e['est']:.2f} [{e['ci_lb']:.2f}, "
                    f"{e['ci_ub']:.2f}] (k = {low['random']['k']}; leaves out {', '.join(low['excluded'])}).")
    assert any(l.startswith("Sensitivity, excluding trials at high risk of bias: RR ")
               for l in footer_lines(result, ForestOptions()))
    unassessed = with_rob(example_result(6), assessed=0.0)  # restrictions by RoB: not computed
    assert ("Sensitivity analyses not computed: trials at low risk of bias only (risk of bias is not "
            "assessed for any pooled trial); excluding trials at high risk of bias (risk of bias is not "
            "assessed for any pooled trial).") in footer_lines(unassessed, ForestOptions())
    none = with_rob(example_result(6), sensitivity=False)
    assert not any(l.startswith("Sensitivity") for l in footer_lines(none, ForestOptions()))


@pytest.mark.parametrize("k", [1, 6, 25])
@pytest.mark.parametrize("assessed", [1.0, 0.5])
def test_renders_without_overlaps(k, assessed):
    result = with_rob(example_result(k, subgroups=k == 25, long_name=k == 25, awkward=k >= 6),
                      assessed=assessed)
    layout = build_layout(result, {})
    outside, overlaps = text_problems(render(layout))
    assert outside == [] and overlaps == []
    cols = {c.key: c for c in layout.columns}
    for level, x, y in layout.symbols:  # every circle inside the figure, in a RoB column or the legend
        assert marks.ROB_RADIUS <= x <= layout.width - marks.ROB_RADIUS
        in_column = any(abs(x - (cols[k].left + cols[k].width / 2)) < 1e-9 for k in ROB_KEYS)
        assert in_column or y > layout.plot.axis_y


def test_all_formats_keep_text(tmp_path):
    paths = {f: tmp_path / f"forest.{f}" for f in ("svg", "png", "pdf")}
    draw_forest(with_rob(synthetic_result("MD", 8)), paths, {})
    svg = paths["svg"].read_text(encoding="utf-8")
    assert "Risk of bias" in svg and ">D5<" in svg and ">Overall<" in svg
    assert paths["png"].stat().st_size > 1000 and paths["pdf"].stat().st_size > 1000
