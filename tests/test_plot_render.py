"""Every size of forest plot renders in all formats, with no text overlapping or clipped."""

import pytest
from matplotlib.text import Text

from metapool.plotting import draw_forest
from metapool.plotting import style
from examples import example_result, synthetic_studies
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


def text_boxes(fig):
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts]


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
    with style.figure_style():
        fig = render(build_layout(result_for(k, subgroups), options))
        boxes = text_boxes(fig)
    width, height = fig.bbox.width, fig.bbox.height
    assert len(boxes) > 10
    for text, box in boxes:
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, text
    overlaps = [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
                if box_a.overlaps(box_b)]
    assert overlaps == []


def test_no_text_overlaps_the_plot_column():
    """Table text stays out of the plot column (markers live there)."""
    layout = build_layout(example_result(25, subgroups=True, long_name=True), {})
    with style.figure_style():
        fig = render(layout)
        boxes = text_boxes(fig)
    scale = fig.dpi / 72
    x0, x1 = layout.plot.x0 * scale, layout.plot.x1 * scale
    top, bottom = fig.bbox.height - layout.plot.top * scale, fig.bbox.height - layout.plot.axis_y * scale
    inside = [t for t, b in boxes if b.x1 > x0 and b.x0 < x1 and b.y0 < top and b.y1 > bottom]
    assert inside == []


def test_summary_renders(tmp_path):
    rows = [summary_row(example_result(k, seed=k)) for k in (1, 2, 5, 9)]
    rows.append({"title": "No data", "outcome": "all-cause mortality", "timepoint_days": 90,
                 "k": 0, "I2": None, "rr": None, "rr_ci_lb": None, "rr_ci_ub": None,
                 "rr_pi_lb": None, "rr_pi_ub": None})
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
    assert [summary_row(example_result(k, seed=k))["rr"] for k in (1, 4, 7)] == [r["rr"] for r in rows]
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
