"""The one engine of table-like figures: rows of text beside an interval column.

The forest plot (forest_rows.py), the cumulative (cumulative_plot.py) and the leave-one-out
plots (leave1out_plot.py) each describe their content as a `Table`: columns (one of them the
interval column, key PLOT), rows with text cells and an optional `Interval` on the analysis
scale, the favours texts, footers and an optional reference estimate. `layout(table)` places
it on a page: columns as wide as their widest cell or heading (measured text), wrapped long
labels, rows top-down, the axis (axis.choose unless the table gives one) with ticks and the
favours texts, footers; every position in points, x from the left, y from the top.
`render(layout)` draws it on a canvas.Canvas (page.Page for the text and rules, marks.py for
the interval column); canvas.to_svg / to_png / to_pdf write it.
A new table-like figure is one module that builds a Table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from metapool.plotting import axis as axes
from metapool.plotting import marks
from metapool.plotting import style
from metapool.plotting import text
from metapool.plotting.canvas import Canvas
from metapool.plotting.page import Page, Text
from metapool.plotting.style import (GAP, GROUP_GAP, LINE, MARGIN, PLOT_PAD, ROW, SMALL_LINE,
                                     SMALL_ROW, TICK, TITLE_LINE)

PLOT = "plot"  # key of the interval column
LABEL_WIDTH = 190.0  # labels wider than this wrap (the forest plot's max_label_width default)
FAVOURS_SPACE = 4.5  # between a favours text and the line of no effect, and the plot's end


@dataclass(frozen=True)
class TableStyle:
    """How a kind of table page is set (the forest plot's RevMan page, the living-review pages).

    header_pitch / header_pad_above / header_pad_below: heading lines and the space between
    them and the rules above and below; plot_width: narrowest interval column; min_width:
    narrowest page; split_labels: a wrapped label is one text per line at style.LINE pitch
    (else one multi-line text); footer_colour: colour role of the footers; font_size: cells
    and headings; gap: between columns; page_width: the page is fitted to this width (_fit:
    cells wrap at max_cell, labels narrower down to min_label, spanning labels down to
    min_span, the interval column down to min_plot or into the room left up to max_plot), so
    that printed at style.PRINT_WIDTH no text is below its own size (0: no fit).
    """

    header_pitch: float
    header_pad_above: tuple[float, ...]
    header_pad_below: float
    plot_width: float
    min_width: float = 0.0
    split_labels: bool = False
    footer_colour: str = "text"
    font_size: float = style.FONT_SIZE
    gap: float = GAP
    page_width: float = 0.0
    min_label: float = 60.0
    min_span: float = 150.0
    max_cell: float = 66.0
    min_plot: float = 90.0
    max_plot: float = 200.0


# Both are fitted to a 17 cm page at 7 pt (issue 22 item 5: readable in print at 17 cm width).
FOREST = TableStyle(header_pitch=10.0, header_pad_above=(2.0,), header_pad_below=2.0,
                    plot_width=110.0, font_size=style.SMALL_SIZE, gap=6.0,
                    page_width=style.PRINT_WIDTH)
LIVING = TableStyle(header_pitch=LINE, header_pad_above=(3.0, 1.0), header_pad_below=3.0,
                    plot_width=120.0, min_width=400.0, split_labels=True, footer_colour="muted",
                    font_size=style.SMALL_SIZE, gap=6.0, page_width=style.PRINT_WIDTH)


@dataclass(frozen=True)
class Interval:
    """An interval to draw, analysis scale (ln for ratio measures), before clipping to the axis.

    kind: a marks.KINDS marker ('box', 'point', 'flag', 'diamond', 'bar'); role: colour role
    (style.COLOURS); total: the whole interval must fit on the axis (pooled totals, prediction
    intervals; otherwise only the estimate must, and the limits up to axis.STUDY_CI_REACH);
    weight: percent weight of a box (box area is proportional to it).
    """

    kind: str
    role: str
    est: float | None
    lo: float
    hi: float
    weight: float | None = None
    total: bool = False


@dataclass(frozen=True)
class Row:
    """One row's content.

    kind: what the row is ('study', 'subtotal', 'overall', ...; the content module's word);
    cells: column key -> text (the first column holds the label; a PLOT cell is a message
    drawn in the interval column instead of a marker); style: 'normal' or 'bold'; small: the
    smaller font; span: the label spans the columns left of the interval column; muted: drawn
    in the muted colour; set_off: 'gap' (space above) or 'rule' (a rule above) when rows come
    before it; symbols: risk-of-bias judgements drawn as traffic lights (marks.paint_symbols)
    centred in their columns.
    """

    kind: str
    cells: dict[str, str]
    style: str = "normal"
    small: bool = False
    span: bool = False
    interval: Interval | None = None
    muted: bool = False
    set_off: str | None = None
    symbols: dict[str, str | None] | None = None  # column key -> marks.ROB_LEVELS judgement


@dataclass(frozen=True)
class Column:
    """A column: key, heading lines (top to bottom), alignment; placed: left edge and width."""

    key: str
    header: tuple[str, ...]
    align: str = "right"
    left: float = 0.0
    width: float = 0.0
    min_width: float = 0.0  # narrowest width (a column of symbols)
    pad_before: float = 0.0  # extra space left of the column (sets a block of columns apart)

    @property
    def anchor(self) -> float:
        """x of the text anchor for the column's alignment."""
        return {"left": self.left, "right": self.left + self.width,
                "center": self.left + self.width / 2}[self.align]


@dataclass(frozen=True)
class Table:
    """The content of a table-like figure.

    columns: left to right, the first the label column, one of them PLOT; spans: headings
    (text, first key, last key) centred on the first heading line over a run of columns;
    favours: texts under the axis, left and right of the line of no effect; reference: an
    estimate (est, lo, hi) drawn as a dashed line over its CI band; axis: a given axis
    instead of axis.for_measure; drawn: False when there is nothing to plot (no axis, no
    markers); log_scale: a ratio measure (log axis), else a difference (linear axis, at most
    axis_limit either side of 0); legend: (judgement, label) traffic lights in a line after
    `legend_title`, under the axis.
    """

    title: str | None
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    favours: tuple[str, str]
    subtitle: str | None = None
    footers: tuple[str, ...] = ()
    spans: tuple[tuple[str, str, str], ...] = ()
    reference: tuple[float, float, float] | None = None
    axis: axes.Axis | None = None
    drawn: bool = True
    max_label_width: float = LABEL_WIDTH
    log_scale: bool = True
    axis_limit: float | None = None
    legend: tuple[tuple[str | None, str], ...] = ()
    legend_title: str = ""
    style: TableStyle = LIVING


@dataclass(frozen=True)
class PlacedRow:
    """A placed row: its content, vertical centre and height, and its marker on the axis."""

    kind: str
    cells: dict[str, str]
    style: str
    size: float
    span: bool
    marker: marks.Marker | None
    y: float
    height: float


@dataclass(frozen=True)
class Plot:
    """The interval column: x range in points, the axis, the vertical extent of the null line."""

    x0: float
    width: float
    axis: axes.Axis
    top: float
    axis_y: float
    drawn: bool

    @property
    def x1(self) -> float:
        return self.x0 + self.width

    def x(self, value: float) -> float:
        """x in points of an analysis-scale value."""
        return self.x0 + (value - self.axis.lo) / (self.axis.hi - self.axis.lo) * self.width


@dataclass(frozen=True)
class Layout:
    """A Table placed on the page."""

    width: float
    height: float  # bottom + MARGIN
    bottom: float  # end of the last footer
    columns: tuple[Column, ...]
    headers: tuple[Text, ...]  # title, subtitle, column headings, spans
    rules: tuple[tuple[float, float, float], ...]  # horizontal lines (x0, x1, y)
    rows: tuple[PlacedRow, ...]
    row_texts: tuple[Text, ...]
    plot: Plot
    axis_labels: tuple[Text, ...]  # tick labels and the favours texts
    footers: tuple[Text, ...]
    reference: tuple[float, float, float] | None = None
    style: TableStyle = LIVING
    symbols: tuple[tuple[str | None, float, float], ...] = ()  # (judgement, x, y)

    @property
    def texts(self) -> tuple[Text, ...]:
        """Every text in drawing order."""
        return self.headers + self.row_texts + self.axis_labels + self.footers


def choose_axis(table: Table) -> axes.Axis:
    """The table's axis, else axis.for_measure: totals and the reference must fit, and every
    estimate; other confidence limits count only so far (axis.py)."""
    if table.axis is not None:
        return table.axis
    must, should = [], []
    for row in table.rows:
        iv = row.interval
        if iv is None:
            continue
        if iv.total:
            must.extend((iv.lo, iv.hi))
        else:
            must.extend([iv.est] if iv.est is not None else [])
            should.extend((iv.lo, iv.hi))
    if table.reference is not None:
        must.extend(table.reference)
    return axes.for_measure(table.log_scale, must, should, table.axis_limit)


def _size(row: Row, ts: TableStyle) -> float:
    return style.SMALL_SIZE if row.small else ts.font_size


def _cell_width(row: Row, key: str, ts: TableStyle) -> float:
    return text.width(row.cells.get(key, ""), _size(row, ts), row.style)


def _span_heading(heading: str, spanned: float, ts: TableStyle) -> str:
    """A spanning heading (an arm's name) on a fitted page wraps ('\\n') to the width of the
    columns under it, but not narrower than max_cell."""
    if not ts.page_width:
        return heading
    return "\n".join(text.wrap(heading, max(spanned, ts.max_cell), ts.font_size, "bold"))


def _wrap_favours(favours: tuple[str, str], width: float, ts: TableStyle) -> tuple[str, str]:
    """Each favours text wrapped ('\\n') to `width`, half the interval column less the space
    beside the line of no effect (a single word longer than that stays whole); on a fitted page
    only (TableStyle.page_width)."""
    if not ts.page_width:
        return favours
    return tuple("\n".join(text.wrap(f, width, style.SMALL_SIZE)) for f in favours)


def _columns(table: Table, rows: list[Row], plot_width: float | None = None) -> list[Column]:
    """Columns left to right, each as wide as its widest cell or heading (measured); the
    interval column plot_width (default the style's) unless its texts need more."""
    ts = table.style
    keys = [c.key for c in table.columns]
    label_key = keys[0]
    widths = {}
    for c in table.columns:
        if c.key == PLOT:
            continue
        cells = [_cell_width(r, c.key, ts) for r in rows if not (r.span and c.key == label_key)]
        widths[c.key] = max(cells + [text.width(h, ts.font_size, "bold") for h in c.header]
                            + [c.min_width])
    # Spanning headings widen the columns under them evenly.
    for heading, first, last in table.spans:
        under = keys[keys.index(first):keys.index(last) + 1]
        spanned = widths[under[0]]
        for k in under[1:]:
            spanned = spanned + ts.gap + widths[k]
        short = text.width(_span_heading(heading, spanned, ts), ts.font_size, "bold") - spanned
        if short > 0:
            for k in under:
                widths[k] += short / len(under)
    # Spanning labels (subgroup headings, their heterogeneity lines) fit left of the plot.
    left = keys[:keys.index(PLOT)]
    left_block = sum(widths[k] for k in left) + ts.gap * (len(left) - 1)
    spans = [_cell_width(r, label_key, ts) for r in rows if r.span]
    widths[label_key] += max(0.0, max(spans, default=0.0) - left_block)
    # The plot holds its heading, the favours texts side by side and any message.
    plot = next(c for c in table.columns if c.key == PLOT)
    favours = max(text.width(f, style.SMALL_SIZE)
                  for f in _wrap_favours(table.favours, ts.plot_width / 2 - FAVOURS_SPACE, ts))
    message = max((_cell_width(r, PLOT, ts) for r in rows if r.cells.get(PLOT)), default=0.0)
    widths[PLOT] = max(
        [ts.plot_width if plot_width is None else plot_width, 2 * (favours + FAVOURS_SPACE), message + 10.0]
        + [text.width(h, ts.font_size, "bold") + 8.0 for h in plot.header])

    columns, x = [], MARGIN
    for c in table.columns:
        if c.key == PLOT:
            x += PLOT_PAD - ts.gap
        x += c.pad_before
        columns.append(replace(c, left=x, width=widths[c.key]))
        x += widths[c.key] + (PLOT_PAD if c.key == PLOT else ts.gap)
    return columns


def _wrap_cells(row: Row, label_key: str, max_label: float, max_span: float,
                max_cell: dict[str, float], ts: TableStyle) -> Row:
    """`row` with its label wrapped to max_label (a spanning label to max_span) and its other
    text cells to max_cell[key] ('\\n' in the cell)."""
    size = _size(row, ts)
    cells = {}
    for key, value in row.cells.items():
        limit = (max_span if row.span else max_label) if key == label_key else max_cell[key]
        if value and text.width(value, size, row.style) > limit:
            value = "\n".join(text.wrap(value, limit, size, row.style))
        cells[key] = value
    return replace(row, cells=cells)


def _fit(table: Table) -> tuple[list[Row], list[Column]]:
    """Rows (labels wrapped) and placed columns. With a page_width (TableStyle): long text
    cells wrap at max_cell; when the page is still wider, labels wrap narrower (never below
    min_label) and spanning labels (subgroup headings and lines) wrap to the columns left of
    the interval column; then the interval column widens into the room left, up to max_plot."""
    ts = table.style
    label_key = table.columns[0].key
    inf = float("inf")
    # A cell of words (a reason, a message) wraps at max_cell (on a page still too wide: at
    # its column's headings); numbers never wrap.
    numbers = {c.key: max([text.width(h, ts.font_size, "bold") for h in c.header]
                          + [_cell_width(r, c.key, ts) for r in table.rows
                             if not any(ch.isalpha() for ch in r.cells.get(c.key, ""))])
               for c in table.columns}
    max_cell = {k: max(w, ts.max_cell if ts.page_width else inf) for k, w in numbers.items()}
    max_cell[PLOT] = inf  # a message in the interval column wraps only on a page still too wide

    def place(max_label: float, max_span: float = inf, plot: float = ts.plot_width):
        rows = [_wrap_cells(r, label_key, max_label, max_span, max_cell, ts) for r in table.rows]
        columns = _columns(table, rows, plot)
        return rows, columns, columns[-1].left + columns[-1].width + MARGIN

    rows, columns, right = place(table.max_label_width)
    if not ts.page_width:
        return rows, columns
    max_label, max_span = table.max_label_width, inf
    if right > ts.page_width:
        natural = max((_cell_width(r, label_key, ts) for r in rows if not r.span), default=0.0)
        max_label = max(ts.min_label, min(natural, table.max_label_width) - (right - ts.page_width))
        max_cell.update({k: w for k, w in numbers.items() if k not in (label_key, PLOT)})
        max_cell[PLOT] = max(ts.plot_width - 10.0, numbers[PLOT])
        # The left block as the page allows: the columns left of the plot with labels at max_label.
        bare = _columns(replace(table, rows=()), [r for r in place(max_label)[0] if not r.span])
        plot = next(c for c in bare if c.key == PLOT)
        left = plot.left - PLOT_PAD - MARGIN
        max_span = max(left, ts.min_span)
        rows, columns, right = place(max_label, max_span)
    plot = next(c for c in columns if c.key == PLOT).width
    if right > ts.page_width:  # the interval column gives way, down to min_plot
        rows, columns, right = place(max_label, max_span,
                                     max(ts.min_plot, plot - (right - ts.page_width)))
    elif right < ts.page_width:  # the interval column takes the room left, up to max_plot
        rows, columns, right = place(max_label, max_span,
                                     min(ts.max_plot, plot + ts.page_width - right))
    return rows, columns


def _row_height(row: Row, label_key: str) -> float:
    """The row pitch, one line more for every extra line of its tallest cell."""
    extra = max((v.count("\n") for k, v in row.cells.items() if k != PLOT), default=0)
    if row.small:
        return SMALL_ROW + SMALL_LINE * extra
    return ROW + LINE * extra


def _row_texts(row: Row, y: float, columns: dict[str, Column], label_key: str,
               ts: TableStyle) -> list[Text]:
    colour = style.COLOURS["muted" if row.muted else "text"]
    size = _size(row, ts)
    texts = []
    for key, value in row.cells.items():
        if not value:
            continue
        if key == PLOT:
            c = columns[PLOT]
            texts.append(Text(value, c.left + c.width / 2, y, size, row.style, "center",
                              colour=colour))
            continue
        c = columns[key]
        x, ha = (c.left, "left") if row.span else (c.anchor, c.align)
        lines = value.split("\n")
        if ts.split_labels and key == label_key and len(lines) > 1:
            first = y - LINE * (len(lines) - 1) / 2
            texts.extend(Text(line, x, first + i * LINE, size, row.style, ha, colour=colour)
                         for i, line in enumerate(lines))
        else:
            texts.append(Text(value, x, y, size, row.style, ha, colour=colour))
    return texts


def _symbols(row: Row, y: float, columns: dict[str, Column]) -> tuple[list, list[Text]]:
    """Traffic lights of a row centred in their columns, and the '?' texts of unassessed ones."""
    placed, texts = [], []
    for key, level in (row.symbols or {}).items():
        c = columns[key]
        x = c.left + c.width / 2
        placed.append((level, x, y))
        if level is None:
            texts.append(Text(marks.ROB_GLYPH[None], x, y, style.SMALL_SIZE, "bold", "center",
                              colour=marks.ROB_GLYPH_COLOUR[None]))
    return placed, texts


def _legend(table: Table, page: Page) -> list:
    """The traffic-light legend in one line (flowing onto more at the content width)."""
    placed = []
    size = style.SMALL_SIZE
    y = page.y + SMALL_LINE / 2 + 1.0
    x = MARGIN
    if table.legend_title:
        page.texts.append(Text(table.legend_title, x, y, size, "bold"))
        x += text.width(table.legend_title, size, "bold") + 6.0
    for level, label in table.legend:
        w = 2 * marks.ROB_RADIUS + 4.0 + text.width(label, size)
        if x > MARGIN and x + w > page.width - MARGIN:
            x, y = MARGIN, y + SMALL_LINE + 4.0
        placed.append((level, x + marks.ROB_RADIUS, y))
        if level is None:
            page.texts.append(Text(marks.ROB_GLYPH[None], x + marks.ROB_RADIUS, y, size, "bold",
                                   "center", colour=marks.ROB_GLYPH_COLOUR[None]))
        page.texts.append(Text(label, x + 2 * marks.ROB_RADIUS + 4.0, y, size))
        x += w + 10.0
    page.y = y + SMALL_LINE / 2 + 5.0
    return placed


def _favours(favours: tuple[str, str], plot: Plot, y: float) -> list[Text]:
    """The favours texts either side of the line of no effect; at the plot's ends when the
    axis is so lopsided (a user xlim) that they would not fit beside the line."""
    null_x = plot.x(0.0)
    left, right = (text.width(t, style.SMALL_SIZE) for t in favours)
    if null_x - 4.0 - left >= plot.x0 and null_x + 4.0 + right <= plot.x1:
        (x_left, ha_left), (x_right, ha_right) = (null_x - 4.0, "right"), (null_x + 4.0, "left")
    else:
        (x_left, ha_left), (x_right, ha_right) = (plot.x0, "left"), (plot.x1, "right")
    return [Text(favours[0], x_left, y, style.SMALL_SIZE, ha=ha_left, va="top"),
            Text(favours[1], x_right, y, style.SMALL_SIZE, ha=ha_right, va="top")]


def layout(table: Table) -> Layout:
    """Place `table` on the page."""
    ts = table.style
    axis = choose_axis(table)
    label_key = table.columns[0].key
    rows, columns = _fit(table)
    col = {c.key: c for c in columns}
    width = max(ts.min_width, columns[-1].left + columns[-1].width + MARGIN)

    page = Page(width)
    if table.title is not None:
        page.paragraph(table.title, style.TITLE_SIZE, "bold", TITLE_LINE)
        if table.subtitle:
            page.space(1.0)
            page.paragraph(table.subtitle, ts.font_size, "italic")
        page.space(4.0)
    page.rules.append((MARGIN, width - MARGIN, page.y))
    for pad in ts.header_pad_above:
        page.space(pad)
    spans = [(_span_heading(heading, col[last].left + col[last].width - col[first].left, ts)
              .split("\n"), first, last) for heading, first, last in table.spans]
    # A wrapped spanning heading adds heading lines above; column headings keep the bottom.
    above = max((len(lines) - 1 for lines, _, _ in spans), default=0)
    lines = max(len(c.header) for c in columns) + above
    line_y = [page.y + (i + 0.5) * ts.header_pitch for i in range(lines)]
    for c in columns:
        for line, y in zip(c.header, line_y[lines - len(c.header):]):
            if line:
                page.texts.append(Text(line, c.anchor, y, ts.font_size, "bold", ha=c.align))
    for heading, first, last in spans:
        centre = (col[first].left + col[last].left + col[last].width) / 2
        for line, y in zip(heading, line_y[above + 1 - len(heading):]):
            page.texts.append(Text(line, centre, y, ts.font_size, "bold", ha="center"))
    page.space(lines * ts.header_pitch + ts.header_pad_below)
    page.rule()
    headers = tuple(page.texts)

    top = page.y
    placed, row_texts, symbols = [], [], []
    max_weight = max((r.interval.weight for r in rows if r.interval is not None
                      and r.interval.weight is not None), default=0.0)
    for row in rows:
        if placed and row.set_off == "gap":
            page.space(GROUP_GAP)
        elif placed and row.set_off == "rule":
            page.space(2.0)
            page.rule()
        height = _row_height(row, label_key)
        y = page.y + height / 2
        placed.append(_place(row, y, height, axis, max_weight, ts))
        row_texts.extend(_row_texts(row, y, col, label_key, ts))
        row_symbols, glyphs = _symbols(row, y, col)
        symbols.extend(row_symbols)
        row_texts.extend(glyphs)
        page.space(height)
    page.space(4.0)

    plot = Plot(col[PLOT].left, col[PLOT].width, axis, top, page.y, table.drawn)
    axis_labels = []
    if table.drawn:
        labels_y = page.y + TICK + 2.0
        axis_labels = [Text(lab, plot.x(v), labels_y, style.SMALL_SIZE, ha="center", va="top")
                       for v, lab in axis.ticks]
        favours_y = labels_y + style.SMALL_SIZE * 1.3 + 2.0
        favours = _wrap_favours(table.favours, plot.width / 2 - FAVOURS_SPACE, ts)
        axis_labels.extend(_favours(favours, plot, favours_y))
        lines = max(f.count("\n") for f in favours)
        page.y = favours_y + style.SMALL_SIZE * (1.3 + 1.2 * lines) + 6.0
    else:
        page.space(2.0)

    page.texts = []
    if table.legend:
        symbols.extend(_legend(table, page))
    for line in table.footers:
        page.paragraph(line, style.SMALL_SIZE, line=SMALL_LINE,
                       colour=style.COLOURS[ts.footer_colour])
    return Layout(width, page.height, page.y, tuple(columns), headers, tuple(page.rules), tuple(placed),
                  tuple(row_texts), plot, tuple(axis_labels), tuple(page.texts),
                  table.reference, ts, tuple(symbols))


def box_size(weight: float | None, max_weight: float) -> float:
    """A box's side relative to the largest, sqrt(weight / max weight) (area proportional to
    weight), but never below style.MIN_BOX points, so a tiny weight still shows a square; 0 without
    a weight."""
    if not weight or max_weight <= 0:
        return 0.0
    return max((weight / max_weight) ** 0.5, style.MIN_BOX / style.MAX_BOX)


def _place(row: Row, y: float, height: float, axis: axes.Axis, max_weight: float,
           ts: TableStyle) -> PlacedRow:
    marker = None
    iv = row.interval
    if iv is not None:
        size = 1.0
        if iv.kind == "box":
            size = box_size(iv.weight, max_weight)
        marker = marks.place(axis, iv.kind, iv.role, iv.est, iv.lo, iv.hi, size)
    return PlacedRow(row.kind, dict(row.cells), row.style, _size(row, ts), row.span, marker, y, height)


def render(lay: Layout) -> Canvas:
    """A Canvas showing `lay`: texts and rules (page.Page), the interval column (marks.py)."""
    page = Page(lay.width, lay.bottom, list(lay.texts), list(lay.rules))
    canvas = page.canvas()
    plot = lay.plot
    if plot.drawn:
        if lay.reference is not None:
            est, lo, hi = (min(max(v, plot.axis.lo), plot.axis.hi) for v in lay.reference)
            marks.paint_reference(canvas, plot.x, est, lo, hi, plot.top, plot.axis_y)
        marks.paint_axis(canvas, plot.x, plot.x0, plot.x1, plot.top, plot.axis_y, plot.axis.ticks)
        marks.paint_markers(canvas, plot.x, [(r.marker, r.y) for r in lay.rows
                                             if r.marker is not None],
                            (plot.x0, 0.0, plot.width, lay.height))
    marks.paint_symbols(canvas, lay.symbols)
    return canvas


def draw(table: Table) -> Canvas:
    """layout + render."""
    return render(layout(table))
