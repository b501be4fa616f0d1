"""The PRISMA 2020 flow diagram (Page et al., BMJ 2021;372:n71) of the search record.

One flow, because the records of every source were deduplicated together: identification
(records from databases, registers and other sources; duplicates removed), screening (records
screened and excluded; reports sought, not retrieved, assessed and excluded, each exclusion
with its reason and n), and included (studies and their reports, then the studies in the
quantitative synthesis). Boxes and arrows are drawn onto a canvas.Canvas in points (y down), as
every figure of the package; every line is measured with plotting.text and wrapped to its box,
and a box is as tall as its lines. Input: a pipeline.prisma.Flow.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from metapool.plotting import style
from metapool.plotting import text
from metapool.plotting.canvas import Canvas
from metapool.plotting.page import LINE, MARGIN, Page, Text
from metapool.plotting.save import save_canvas

TITLE = "PRISMA 2020 flow diagram"
SUBTITLE = "How the trials of the review were found, screened and included"
WIDTH = 480.0  # 17 cm: the page width of a journal, so the 7 pt note prints at 7 pt
BAND = 16.0  # the phase label bands on the left
BAND_GAP = 8.0
MAIN = 222.0  # main column (the flow)
GAP = 26.0  # between the main column and the side boxes (the right arrows)
SIDE = WIDTH - 2 * MARGIN - BAND - BAND_GAP - MAIN - GAP
PAD = 5.0  # inside a box
INDENT = 9.0  # per level of a sub-line
ROW_GAP = 16.0  # between rows (the down arrows)
HEADER = 18.0
EDGE = 0.8
HEAD_LENGTH = 3.2  # arrow heads (matplotlib's "-|>" at mutation scale 8), outlined at EDGE
HEAD_HALF_WIDTH = 1.6

HEADER_FILL = "#FBECCC"  # Okabe-Ito orange (#E69F00) at 20% on white
BAND_FILL = "#CCE3F0"  # Okabe-Ito blue (#0072B2) at 20% on white
NOTE = ("Adapted from the PRISMA 2020 template (Page et al., BMJ 2021;372:n71): one flow, because the records of "
        "every source were deduplicated together. Counts from data/search/records.csv, one row per record; "
        "queries in data/search/queries.csv. The search read stored copies of public pages (PubMed and PMC "
        "records, registry entries, journal and summary pages, published meta-analyses), not live database "
        "searches. Quantitative synthesis: included studies with a weight in the random-effects model of at "
        "least one analysis (results/<analysis>/pooled.json); an included study that does not report "
        "mortality is counted there, not as an exclusion. Reports sought: those the search tried to "
        "obtain; reports never searched for are counted as not sought.")
SOURCE_LABELS = {
    "published meta-analysis or review": "Published meta-analyses, reviews",
    "website": "Journal and summary websites",
    "not named in the search log": "Page not named in the search log",
}


@dataclass(frozen=True)
class Line:
    """A line of a box: its text, weight and indent level (sub-lines are indented)."""

    text: str
    weight: str = "normal"
    level: int = 0


@dataclass(frozen=True)
class BoxSpec:
    """A box's lines and width; wrapped() gives the drawn lines."""

    lines: tuple[Line, ...]
    width: float
    fill: str = "white"

    def wrapped(self) -> list[tuple[str, str, float]]:
        """(text, weight, x offset from the box's left edge) per drawn line."""
        out = []
        for line in self.lines:
            offset = PAD + INDENT * line.level
            parts = text.wrap(line.text, self.width - offset - PAD, style.FONT_SIZE, line.weight)
            if len(parts) > 1:  # continuation lines hang by one indent: wrap to the narrower width
                parts = text.wrap(line.text, self.width - offset - INDENT - PAD, style.FONT_SIZE, line.weight)
            out.extend((part, line.weight, offset + (INDENT if i else 0.0)) for i, part in enumerate(parts))
        return out

    @property
    def height(self) -> float:
        return 2 * PAD + LINE * len(self.wrapped())


def n(count: int) -> str:
    return f"(n = {count})"


def _reasons(counts: dict[str, int]) -> tuple[Line, ...]:
    return tuple(Line(f"{reason[:1].upper()}{reason[1:]} {n(k)}", level=1) for reason, k in counts.items())


