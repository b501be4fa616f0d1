"""Every size of forest plot renders in all formats, with no text overlapping or clipped."""

import pytest

from metapool.plotting.forest_plot import draw_forest
from examples import example_result, synthetic_studies, text_boxes, text_problems
from metapool.plotting.forest_plot import render
from metapool.plotting.forest_plot import build_layout
from metapool.plotting.summary_forest import draw_summary
from metapool.pipeline.summary_rows import summary_row
from metapool.engine.pool import pool_studies

CASES = [(0, False), (1, False), (2, False), (6, False), (6, True), (25, True), (60, False),
         (60, True)]
OPTIONS = [{"show_fixed": True}, {"xlim": (0.5, 10), "treatment_label": "A much longer arm name"}]


def result_for(k, subgroups):
    if k == 0:
        return {**pool_studies(synthetic_studies(5)[3:5]), "title": "Nothing to pool"}
    return example_result(k, subgroups=subgroups, long_name=k >= 25, awkward=k >= 6)


@pytest.mark.parametrize("k, subgroups", CASES)
def test_renders_all_formats(tmp_path, k, subgroups):
    paths = {f: tmp_path / f"forest.{f}" for f in ("svg", "png", "pdf")}
    draw_forest(result_for(k, subgroups), paths, {"show_fixed": k == 6})
    for path in paths.values():
        assert path.stat().st_size > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forest.pdf", "forest.png", "forest.svg"]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("k, subgroups", CASES)
def test_no_text_overlaps_or_leaves_the_figure(k, subgroups, options):
    canvas = render(build_layout(result_for(k, subgroups), options))
    assert len(text_boxes(canvas)) > 10
    outside, overlaps = text_problems(canvas)
    assert outside == [] and overlaps == []


def test_no_text_overlaps_the_plot_column():
    """Table text stays out of the plot column (markers live there)."""
    layout = build_layout(example_result(25, subgroups=True, long_name=True), {})
    boxes = text_boxes(render(layout))
    x0, x1, top, bottom = layout.plot.x0, layout.plot.x1, layout.plot.top, layout.plot.axis_y
    inside = [t for t, b in boxes if b[2] > x0 and b[0] < x1 and b[1] < bottom and b[3] > top]
    assert inside == []


def test_summary_renders(tmp_path):
    rows = [summary_row(example_result(k, seed=k)) for k in (1, 2, 5, 9)]
    rows.append({"title": "No data", "outcome": "all-cause mortality", "timepoint_days": 90,
                 "measure": "RR", "k": 0, "I2": None, "effect": None, "effect_ci_lb": None,
                 "effect_ci_ub": None, "effect_pi_lb": None, "effect_pi_ub": None})
    paths = {f: tmp_path / f"summary.{f}" for f in ("svg", "png", "pdf")}
    draw_summary(rows, paths, title="Summary")
    for path in paths.values():
        assert path.stat().st_size > 1000


def test_summary_takes_the_workflow_summary_rows(tmp_path):
    """The workflow passes jobs.summary_rows (results/summary.tsv rows) to draw_summary."""
    import json

    from metapool.pipeline.jobs import summary_rows
    from metapool.plotting.summary_forest import summary_figure

    files = []
    for k in (1, 4, 7):
        path = tmp_path / f"k{k}.json"
        path.write_text(json.dumps(example_result(k, seed=k)))
        files.append(str(path))
    rows = summary_rows(files)
    assert [summary_row(example_result(k, seed=k))["effect"] for k in (1, 4, 7)] == [r["effect"] for r in rows]
    texts = [t.text for t in summary_figure(rows).texts()]
    assert texts.count("95% prediction interval") == 2 and "no poolable study" not in texts
    draw_summary(rows, {"png": tmp_path / "s.png"})
    assert (tmp_path / "s.png").stat().st_size > 1000


def test_summary_groups_rows_by_outcome_and_the_time_points_of_their_trials():
    from metapool.plotting.summary_forest import panels, summary_figure

    rows = [{"title": t, "outcome": "all-cause mortality", "timepoint": when, "k": k, "I2": i2,
             "measure": "RR", "effect": est, "effect_ci_lb": lo, "effect_ci_ub": hi,
             "effect_pi_lb": pl, "effect_pi_ub": ph}
            for t, when, k, i2, est, lo, hi, pl, ph in [
                ("X", "days 28-90", 3, 12.3, 0.9, 0.7, 1.2, 0.5, 1.6),
                ("Y", "day 28", 1, None, 1.1, 0.8, 1.5, None, None),
                ("X", "days 28-90", 0, None, None, None, None, None, None)]]
    [(code, groups)] = panels(rows)
    assert code == "RR"
    assert [(g, [r["title"] for r in members]) for g, members in groups] == [
        ("All-cause mortality, days 28-90", ["X", "X"]), ("All-cause mortality, day 28", ["Y"])]
    texts = [t.text for t in summary_figure(rows).texts()]
    for cell in ("0.90 [0.70, 1.20]", "no poolable study", "1.10 [0.80, 1.50]", "[0.50, 1.60]",
                 "12%", "Favours experimental", "Favours control"):
        assert cell in texts, cell


def test_summary_rows_need_their_keys():
    from metapool.plotting.summary_forest import summary_figure

    with pytest.raises(ValueError, match="lacks effect, effect_ci_lb, effect_ci_ub"):
        summary_figure([{"title": "X", "k": 2, "est": 1.0, "ci_lb": 0.5, "ci_ub": 2.0}])


def test_summary_row_time_point_is_that_of_the_trials_entering_the_analysis():
    from metapool.pipeline.summary_rows import timepoint

    def trial(days, weight=1.0):
        return {"timepoint_days": days, "weight_random": weight}

    assert timepoint([trial(90, None), trial(28)]) == (28, "day 28")
    assert timepoint([trial(28), trial(90)]) == (None, "days 28-90")
    assert timepoint([trial(None), trial(90)]) == (None, "day 90 or unstated")
    assert timepoint([trial(None)]) == (None, "time point unstated")
    assert timepoint([]) == (None, None)
