"""The figure check: every kind of figure, drawn from the committed results (the real review) and
from synthetic extremes, is checked on the canvas' own record of what it draws (canvas.Canvas
items): no text overlaps another or leaves the canvas; in every interval column each interval
lies inside the axis, and one that runs past an end of the axis ends in an arrow at that end;
and the SVG carries <title>, <desc> and a generic font family.

Print size (issue 22 item 5): the smallest text of every figure, printed at a 17 cm page width,
is at least MIN_PRINT_PT points -- for every kind of figure (README, "Figures").
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from examples import example_result, text_problems
from metapool.pipeline.summary_rows import summary_row
from metapool.plotting import canvas as cv
from metapool.plotting import table
from metapool.plotting.cumulative_plot import cumulative_table
from metapool.plotting.forest_rows import forest_table
from metapool.plotting.leave1out_plot import leave1out_table
from metapool.plotting.living_figures import FIGURES as LIVING
from metapool.plotting.options import ForestOptions
from metapool.plotting.rob_figures import FIGURES as ROB
from metapool.plotting.summary_forest import panel_table, panels, summary_figure
from metapool.plotting.versions_plot import versions_figure

ROOT = Path(__file__).resolve().parents[1]
RESULTS = sorted(p.parent for p in (ROOT / "results").glob("*/pooled.json"))
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
PAGE_WIDTH = 17 / 2.54 * 72  # 17 cm in points
MIN_PRINT_PT = 7.0
EPS = 1e-6


def real(name: Path) -> tuple[dict, dict, ForestOptions]:
    pooled = json.loads((name / "pooled.json").read_text(encoding="utf-8"))
    living = json.loads((name / "living.json").read_text(encoding="utf-8"))
    plot = (CONFIG["analyses"].get(name.name) or {}).get("plot") or {}
    return pooled, living, ForestOptions.coerce(plot)


def synthetic() -> list[tuple[dict, dict, ForestOptions]]:
    from test_plot_living_render import analysis

    out = []
    for k, long_name in ((6, True), (12, False)):
        pooled, living = analysis(k, long_name=long_name)
        out.append((pooled, living, ForestOptions()))
    return out


CASES = [(p.name, p) for p in RESULTS] + [("synthetic-6", 0), ("synthetic-12", 1)]


def case(which):
    return real(which) if isinstance(which, Path) else synthetic()[which]


def tables(pooled, living, options) -> dict[str, table.Table]:
    """The interval-column figures of one analysis, as table.Tables."""
    out = {"forest": forest_table(pooled, options)}
    if living.get("cumulative"):
        out["cumulative"] = cumulative_table(pooled, living, options)
    if living.get("leave1out") and living["leave1out"].get("study"):
        out["leave1out"] = leave1out_table(pooled, living, options)
    return out


def canvases(pooled, living, options) -> dict[str, cv.Canvas]:
    """Every figure of one analysis."""
    out = {name: draw(pooled, living, options) for name, draw in LIVING.items()}
    out["forest"] = table.draw(forest_table(pooled, options))
    out.update({name: draw(pooled, "Title") for name, draw in ROB.items()})
    out["versions"] = versions_figure(pooled.get("analysis") or "x", [], None)
    return out


def interval_problems(tab: table.Table) -> list[str]:
    """Intervals outside the axis, or past an end of it without an arrow at that end; anything
    drawn on a row's line beyond the interval column."""
    lay = table.layout(tab)
    canvas = table.render(lay)
    axis, plot = lay.plot.axis, lay.plot
    arrows = [data[0] for kind, data in canvas.drawn() if kind == "polygon" and len(data[0]) == 3]
    problems = []
    for row, placed in zip(tab.rows, lay.rows):
        iv, m = row.interval, placed.marker
        if iv is None or m is None:
            continue
        label = f"{placed.cells.get(tab.columns[0].key, '')!r} [{iv.lo:.3g}, {iv.hi:.3g}]"
        if not (axis.lo - EPS <= m.lo <= m.hi <= axis.hi + EPS):
            problems.append(f"{label}: drawn outside the axis [{axis.lo:.3g}, {axis.hi:.3g}]")
        for past, end in ((iv.lo < axis.lo - EPS, plot.x0), (iv.hi > axis.hi + EPS, plot.x1)):
            tip = any(abs(pts[0][0] - end) < 0.01 and abs(pts[0][1] - placed.y) < 0.01 for pts in arrows)
            if past and not tip:
                problems.append(f"{label}: runs past the axis at x = {end:.1f} without an arrow")
    for kind, data in canvas.drawn():
        if kind in ("line", "polygon") and lay.plot.drawn:
            pts = data[0]
            ys = {round(y, 3) for _, y in pts}
            on_row = any(abs(y - r.y) < r.height / 2 for y in ys for r in lay.rows if r.marker)
            xs = [x for x, _ in pts]
            inside = plot.x0 - 1.0 <= min(xs) and max(xs) <= plot.x1 + 1.0
            overlaps = max(xs) > plot.x0 and min(xs) < plot.x1
            if on_row and overlaps and not inside and len(ys) == 1:
                problems.append(f"a line at y = {pts[0][1]:.1f} leaves the interval column")
    return problems


def print_size(canvas: cv.Canvas) -> float:
    """The smallest text size in points once the figure is scaled to a 17 cm page width (never
    enlarged)."""
    smallest = min(t.size for t in canvas.texts() if t.text.strip())
    return smallest * min(1.0, PAGE_WIDTH / canvas.width)