def rows(flow) -> list[tuple[str, BoxSpec, BoxSpec | None]]:
    """(phase, main box, side box or None) from top to bottom."""
    identified = [Line(f"Records identified {n(flow.n_identified)} from:")]
    headings = {"database": "Databases", "register": "Registers", "other": "Other sources"}
    for kind, sources in flow.identified.items():
        identified.append(Line(f"{headings[kind]} {n(sum(sources.values()))}", level=1))
        identified.extend(Line(f"{SOURCE_LABELS.get(s, s)} {n(k)}", level=2) for s, k in sources.items())
    unpooled = _reasons(flow.no_synthesis) + tuple(Line(label, level=1) for label, k in (
        (f"Table added, not pooled {n(flow.unpooled_added)}", flow.unpooled_added),
        (f"Table not added yet {n(flow.unpooled_pending)}", flow.unpooled_pending)) if k)
    not_sought = ((Line(f"Reports not sought for retrieval {n(flow.n_not_sought)}"),)
                  + _reasons(flow.not_sought) if flow.n_not_sought else ())
    synthesis = ", ".join(flow.synthesis) if flow.synthesis else "none"
    return [
        ("Identification", BoxSpec(tuple(identified), MAIN),
         BoxSpec((Line("Records removed before screening:"), Line(f"Duplicate records {n(flow.duplicates)}", level=1)),
                 SIDE)),
        ("Screening", BoxSpec((Line(f"Records screened {n(flow.screened)}"),), MAIN),
         BoxSpec((Line(f"Records excluded {n(flow.screened - flow.sought - flow.n_not_sought)}"),)
                 + _reasons(flow.screen_excluded) + not_sought, SIDE)),
        ("Screening", BoxSpec((Line(f"Reports sought for retrieval {n(flow.sought)}"),), MAIN),
         BoxSpec((Line(f"Reports not retrieved {n(flow.sought - flow.assessed)}"),) + _reasons(flow.not_retrieved),
                 SIDE)),
        ("Screening", BoxSpec((Line(f"Reports assessed for eligibility {n(flow.assessed)}"),), MAIN),
         BoxSpec((Line(f"Reports excluded {n(flow.assessed - flow.reports_included)}"),) + _reasons(flow.excluded),
                 SIDE)),
        ("Included", BoxSpec((Line(f"Studies included in review {n(flow.studies_included)}"),
                              Line(f"Reports of included studies {n(flow.reports_included)}")), MAIN),
         None),
        ("Included", BoxSpec((Line(f"Studies in the quantitative synthesis (meta-analysis) "
                                   f"{n(flow.studies_in_synthesis)}", "bold"),
                              Line(synthesis, level=1)), MAIN, HEADER_FILL),
         BoxSpec((Line(f"Included, in no meta-analysis {n(flow.studies_not_in_synthesis)}"),)
                 + unpooled, SIDE)),
    ]


@dataclass(frozen=True)
class Placed:
    """A box at its place (points, y down)."""

    spec: BoxSpec
    x: float
    y: float
    height: float


def layout(flow, top: float) -> tuple[list[tuple[str, Placed, Placed | None]], float]:
    """Every row's boxes placed from `top` (the header bar above them), the main and side box of a
    row centred on one line (the right arrow), each phase's main boxes tall enough for its band
    label; returns (rows, bottom)."""
    x_main = MARGIN + BAND + BAND_GAP
    x_side = x_main + MAIN + GAP
    y = top + HEADER + ROW_GAP
    spec = rows(flow)
    placed = []
    for phase, main, side in spec:
        main_h = max(main.height, _min_height(phase, spec))
        h = max(main_h, side.height if side else 0.0)
        placed.append((phase, Placed(main, x_main, y + (h - main_h) / 2, main_h),
                       Placed(side, x_side, y + (h - side.height) / 2, side.height) if side else None))
        y += h + ROW_GAP
    return placed, y - ROW_GAP


