"""Forest-plot layout: the row model placed on the page, every position in points.

`build_layout(result, options)` is the one function that turns a pooled result into what
is drawn: rows (rows.py) with their text cells, marker geometry clipped to the axis (ln RR
centre / lo / hi, box size, arrows), column positions from measured text widths, the axis,
and footers. forest.py only draws a Layout. Coordinates: x from the left edge, y from the
top edge of the figure, in points (1/72 inch).
"""

from __future__ import annotations

from dataclasses import dataclass

from metapool.plotting import axis as axes
from metapool.plotting import forest_rows as rowmodel
from metapool.plotting import style
from metapool.plotting import text
from metapool.plotting.options import ForestOptions

MARGIN = 12.0
GAP = 9.0  # between table columns
PLOT_PAD = 10.0  # between the plot column and its neighbours
PLOT_WIDTH = 170.0  # minimum width of the plot column
ROW = 12.0  # row pitch
LINE = 9.6  # extra height per wrapped line
SMALL_ROW = 10.0  # heterogeneity lines inside the table
GROUP_GAP = 5.0  # space before a subgroup heading and before the totals
HEADER_LINE = 11.0
FOOTER_LINE = 9.2
TITLE_LINE = 12.5
MAX_BOX = 9.0  # side of the largest study box
TICK = 3.0
LEFT_COLUMNS = ("study", "ev_t", "n_t", "ev_c", "n_c")
COLUMN_ORDER = LEFT_COLUMNS + ("plot", "weight", "rr")
HEADERS = {  # two heading lines per column; arm names go above Events / Total
    "study": ("", "Study"),
    "ev_t": ("", "Events"),
    "n_t": ("", "Total"),
    "ev_c": ("", "Events"),
    "n_c": ("", "Total"),
    "plot": ("Risk ratio", "IV, random, 95% CI"),
    "weight": ("", "Weight"),
    "rr": ("", "RR [95% CI]"),
}


@dataclass(frozen=True)
class Marker:
    """A drawn interval, ln RR scale, clipped to the axis.

    kind 'box' | 'diamond' | 'bar'; role: colour role; size: box side relative to the
    largest box, sqrt(weight / max weight), so box area is proportional to weight (1 for
    diamonds and bars); arrow_lo / arrow_hi: the interval runs past that axis end;
    est_inside: the centre lies on the axis (else no box is drawn).
    """

    kind: str
    role: str
    est: float | None
    lo: float
    hi: float
    size: float
    arrow_lo: bool
    arrow_hi: bool
    est_inside: bool


@dataclass(frozen=True)
class Row:
    """A placed row: content from rows.RowSpec plus its vertical position (centre, height)."""

    kind: str
    cells: dict[str, str]
    style: str
    size: float
    span: bool
    marker: Marker | None
    y: float
    height: float


@dataclass(frozen=True)
class Column:
    """A table column: key, header lines (top, bottom), left edge, width, alignment."""

    key: str
    header: tuple[str, str]
    left: float
    width: float
    align: str

    @property
    def anchor(self) -> float:
        """x of the text anchor for the column's alignment."""
        return {"left": self.left, "right": self.left + self.width,
                "center": self.left + self.width / 2}[self.align]


@dataclass(frozen=True)
class Label:
    """A positioned text: ha 'left' | 'right' | 'center', va 'center' | 'top'."""

    text: str
    x: float
    y: float
    size: float = style.FONT_SIZE
    style: str = "normal"
    ha: str = "left"
    va: str = "center"


@dataclass(frozen=True)
class Plot:
    """The plot column: x range in points, the axis, and the vertical extent of the null line."""

    x0: float
    x1: float
    axis: axes.Axis
    top: float
    axis_y: float
    drawn: bool  # False when nothing was pooled: no axis, only the message

    def x(self, ln_rr: float) -> float:
        """x in points of a ln RR value."""
        return self.x0 + (ln_rr - self.axis.lo) / (self.axis.hi - self.axis.lo) * (self.x1 - self.x0)


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    columns: tuple[Column, ...]
    headers: tuple[Label, ...]  # title, arm names, column headings
    rules: tuple[tuple[float, float, float], ...]  # horizontal lines (x0, x1, y)
    rows: tuple[Row, ...]
    plot: Plot
    axis_labels: tuple[Label, ...]  # tick labels and the favours texts
    footers: tuple[Label, ...]
    max_box: float = MAX_BOX