@pytest.mark.parametrize("name,which", CASES, ids=[c[0] for c in CASES])
def test_no_text_overlaps_or_leaves_the_canvas(name, which):
    pooled, living, options = case(which)
    for kind, canvas in canvases(pooled, living, options).items():
        outside, overlaps = text_problems(canvas)
        assert not outside and not overlaps, f"{name} {kind}: outside {outside[:3]}, overlaps {overlaps[:3]}"


@pytest.mark.parametrize("name,which", CASES, ids=[c[0] for c in CASES])
def test_every_interval_is_inside_its_axis_or_ends_in_an_arrow(name, which):
    pooled, living, options = case(which)
    for kind, tab in tables(pooled, living, options).items():
        assert interval_problems(tab) == [], f"{name} {kind}"


def summary_rows() -> list[dict]:
    return [summary_row(json.loads((p / "pooled.json").read_text(encoding="utf-8"))) for p in RESULTS]


def test_the_summary_forest_is_checked_too():
    rows = summary_rows() + [summary_row(example_result(25, long_name=True, seed=3))]
    canvas = summary_figure(rows, "All analyses")
    outside, overlaps = text_problems(canvas)
    assert not outside and not overlaps, (outside[:3], overlaps[:3])
    for code, groups in panels(rows):
        assert interval_problems(panel_table(code, groups, None, None)) == [], code


def test_the_check_finds_a_missing_arrow_and_an_overlap():
    """The checks can fail: an interval past the axis drawn without its arrow, two texts on one spot."""
    from metapool.plotting.page import Text

    rows = (table.Row("study", {"label": "A"}, interval=table.Interval("point", "study", 0.0, -9.0, 9.0)),)
    tab = table.Table(title=None, columns=(table.Column("label", ("Trial",), "left"),
                                           table.Column(table.PLOT, ("RR",), "center")),
                      rows=rows, favours=("a", "b"), axis=table.axes.for_measure(True, [-1.0, 1.0], []))
    assert interval_problems(tab) == []  # arrows drawn at both ends
    lay = table.layout(tab)
    bare = table.Layout(**{**lay.__dict__, "rows": tuple(
        table.PlacedRow(**{**r.__dict__, "marker": table.marks.Marker(
            "point", "study", 0.0, r.marker.lo, r.marker.hi, 1.0, False, False, True)})
        for r in lay.rows)})
    canvas = table.render(bare)
    assert not any(kind == "polygon" and len(data[0]) == 3 for kind, data in canvas.drawn())
    clash = cv.Canvas(100, 40)
    clash.text(Text("overlap", 10, 20))
    clash.text(Text("overlap", 12, 20))
    clash.text(Text("off the page", 90, 20))
    outside, overlaps = text_problems(clash)
    assert outside == ["off the page"] and overlaps


@pytest.mark.parametrize("name,which", CASES[:3] + CASES[-2:], ids=[c[0] for c in CASES[:3] + CASES[-2:]])
def test_svg_has_title_desc_and_a_generic_font(name, which):
    pooled, living, options = case(which)
    for kind, canvas in canvases(pooled, living, options).items():
        svg = cv.to_svg(canvas).decode("utf-8")
        assert "<title>" in svg and "<desc>" in svg and "sans-serif" in svg, kind
        assert svg.index("<title>") < svg.index("<text"), kind


def test_svg_title_is_escaped():
    from metapool.plotting.page import Text
    from metapool.plotting import style

    c = cv.Canvas(200, 40)
    c.text(Text("A <b> & \"c\"", 10, 20, style.TITLE_SIZE, "bold"))
    svg = cv.to_svg(c).decode("utf-8")
    assert "<title>A &lt;b&gt; &amp; \"c\"</title>" in svg


@pytest.mark.parametrize("name,which", CASES, ids=[c[0] for c in CASES])
def test_text_is_at_least_7_pt_at_a_17_cm_page_width(name, which):
    pooled, living, options = case(which)
    small = {kind: round(print_size(c), 2) for kind, c in canvases(pooled, living, options).items()}
    assert {"forest", "funnel", "versions"} <= set(small)
    assert all(v >= MIN_PRINT_PT - EPS for v in small.values()), small


def test_prisma_and_summary_print_at_7_pt_at_17_cm():
    from test_prisma_plot import real_flow
    from metapool.plotting.prisma_plot import prisma_figure

    assert print_size(prisma_figure(real_flow())) >= MIN_PRINT_PT - EPS
    assert print_size(summary_figure(summary_rows(), "All analyses")) >= MIN_PRINT_PT - EPS


def test_the_table_figures_fit_17_cm_at_7_pt():
    """The forest, cumulative and leave-one-out pages are fitted to 17 cm (table.TableStyle
    page_width): no wider than the page, with 7 pt their smallest text."""
    for _, which in CASES:
        for kind, tab in tables(*case(which)).items():
            canvas = table.draw(tab)
            assert canvas.width <= PAGE_WIDTH + EPS, (kind, canvas.width)
            assert min(t.size for t in canvas.texts() if t.text.strip()) >= MIN_PRINT_PT - EPS


def test_print_size_fails_a_page_wider_than_17_cm():
    """The check can fail: 7 pt text on a page wider than 17 cm prints below 7 pt."""
    from metapool.plotting.page import Text

    wide = cv.Canvas(2 * PAGE_WIDTH, 40)
    wide.text(Text("small", 10, 20, MIN_PRINT_PT))
    assert print_size(wide) < MIN_PRINT_PT
    assert not math.isnan(PAGE_WIDTH)
