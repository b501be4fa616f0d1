"""plotting.prisma_plot: the flow diagram renders at the real record and at a tiny one, every text inside
its box, every arrow joining two boxes, and the same bytes every time."""

from __future__ import annotations

from pathlib import Path

import pytest

import prisma_helpers as ph
from metapool.inputs.search import load_search
from metapool.pipeline.prisma import flow, synthesis_trials
from metapool.plotting import style, text
from metapool.plotting.canvas import text_box
from metapool.plotting.prisma_plot import MAIN, SIDE, arrows, draw_prisma, layout, prisma_figure, rows

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
    for expected in ("Records identified (n = 11) from:", "Databases (n = 6)", "PubMed (n = 6)", "Registers (n = 1)",
                     "ClinicalTrials.gov (n = 1)", "Other sources (n = 4)",
                     "Published meta-analyses, reviews (n = 2)", "Journal and summary websites (n = 1)",
                     "Page not named in the search log (n = 1)", "Duplicate records (n = 1)",
                     "Records screened (n = 10)", "Records excluded (n = 1)", "Not randomised (n = 1)",
                     "Reports not sought for retrieval (n = 1)", "Not searched for (n = 1)",
                     "Reports sought for retrieval (n = 8)", "Reports not retrieved (n = 1)",
                     "Could not be sourced (n = 1)", "Reports assessed for eligibility (n = 7)",
                     "Reports excluded (n = 1)", "Comparison out of scope (n = 1)",
                     "Studies included in review (n = 4)", "Reports of included studies (n = 6)",
                     "Studies in the quantitative synthesis (meta-analysis) (n = 1)", "ALPHA",
                     "Included, in no meta-analysis (n = 3)", "No mortality reported (n = 1)",
                     "Table added, not pooled (n = 2)"):
        assert expected in text.split("\n"), expected
    assert "Table not added yet" not in text  # n = 0 lines are left out


def test_every_line_fits_its_box_when_measured(any_flow):
    for _, main, side in rows(any_flow):
        for box in (main, side) if side else (main,):
            assert box.width in (MAIN, SIDE)
            for part, weight, offset in box.wrapped():
                assert offset + text.width(part, style.FONT_SIZE, weight) <= box.width - 5.0 + 1e-9, part


def _rectangles(canvas):
    """(x0, y0, x1, y1) of every axis-aligned rectangle drawn (boxes, the header bar, the bands)."""
    out = []
    for kind, data in canvas.drawn():
        if kind == "polygon" and len(data[0]) == 4:
            xs, ys = {x for x, _ in data[0]}, {y for _, y in data[0]}
            if len(xs) == 2 and len(ys) == 2:
                out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_rendered_texts_inside_boxes_and_arrows_between_them(any_flow):
    canvas = prisma_figure(any_flow)
    boxes = _rectangles(canvas)
    extents = [(t.text, text_box(t)) for t in canvas.texts()]
    for (label, (x0, y0, x1, y1)), t in zip(extents, canvas.texts()):
        assert 0.0 <= x0 and x1 <= canvas.width and 0.0 <= y0 and y1 <= canvas.height, label
        home = [b for b in boxes if b[0] <= t.x <= b[2] and b[1] <= t.y <= b[3]]
        if home:  # a box's line, a phase label or the header: inside that box with a margin
            bx0, by0, bx1, by1 = min(home, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
            margin = 2.0  # points
            assert bx0 + margin <= x0 and x1 <= bx1 - margin, label
            assert by0 + margin <= y0 and y1 <= by1 - margin, label
    # no two texts overlap
    for i, (a, ea) in enumerate(extents):
        for b, eb in extents[i + 1:]:
            assert not _overlap(ea, eb), (a, b)
    # every arrow starts on the edge of one box and ends on the edge of another
    placed, _ = layout(any_flow, 0.0)
    expected = (len(placed) - 1) + sum(1 for _, _, side in placed if side)
    assert len(arrows(placed)) == expected
    flow_boxes = [b for b in boxes if b[2] - b[0] in (pytest.approx(MAIN), pytest.approx(SIDE))]

    def home_of(point):
        x, y = point
        return [b for b in flow_boxes if b[0] - 1e-6 <= x <= b[2] + 1e-6 and b[1] - 1e-6 <= y <= b[3] + 1e-6
                and min(abs(x - b[0]), abs(x - b[2]), abs(y - b[1]), abs(y - b[3])) < 1e-6]

    heads = [data[0] for kind, data in canvas.drawn() if kind == "polygon" and len(data[0]) == 3]
    shafts = [data[0] for kind, data in canvas.drawn() if kind == "line"]
    assert len(heads) == expected
    for tip, left, right in heads:
        base = ((left[0] + right[0]) / 2, (left[1] + right[1]) / 2)
        (shaft,) = [line for line in shafts if line[-1] == pytest.approx(base)]
        (start,), (end,) = home_of(shaft[0]), home_of(tip)
        assert start != end


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