def build_layout(result: dict, options: ForestOptions | dict | None = None) -> Layout:
    """Place the rows of `result` (pooled.json dict) on the page."""
    options = ForestOptions.coerce(options)
    specs = rowmodel.forest_rows(result, options)
    arms = rowmodel.arms(result.get("studies") or [], options)
    axis = _choose_axis(specs, options)
    specs = [_wrap_label(spec, options.max_label_width) for spec in specs]
    columns = _columns(specs, arms)
    col = {c.key: c for c in columns}
    width = columns[-1].left + columns[-1].width + MARGIN
    content = width - 2 * MARGIN

    y = MARGIN
    headers: list[Label] = []
    title = result.get("title") or result.get("analysis")
    if options.show_title and title:
        for line in text.wrap(str(title), content, style.TITLE_SIZE, "bold"):
            headers.append(Label(line, MARGIN, y + TITLE_LINE / 2, style.TITLE_SIZE, "bold"))
            y += TITLE_LINE
        y += 4.0
    rules = [(MARGIN, width - MARGIN, y)]
    y += 2.0
    headers.extend(_column_headers(columns, arms, y))
    y += 2 * HEADER_LINE + 2.0
    rules.append((MARGIN, width - MARGIN, y))
    y += 3.0

    plot_top = y
    placed = []
    max_weight = _max_weight(specs)
    for spec in specs:
        if placed and _starts_block(spec, placed[-1]):
            y += GROUP_GAP
        height = _row_height(spec)
        placed.append(_place(spec, y + height / 2, height, axis, max_weight))
        y += height
    y += 4.0

    pooled_anything = result.get("random") is not None
    plot = Plot(col["plot"].left, col["plot"].left + col["plot"].width, axis, plot_top, y,
                pooled_anything)
    axis_labels = []
    if pooled_anything:
        labels_y = y + TICK + 2.0
        axis_labels = [Label(lab, plot.x(v), labels_y, style.SMALL_SIZE, ha="center", va="top")
                       for v, lab in axis.ticks]
        favours_y = labels_y + style.SMALL_SIZE * 1.3 + 2.0
        axis_labels.extend(_favours(arms, plot, favours_y))
        y = favours_y + style.SMALL_SIZE * 1.3 + 6.0
    else:
        y += 2.0

    footers = []
    for line in rowmodel.footer_lines(result, options):
        for part in text.wrap(line, content, style.SMALL_SIZE):
            footers.append(Label(part, MARGIN, y + FOOTER_LINE / 2, style.SMALL_SIZE))
            y += FOOTER_LINE
    return Layout(width, y + MARGIN, tuple(columns), tuple(headers), tuple(rules), tuple(placed),
                  plot, tuple(axis_labels), tuple(footers))


def _favours(arms: rowmodel.Arms, plot: Plot, y: float) -> list[Label]:
    """'Favours ...' either side of RR = 1; at the plot's ends when the axis is so lopsided
    (a user xlim) that they would not fit beside the line."""
    null_x = plot.x(0.0)
    left, right = (text.width(t, style.SMALL_SIZE) for t in (arms.favours_treatment,
                                                             arms.favours_control))
    if null_x - 4.0 - left >= plot.x0 and null_x + 4.0 + right <= plot.x1:
        (x_left, ha_left), (x_right, ha_right) = (null_x - 4.0, "right"), (null_x + 4.0, "left")
    else:
        (x_left, ha_left), (x_right, ha_right) = (plot.x0, "left"), (plot.x1, "right")
    return [Label(arms.favours_treatment, x_left, y, style.SMALL_SIZE, ha=ha_left, va="top"),
            Label(arms.favours_control, x_right, y, style.SMALL_SIZE, ha=ha_right, va="top")]


def _starts_block(spec: rowmodel.RowSpec, previous: Row) -> bool:
    """A subgroup heading, or the first totals row, is set off from the rows above it."""
    return spec.kind == "group" or (spec.kind == "overall" and previous.kind != "overall")


def _choose_axis(specs: list[rowmodel.RowSpec], options: ForestOptions) -> axes.Axis:
    """Axis from the options' xlim, else from the intervals (axis.choose): the overall
    diamonds, the prediction interval and the study estimates must fit; study and subtotal
    confidence limits count only up to 10-fold."""
    if options.xlim is not None:
        return axes.from_limits(*options.xlim)
    must, should = [], []
    for spec in specs:
        iv = spec.interval
        if iv is None:
            continue
        if iv.total:
            must.extend((iv.lo, iv.hi))
        else:
            must.extend([iv.est] if iv.est is not None else [])
            should.extend((iv.lo, iv.hi))
    return axes.choose(must, should)


def _max_weight(specs: list[rowmodel.RowSpec]) -> float:
    weights = [s.interval.weight for s in specs
               if s.interval is not None and s.interval.weight is not None]
    return max(weights, default=0.0)