def _min_height(phase: str, spec) -> float:
    """The height each main box of a phase needs so that the phase's band holds its rotated label."""
    count = sum(1 for p, _, _ in spec if p == phase)
    label = text.width(phase, style.FONT_SIZE, "bold") + 2 * PAD
    return max(0.0, (label - (count - 1) * ROW_GAP) / count)


def prisma_figure(flow, title: str = TITLE, subtitle: str = SUBTITLE) -> Canvas:
    """The flow diagram."""
    page = Page(WIDTH)
    page.title(title, subtitle)
    page.space(4.0)
    top = page.y
    placed, bottom = layout(flow, top)
    x_main = MARGIN + BAND + BAND_GAP
    page.texts.append(Text("Identification of studies via databases, registers and other sources",
                           x_main + (MAIN + GAP + SIDE) / 2, top + HEADER / 2, style.FONT_SIZE, "bold", ha="center"))
    for _, main, side in placed:
        for box in (main, side) if side else (main,):
            _box_texts(page, box)
    bands = _bands(placed)
    for phase, y0, y1 in bands:
        page.texts.append(Text(phase, MARGIN + BAND / 2, (y0 + y1) / 2, style.FONT_SIZE, "bold", ha="center",
                               rotation=90.0))
    page.y = bottom + 10.0
    page.paragraph(NOTE, colour=style.COLOURS["muted"])
    canvas = page.canvas()
    canvas.rect(x_main, top, MAIN + GAP + SIDE, HEADER, HEADER_FILL, z=0.5)
    for _, y0, y1 in bands:
        canvas.rect(MARGIN, y0, BAND, y1 - y0, BAND_FILL, z=0.5)
    for _, main, side in placed:
        for box in (main, side) if side else (main,):
            canvas.rect(box.x, box.y, box.spec.width, box.height, box.spec.fill, style.COLOURS["text"], EDGE)
    for start, end in arrows(placed):
        _arrow(canvas, start, end)
    return canvas


def arrows(placed) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(start, end) of every arrow: from each main box down to the next, and right to its side
    box, edge to edge."""
    out = []
    for i, (_, main, side) in enumerate(placed):
        if side:
            mid = main.y + main.height / 2
            out.append(((main.x + MAIN, mid), (side.x, mid)))
        if i + 1 < len(placed):
            nxt = placed[i + 1][1]
            out.append(((main.x + MAIN / 2, main.y + main.height), (nxt.x + MAIN / 2, nxt.y)))
    return out


def _box_texts(page: Page, box: Placed) -> None:
    """The box's lines, top to bottom."""
    for i, (part, weight, offset) in enumerate(box.spec.wrapped()):
        page.texts.append(Text(part, box.x + offset, box.y + PAD + LINE * (i + 0.5), style.FONT_SIZE, weight))


def _bands(placed) -> list[tuple[str, float, float]]:
    """(phase, top, bottom) of each run of rows of one phase, over both columns' boxes."""
    bands: list[tuple[str, float, float]] = []
    for phase, *boxes in placed:
        top = min(b.y for b in boxes if b)
        bottom = max(b.y + b.height for b in boxes if b)
        if bands and bands[-1][0] == phase:
            bands[-1] = (phase, bands[-1][1], bottom)
        else:
            bands.append((phase, top, bottom))
    return bands


def _arrow(canvas: Canvas, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A line from `start` and a filled head whose tip is at `end`."""
    (x0, y0), (x1, y1) = start, end
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    bx, by = x1 - ux * HEAD_LENGTH, y1 - uy * HEAD_LENGTH  # the middle of the head's base
    colour = style.COLOURS["text"]
    canvas.line([start, (bx, by)], colour, EDGE)
    canvas.polygon([(x1, y1), (bx - uy * HEAD_HALF_WIDTH, by + ux * HEAD_HALF_WIDTH),
                    (bx + uy * HEAD_HALF_WIDTH, by - ux * HEAD_HALF_WIDTH)], colour, colour, EDGE, z=2.0)


def draw_prisma(flow, paths: Mapping[str, str | os.PathLike], title: str = TITLE, subtitle: str = SUBTITLE) -> None:
    """Draw and save the flow diagram (deterministic bytes, atomic) to each format of `paths`."""
    save_canvas(prisma_figure(flow, title, subtitle), paths)
