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
    from metapool.plotting.summary_forest import summary_frame

    files = []
    for k in (1, 4, 7):
        path = tmp_path / f"k{k}.json"
        path.write_text(json.dumps(example_result(k, seed=k)))
        files.append(str(path))
    rows = summary_rows(files)
    assert [summary_row(example_result(k, seed=k))["effect"] for k in (1, 4, 7)] == [r["effect"] for r in rows]
    frame, _ = summary_frame(rows)
    assert frame["est"].notna().all() and (frame["pi"] != "").sum() == 2
    draw_summary(rows, {"png": tmp_path / "s.png"})
    assert (tmp_path / "s.png").stat().st_size > 1000


def test_a_very_tall_summary_figure_still_rasterises():
    """A summary of thousands of analyses would pass Agg's 65,536-pixel limit at 200 dpi."""
    from matplotlib.figure import Figure

    from metapool.plotting import style
    from metapool.plotting.save import MAX_PNG_PIXELS, png_dpi

    assert png_dpi(Figure(figsize=(8, 10))) == style.DPI
    tall = Figure(figsize=(8, 400))
    assert png_dpi(tall) * 400 == pytest.approx(MAX_PNG_PIXELS)
