"""Risk-of-bias figures in the style of robvis (McGuinness & Higgins 2021 Res Synth Methods 12:55):

- summary_figure: per RoB 2 domain (D1-D5) and overall, one bar split into the proportion of
  trials (or, with weighted=True, of the random-effects weight) at each judgment, including
  "not assessed";
- traffic_light_figure: trials x domains, one judgment marker per cell.

Judgments come from each study's `rob` block (None: not assessed; Sterne et al. 2019 BMJ
366:l4898 (RoB 2)). Markers (rob_marker.draw_judgment) differ by colour, shape and glyph, so
the figures read in grayscale; the legend names every domain. Pages are laid out in points
(plotting.page) and drawn onto a canvas.Canvas, as every figure of the package;
draw_rob_figures saves them with save.save_canvas (deterministic bytes, atomic writes).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence

from metapool.engine.subgroups import pooled_across
from metapool.appraisal import rob2
from metapool.plotting import living_text as lt
from metapool.plotting import style, text
from metapool.plotting.canvas import Canvas
from metapool.plotting.page import MARGIN, Page, Text, message_page
from metapool.plotting.rob_marker import FACE, LABELS, draw_judgment
from metapool.plotting.save import save_canvas

__all__ = ["draw_judgment", "summary_figure", "traffic_light_figure", "draw_rob_figures", "proportions",
           "FIGURES"]

SUMMARY_SUBTITLE = {False: "Risk of bias (RoB 2): proportion of trials at each judgment",
                    True: "Risk of bias (RoB 2): proportion of the random-effects weight at each judgment"}
TRAFFIC_SUBTITLE = "Risk of bias (RoB 2) of each trial's result"
SUMMARY_WIDTH = 470.0
BAR = 13.0  # bar height
BAR_GAP = 6.0
BAR_MARKER = 8.5
ROW = 15.0  # traffic-light row pitch
COLUMN = 34.0  # traffic-light column width
CELL_MARKER = 10.5
LABEL_MAX = 230.0  # widest trial label before wrapping
LINE = 9.6
SHADE = "#F2F2F2"  # alternate traffic-light rows
HATCHED = (rob2.HIGH,)  # judgments whose bar segments are also cross-hatched
HATCH_PITCH = 10.0  # horizontal distance between hatch lines of one direction
HATCH_WIDTH = 0.6
LEGEND_MARKER = 8.5
SOURCE_NOTE = ("RoB 2 judgments per result (this outcome and timepoint; Sterne et al. 2019 BMJ 366:l4898). "
               "Not assessed: no RoB 2 assessment of the result is recorded in data/rob/; nothing is inferred.")


def domain_label(column: str) -> str:
    """'D1 Randomisation process', ..., 'Overall risk of bias'."""
    if column == "overall":
        return "Overall risk of bias"
    return f"{column.upper()} {rob2.DOMAIN_NAMES[column]}"


def proportions(studies: Sequence[dict], weighted: bool = False) -> dict[str, dict[str, float]]:
    """column -> judgment -> share (0-1) of the trials, or of the random-effects weight (pooled
    trials only); {} when there is nothing to share."""
    if weighted:
        items = [(s, float(s["weight_random"])) for s in studies if s.get("weight_random")]
    else:
        items = [(s, 1.0) for s in studies]
    total = sum(w for _, w in items)
    if not total:
        return {}
    sums = {c: dict.fromkeys(rob2.LEVELS, 0.0) for c in rob2.COLUMNS}
    for s, w in items:
        for column, judgment in rob2.judgments(s.get("rob")).items():
            sums[column][judgment] += w
    return {c: {j: v / total for j, v in by.items()} for c, by in sums.items()}


def _judgment_legend(page: Page, y: float) -> list[tuple[str, float, float]]:
    """Positions of the legend markers (drawn on the canvas) and their labels as page texts."""
    x, placed = MARGIN, []
    for judgment in rob2.LEVELS:
        placed.append((judgment, x + 5.0, y))
        page.texts.append(Text(LABELS[judgment], x + 13.0, y, style.SMALL_SIZE))
        x += 13.0 + text.width(LABELS[judgment], style.SMALL_SIZE) + 14.0
    return placed


def _domain_legend(page: Page) -> None:
    for column in rob2.DOMAINS:
        page.texts.append(Text(f"{column.upper()}", MARGIN, page.y + LINE / 2, style.SMALL_SIZE, "bold"))
        page.texts.append(Text(rob2.DOMAIN_NAMES[column], MARGIN + 18.0, page.y + LINE / 2, style.SMALL_SIZE))
        page.y += LINE


def _assessors(studies: Sequence[dict]) -> str | None:
    names = sorted({s["rob"]["assessor"] for s in studies if s.get("rob") and s["rob"].get("assessor")})
    return ("Assessed by: " + "; ".join(names) + ".") if names else None


def _footer(page: Page, studies: Sequence[dict], lines: Sequence[str]) -> None:
    page.space(4.0)
    for line in [*lines, SOURCE_NOTE, _assessors(studies)]:
        if line:
            page.paragraph(line, colour=style.COLOURS["muted"])


# ---- summary bar chart ----------------------------------------------------------------------

def _segment(canvas: Canvas, left: float, y: float, width: float, judgment: str) -> None:
    """One judgment's part of a bar; high is also cross-hatched, so that a segment too narrow for
    its marker still differs from low in grayscale (their colours have about the same luminance)."""
    top = y - BAR / 2
    edge = "#000000" if judgment != rob2.NOT_ASSESSED else style.GREY
    canvas.rect(left, top, width, BAR, FACE[judgment], z=2.0)
    if judgment in HATCHED:
        clip = (left, top, width, BAR)
        # lines of slope +1 and -1 (y down), HATCH_PITCH apart along x, over the whole segment
        x = math.floor((left - BAR) / HATCH_PITCH) * HATCH_PITCH  # aligned on the page: bars match
        while x < left + width + BAR:
            canvas.line([(x, top + BAR), (x + BAR, top)], "#000000", HATCH_WIDTH, z=2.1, clip=clip)
            canvas.line([(x, top), (x + BAR, top + BAR)], "#000000", HATCH_WIDTH, z=2.1, clip=clip)
            x += HATCH_PITCH
    canvas.rect(left, top, width, BAR, "none", edge, 0.5, z=2.2)


KEPT_APART = ("Not drawn: this analysis keeps its subgroups apart, so each trial's weight is its share of its own "
              "subgroup and the weights do not add up across trials. The unweighted summary (rob_summary) "
              "covers every trial.")


def summary_figure(studies: Sequence[dict], title: str, weighted: bool = False, across: bool = True) -> Canvas:
    """The robvis summary plot: one bar per domain and overall, split by judgment. ``across``: the
    analysis pools across its subgroups (pooled.json pool_subgroups); a weighted summary of an
    analysis that keeps them apart is a page saying why it is not drawn."""
    subtitle = SUMMARY_SUBTITLE[weighted]
    if weighted and not across:
        return message_page(title, subtitle, KEPT_APART).canvas()
    shares = proportions(studies, weighted)
    if not shares:
        what = "No trial with an estimable effect: there are no weights." if weighted else "No trial in this analysis."
        return message_page(title, subtitle, what).canvas()
    page = Page(SUMMARY_WIDTH)
    page.title(title, subtitle)
    page.space(6.0)
    label_w = max(text.width(domain_label(c), style.SMALL_SIZE) for c in rob2.COLUMNS)
    x0 = MARGIN + label_w + 8.0
    x1 = page.width - MARGIN - 12.0  # room for the centred "100%"
    bars = []
    for column in rob2.COLUMNS:
        y = page.y + BAR / 2
        weight = "bold" if column == "overall" else "normal"
        page.texts.append(Text(domain_label(column), MARGIN, y, style.SMALL_SIZE, weight))
        bars.append((column, y))
        page.y += BAR + BAR_GAP + (4.0 if column == rob2.DOMAINS[-1] else 0.0)
    axis_y = page.y - BAR_GAP + 2.0
    for share in (0, 25, 50, 75, 100):
        page.texts.append(Text(f"{share}%", x0 + (x1 - x0) * share / 100, axis_y + 3.0, style.SMALL_SIZE,
                               ha="center", va="top"))
    page.y = axis_y + 3.0 + style.SMALL_SIZE * 1.3 + 8.0
    legend = _judgment_legend(page, page.y + 5.0)
    page.y += 12.0
    n = sum(1 for s in studies if s.get("weight_random")) if weighted else len(studies)
    basis = (f"Shares of the random-effects weight of the {n} pooled trial{'s' * (n != 1)}."
             if weighted else f"Shares of the {n} trial{'s' * (n != 1)} of the analysis.")
    _footer(page, studies, [basis])
    canvas = page.canvas()
    for column, y in bars:
        left = x0
        for judgment in rob2.LEVELS:
            w = (x1 - x0) * shares[column][judgment]
            if w <= 0:
                continue
            _segment(canvas, left, y, w, judgment)
            if w >= BAR_MARKER + 5.0:
                if judgment in HATCHED:  # a white disc keeps the marker legible over the hatching
                    canvas.circle(left + w / 2, y, (BAR_MARKER + 3.0) / 2, "white", z=2.5)
                draw_judgment(canvas, left + w / 2, y, judgment, BAR_MARKER, z=3.0)
            left += w
    canvas.line([(x0, axis_y), (x1, axis_y)], style.COLOURS["null"], 0.6)
    for share in (0, 25, 50, 75, 100):
        x = x0 + (x1 - x0) * share / 100
        canvas.line([(x, axis_y), (x, axis_y + 2.5)], style.COLOURS["null"], 0.6)
    for judgment, x, y in legend:
        draw_judgment(canvas, x, y, judgment, LEGEND_MARKER)
    return canvas


# ---- traffic-light plot ---------------------------------------------------------------------

def _label_lines(studies: Sequence[dict]) -> list[list[str]]:
    return [text.wrap(str(s.get("label") or s.get("study")), LABEL_MAX, style.FONT_SIZE) for s in studies]


def traffic_light_figure(studies: Sequence[dict], title: str) -> Canvas:
    """Trials x (D1-D5, Overall), a judgment marker per cell; 'not assessed' where no row exists."""
    if not studies:
        return message_page(title, TRAFFIC_SUBTITLE, "No trial in this analysis.").canvas()
    labels = _label_lines(studies)
    label_w = max(max(text.width(line, style.FONT_SIZE) for line in lines) for lines in labels)
    label_w = max(label_w, text.width("Trial", style.FONT_SIZE, "bold"))
    grid_w = COLUMN * len(rob2.COLUMNS)
    page = Page(max(360.0, 2 * MARGIN + label_w + 10.0 + grid_w))
    page.title(title, TRAFFIC_SUBTITLE)
    page.space(4.0)
    x0 = page.width - MARGIN - grid_w
    head_y = page.y + LINE / 2
    page.texts.append(Text("Trial", MARGIN, head_y, style.FONT_SIZE, "bold"))
    for i, column in enumerate(rob2.COLUMNS):
        page.texts.append(Text(rob2.COLUMN_LABELS[column], x0 + COLUMN * (i + 0.5), head_y, style.FONT_SIZE,
                               "bold", ha="center"))
    page.y += LINE + 3.0
    top = page.y
    rows = []
    for study, lines in zip(studies, labels):
        height = max(ROW, LINE * len(lines) + 5.0)
        y = page.y + height / 2
        for j, line in enumerate(lines):
            page.texts.append(Text(line, MARGIN + 2.0, y + (j - (len(lines) - 1) / 2) * LINE, style.FONT_SIZE))
        rows.append((study, page.y, height))
        page.y += height
    bottom = page.y
    page.space(8.0)
    legend = _judgment_legend(page, page.y + 5.0)
    page.y += 14.0
    _domain_legend(page)
    _footer(page, studies, [])
    canvas = page.canvas()
    for i, (study, y, height) in enumerate(rows):
        if i % 2 == 0:
            canvas.rect(MARGIN, y, page.width - 2 * MARGIN, height, SHADE, z=0.5)
        for j, (column, judgment) in enumerate(rob2.judgments(study.get("rob")).items()):
            draw_judgment(canvas, x0 + COLUMN * (j + 0.5), y + height / 2, judgment, CELL_MARKER)
    divider = x0 + COLUMN * len(rob2.DOMAINS)
    canvas.line([(divider, top - 2.0), (divider, bottom)], style.COLOURS["null"], 0.6)
    for y in (top - 1.5, bottom):
        canvas.line([(MARGIN, y), (page.width - MARGIN, y)], style.COLOURS["null"], 0.6)
    for judgment, x, y in legend:
        draw_judgment(canvas, x, y, judgment, LEGEND_MARKER)
    return canvas


# ---- one analysis' figures -------------------------------------------------------------------

FIGURES = {
    "rob_summary": lambda pooled, title: summary_figure(pooled.get("studies") or [], title),
    "rob_summary_weight": lambda pooled, title: summary_figure(pooled.get("studies") or [], title, weighted=True,
                                                               across=pooled_across(pooled)),
    "rob_traffic_light": lambda pooled, title: traffic_light_figure(pooled.get("studies") or [], title),
}


def draw_rob_figures(pooled: dict, paths: Mapping[str, Mapping[str, str | os.PathLike]]) -> None:
    """Draw each figure named in `paths` ({figure: {format: path}}; figures in FIGURES) for one
    analysis from its pooled.json (studies carrying `rob` blocks)."""
    unknown = sorted(set(paths) - set(FIGURES))
    if unknown:
        raise ValueError(f"unknown risk-of-bias figure(s) {unknown}; known: {', '.join(FIGURES)}")
    title = lt.title(pooled)
    for name, draw in FIGURES.items():
        if name in paths:
            save_canvas(draw(pooled, title), paths[name])