def _place(spec: rowmodel.RowSpec, y: float, height: float, axis: axes.Axis,
           max_weight: float) -> Row:
    marker = None
    iv = spec.interval
    if iv is not None:
        c = axes.clip(axis, iv.est, iv.lo, iv.hi)
        size = 1.0
        if iv.kind == "box":
            size = (iv.weight / max_weight) ** 0.5 if iv.weight and max_weight > 0 else 0.0
        marker = Marker(iv.kind, iv.role, iv.est, c.lo, c.hi, size, c.arrow_lo, c.arrow_hi,
                        c.est_inside)
    size = style.SMALL_SIZE if spec.small else style.FONT_SIZE
    return Row(spec.kind, dict(spec.cells), spec.style, size, spec.span, marker, y, height)


def _wrap_label(spec: rowmodel.RowSpec, max_width: float) -> rowmodel.RowSpec:
    """Study labels wider than `max_width` wrap onto several lines ('\\n' in the cell)."""
    if spec.kind != "study":
        return spec
    label = spec.cells["study"]
    if text.width(label) <= max_width:
        return spec
    lines = text.wrap(label, max_width)
    return rowmodel.RowSpec(spec.kind, {**spec.cells, "study": "\n".join(lines)}, spec.style,
                            spec.small, spec.span, spec.interval)


def _row_height(spec: rowmodel.RowSpec) -> float:
    if spec.small:
        return SMALL_ROW
    return ROW + LINE * spec.cells.get("study", "").count("\n")


def _cell_width(spec: rowmodel.RowSpec, key: str) -> float:
    size = style.SMALL_SIZE if spec.small else style.FONT_SIZE
    return text.width(spec.cells.get(key, ""), size, spec.style)


def _columns(specs: list[rowmodel.RowSpec], arms: rowmodel.Arms) -> list[Column]:
    """Columns left to right, each as wide as its widest cell or heading (measured)."""
    heads = HEADERS
    widths = {}
    for key in COLUMN_ORDER:
        cells = [_cell_width(s, key) for s in specs if not (s.span and key == "study")
                 and s.kind != "message"]
        widths[key] = max(cells + [text.width(h, style.FONT_SIZE, "bold") for h in heads[key]])
    # Arm names span their Events and Total columns.
    for arm, (ev, n) in ((arms.treatment, ("ev_t", "n_t")), (arms.control, ("ev_c", "n_c"))):
        short = text.width(arm, style.FONT_SIZE, "bold") - (widths[ev] + GAP + widths[n])
        if short > 0:
            widths[ev] += short / 2
            widths[n] += short / 2
    # Spanning texts (subgroup headings, their heterogeneity lines) fit left of the plot.
    left_block = sum(widths[k] for k in LEFT_COLUMNS) + GAP * (len(LEFT_COLUMNS) - 1)
    spans = [_cell_width(s, "study") for s in specs if s.span]
    widths["study"] += max(0.0, max(spans, default=0.0) - left_block)
    # The plot holds the favours texts side by side, and the k = 0 message.
    favours = max(text.width(arms.favours_treatment, style.SMALL_SIZE),
                  text.width(arms.favours_control, style.SMALL_SIZE))
    message = max((_cell_width(s, "plot") for s in specs if s.kind == "message"), default=0.0)
    widths["plot"] = max(PLOT_WIDTH, widths["plot"], 2 * favours + 16.0, message + 10.0)

    columns, x = [], MARGIN
    for key in COLUMN_ORDER:
        if key == "plot":
            x += PLOT_PAD - GAP
        align = "left" if key == "study" else "center" if key == "plot" else "right"
        columns.append(Column(key, heads[key], x, widths[key], align))
        x += widths[key] + (PLOT_PAD if key == "plot" else GAP)
    return columns


def _column_headers(columns: list[Column], arms: rowmodel.Arms, top: float) -> list[Label]:
    """Two heading lines; arm names centred over their Events and Total columns."""
    col = {c.key: c for c in columns}
    y1, y2 = top + HEADER_LINE / 2, top + 1.5 * HEADER_LINE
    labels = []
    for c in columns:
        for line, y in zip(c.header, (y1, y2)):
            if line:
                labels.append(Label(line, c.anchor, y, style.FONT_SIZE, "bold", ha=c.align))
    for arm, (ev, n) in ((arms.treatment, ("ev_t", "n_t")), (arms.control, ("ev_c", "n_c"))):
        centre = (col[ev].left + col[n].left + col[n].width) / 2
        labels.append(Label(arm, centre, y1, style.FONT_SIZE, "bold", ha="center"))
    return labels
