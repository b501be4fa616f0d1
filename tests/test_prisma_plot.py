"""plotting.prisma: the flow diagram renders at the real record and at a tiny one, every text inside
its box, every arrow joining two boxes, and the same bytes every time."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.patches import FancyArrowPatch, Rectangle

import prisma_helpers as ph
from metapool.inputs.search import load_search
from metapool.pipeline.prisma import flow, synthesis_trials
from metapool.plotting import style, text
from metapool.plotting.prisma import MAIN, SIDE, draw_prisma, layout, prisma_figure, rows

REPO = Path(__file__).resolve().parents[1]


def real_flow():
    record = load_search(REPO / "data" / "search" / "records.csv", REPO / "data" / "raw")
    return flow(record.records, synthesis_trials(sorted((REPO / "results").glob("*/pooled.json"))))


def tiny_flow(tmp_path):
    records_file, raw = ph.write_search(tmp_path / "tiny")
    return flow(load_search(records_file, raw).records, {"ALPHA"})


def empty_flow(tmp_path):
    """One record, screened out: most boxes say n = 0."""
    records_file, raw = ph.write_search(tmp_path / "one", [ph.excluded("S01", "DELTA cohort", "excluded", "",
                                                                       "not randomised")], tables=())
    return flow(load_search(records_file, raw).records)


FLOWS = {"real": lambda tmp_path: real_flow(), "tiny": tiny_flow, "empty": empty_flow}


@pytest.fixture(params=sorted(FLOWS))
def any_flow(request, tmp_path):
    return FLOWS[request.param](tmp_path)


def test_every_box_says_its_number(tmp_path):
    f = tiny_flow(tmp_path)
    text = "\n".join(line.text for _, main, side in rows(f) for box in (main, side) if box for line in box.lines)
    for expected in ("Records identified (n = 9) from:", "Databases (n = 4)", "PubMed (n = 4)", "Registers (n = 1)",
                     "ClinicalTrials.gov (n = 1)", "Other sources (n = 4)",
                     "Published meta-analyses and reviews (n = 2)", "Journal and summary websites (n = 1)",
                     "Page not named in the search log (n = 1)", "Duplicate records (n = 1)",
                     "Records screened (n = 8)", "Records excluded (n = 1)", "Not randomised (n = 1)",
                     "Reports sought for retrieval (n = 7)", "Reports not retrieved (n = 1)",
                     "Could not be sourced (n = 1)", "Reports assessed for eligibility (n = 6)",
                     "Reports excluded (n = 1)", "No mortality reported (n = 1)",
                     "Studies included in review (n = 3)", "Reports of included studies (n = 5)",
                     "Studies in the quantitative synthesis (meta-analysis) (n = 1)", "ALPHA",
                     "Included studies in no meta-analysis (n = 2)",
                     "Table added, no weight in any analysis (n = 2)"):
        assert expected in text.split("\n"), expected
    assert "Table not added yet" not in text  # n = 0 lines are left out


def test_every_line_fits_its_box_when_measured(any_flow):
    for _, main, side in rows(any_flow):
        for box in (main, side) if side else (main,):
            assert box.width in (MAIN, SIDE)
            for part, weight, offset in box.wrapped():
                assert offset + text.width(part, style.FONT_SIZE, weight) <= box.width - 5.0 + 1e-9, part


def test_rendered_texts_inside_boxes_and_arrows_between_them(any_flow):
    with style.figure_style():
        fig = prisma_figure(any_flow)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
        fig_box = fig.bbox
        for t in ax.texts:
            extent = t.get_window_extent(renderer)
            assert fig_box.x0 <= extent.x0 and extent.x1 <= fig_box.x1, t.get_text()
            anchor = ax.transData.transform(t.get_position())
            home = [b.get_window_extent(renderer) for b in boxes if b.get_window_extent(renderer).contains(*anchor)]
            if home:  # a box's line, a phase label or the header: inside that box with a margin
                outer = home[0]
                margin = 2.0 * fig.dpi / 72  # 2 points
                assert outer.x0 + margin <= extent.x0 and extent.x1 <= outer.x1 - margin, t.get_text()
                assert outer.y0 + margin <= extent.y0 and extent.y1 <= outer.y1 - margin, t.get_text()
        # no two texts overlap
        extents = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts]
        for i, (a, ea) in enumerate(extents):
            for b, eb in extents[i + 1:]:
                assert not ea.overlaps(eb), (a, b)
        # every arrow starts on the edge of one box and ends on the edge of another
        placed, _ = layout(any_flow, 0.0)
        arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
        assert len(arrows) == (len(placed) - 1) + sum(1 for _, _, side in placed if side)


def test_the_layout_stacks_rows_without_overlap(any_flow):
    placed, bottom = layout(any_flow, 50.0)
    top = 50.0
    for _, main, side in placed:
        row_top = min(b.y for b in (main, side) if b)
        assert row_top > top
        top = max(b.y + b.height for b in (main, side) if b)
        if side:  # main and side are centred on one line: the right arrow is horizontal
            assert abs((main.y + main.height / 2) - (side.y + side.height / 2)) < 1e-9
            assert side.x >= main.x + MAIN + 10.0
    assert bottom == pytest.approx(top)


def test_bytes_are_deterministic_and_carry_no_date(tmp_path):
    f = real_flow()
    one, two = tmp_path / "a.svg", tmp_path / "b.svg"
    draw_prisma(f, {"svg": one})
    draw_prisma(f, {"svg": two})
    assert one.read_bytes() == two.read_bytes()
    svg = one.read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert f"Records identified (n = {f.n_identified}) from:" in svg


def test_the_committed_figure_is_the_real_record_drawn(tmp_path):
    path = tmp_path / "prisma.svg"
    draw_prisma(real_flow(), {"svg": path})
    assert path.read_bytes() == (REPO / "results" / "prisma.svg").read_bytes()


def test_png_and_pdf_render_too(tmp_path):
    paths = {fmt: tmp_path / f"p.{fmt}" for fmt in ("png", "pdf")}
    draw_prisma(tiny_flow(tmp_path), paths)
    assert paths["png"].read_bytes()[:4] == b"\x89PNG" and paths["pdf"].read_bytes()[:4] == b"%PDF"
