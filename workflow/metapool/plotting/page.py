"""The page every figure is drawn on: text blocks stacked top-down, measured, in points.

A `Page` collects positioned texts (`Text`, the one positioned-text class of the package),
wrapped titles, paragraphs, rules, legends and rectangles reserved for plots; its height
follows from what was added. Table-like figures (table.py) and the funnel and TSA plots all
draw on it. `Page.render()` makes the Figure (object API, Agg canvas)
with one invisible Axes over the whole page in points (x right, y down) for the text, and
`Page.add_axes(box)` places a data Axes on a reserved rectangle. Call inside
style.figure_style(). Fonts are the bundled DejaVu Sans of style.font; nothing is looked up
among system fonts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from metapool.plotting import style
from metapool.plotting import text

from metapool.plotting.style import LINE, MARGIN, RULE_WIDTH, SMALL_LINE, TITLE_LINE

LEGEND_KEY = 14.0  # width of a legend sample
LEGEND_GAP = 10.0  # between legend entries
MESSAGE_WIDTH = 360.0  # a figure that only says what is missing


@dataclass(frozen=True)
class Text:
    """A positioned text (points, y down); ha 'left' | 'right' | 'center', va 'center' | 'top'."""

    text: str
    x: float
    y: float
    size: float = style.FONT_SIZE
    weight: str = "normal"
    ha: str = "left"
    va: str = "center"
    colour: str = style.COLOURS["text"]
    rotation: float = 0.0
    linespacing: float | None = None  # None: matplotlib's 'normal' (from the font's metrics)


@dataclass(frozen=True)
class LegendEntry:
    """A legend sample: kind 'patch' (filled square), 'line' or 'marker', with its style."""

    kind: str
    label: str
    colour: str
    edge: str | None = None
    linestyle: str = "-"
    marker: str = "o"
    fill: bool = True


@dataclass(frozen=True)
class Box:
    """A rectangle in points (x0, y0 top-left)."""

    x0: float
    y0: float
    width: float
    height: float


@dataclass
class Page:
    """Blocks stacked from the top; `y` is the next free position."""

    width: float
    y: float = MARGIN
    texts: list[Text] = field(default_factory=list)
    rules: list[tuple[float, float, float]] = field(default_factory=list)
    legend: list[tuple[LegendEntry, float, float]] = field(default_factory=list)
    fig: Figure | None = None
    canvas_ax: Axes | None = None

    @property
    def left(self) -> float:
        return MARGIN

    @property
    def content(self) -> float:
        """Width available for text between the margins."""
        return self.width - 2 * MARGIN

    def space(self, h: float) -> None:
        self.y += h

    def paragraph(self, value: str, size: float = style.SMALL_SIZE, weight: str = "normal",
                  line: float | None = None, colour: str = style.COLOURS["text"]) -> None:
        """`value` wrapped to the content width, one Text per line."""
        line = line or (TITLE_LINE if size >= style.TITLE_SIZE else
                        LINE if size >= style.FONT_SIZE else SMALL_LINE)
        for part in text.wrap(value, self.content, size, weight):
            self.texts.append(Text(part, MARGIN, self.y + line / 2, size, weight, colour=colour))
            self.y += line

    def title(self, value: str, subtitle: str | None = None) -> None:
        """The analysis title (bold) and what the figure shows (italic), then a rule."""
        self.paragraph(value, style.TITLE_SIZE, "bold")
        if subtitle:
            self.space(1.0)
            self.paragraph(subtitle, style.FONT_SIZE, "italic")
        self.space(4.0)
        self.rule()

    def rule(self, after: float = 3.0) -> None:
        """A rule across the content width at the current position, then `after` points."""
        self.rules.append((MARGIN, self.width - MARGIN, self.y))
        self.space(after)

    def reserve(self, height: float, x0: float | None = None, width: float | None = None) -> Box:
        """A rectangle of `height` for a plot, from x0 (default the left margin)."""
        x0 = MARGIN if x0 is None else x0
        box = Box(x0, self.y, self.content - (x0 - MARGIN) if width is None else width, height)
        self.y += height
        return box

    def legend_rows(self, entries: list[LegendEntry], size: float = style.SMALL_SIZE) -> None:
        """Legend entries left to right, flowing onto new lines at the content width."""
        x, line = MARGIN, SMALL_LINE + 2.0
        self.y += line / 2
        for entry in entries:
            w = LEGEND_KEY + 4.0 + text.width(entry.label, size)
            if x > MARGIN and x + w > self.width - MARGIN:
                x, self.y = MARGIN, self.y + line
            self.legend.append((entry, x, self.y))
            self.texts.append(Text(entry.label, x + LEGEND_KEY + 4.0, self.y, size))
            x += w + LEGEND_GAP
        self.y += line / 2

    @property
    def height(self) -> float:
        return self.y + MARGIN

    def render(self) -> Figure:
        """The Figure with every text, rule and legend sample added so far."""
        height = self.height
        fig = Figure(figsize=(self.width / 72, height / 72), dpi=style.DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_xlim(0, self.width)
        ax.set_ylim(height, 0)
        self.fig, self.canvas_ax = fig, ax
        for t in self.texts:
            draw_text(ax, t)
        for x0, x1, y in self.rules:
            ax.add_line(Line2D([x0, x1], [y, y], color=style.COLOURS["null"], lw=RULE_WIDTH,
                               solid_capstyle="butt"))
        for entry, x, y in self.legend:
            _legend_sample(ax, entry, x, y)
        return fig

    def add_axes(self, box: Box) -> Axes:
        """A data Axes filling `box` (call after render())."""
        h = self.height
        return self.fig.add_axes((box.x0 / self.width, 1 - (box.y0 + box.height) / h,
                                  box.width / self.width, box.height / h))


def draw_text(ax: Axes, t: Text) -> None:
    """A Text on `ax` in data coordinates: mathtext off (text stays text), no ligatures
    (style.TEXT_FEATURES); a text with line breaks is one multi-line text."""
    extra = {} if t.linespacing is None else {"linespacing": t.linespacing}
    ax.text(t.x, t.y, t.text, fontproperties=style.font(t.weight, t.size), ha=t.ha, va=t.va,
            color=t.colour, rotation=t.rotation, parse_math=False,
            fontfeatures=style.TEXT_FEATURES, **extra)


def _legend_sample(ax: Axes, entry: LegendEntry, x: float, y: float) -> None:
    if entry.kind == "patch":
        ax.add_patch(Rectangle((x + 2.0, y - 4.0), LEGEND_KEY - 4.0, 8.0, facecolor=entry.colour,
                               edgecolor=entry.edge or "none", lw=0.5))
    elif entry.kind == "line":
        ax.add_line(Line2D([x, x + LEGEND_KEY], [y, y], color=entry.colour, lw=1.0,
                           linestyle=entry.linestyle, solid_capstyle="butt",
                           dash_capstyle="butt"))
    else:
        ax.add_line(Line2D([x + LEGEND_KEY / 2], [y], marker=entry.marker, markersize=4.5,
                           markerfacecolor=entry.colour if entry.fill else "white",
                           markeredgecolor=entry.edge or entry.colour, markeredgewidth=0.8,
                           linestyle="none"))


def message_page(title: str, subtitle: str, message: str, detail: str | None = None) -> Page:
    """A small page that says what the figure would show and why it is missing."""
    page = Page(MESSAGE_WIDTH)
    page.title(title, subtitle)
    page.space(6.0)
    page.paragraph(message, style.FONT_SIZE, "bold")
    if detail and detail != message:
        page.space(2.0)
        page.paragraph(detail, style.SMALL_SIZE, colour=style.COLOURS["muted"])
    page.space(6.0)
    return page


def style_axes(ax: Axes) -> None:
    """Thin black left/bottom spines, no top/right, outward ticks in the small font."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_linewidth(0.8)
    ax.tick_params(width=0.8, length=3.0, labelsize=style.SMALL_SIZE, direction="out")


def set_ticks(ax: Axes, axis: str, ticks: list[tuple[float, str]]) -> None:
    """Fixed tick positions and labels on the x or y axis, labels in the bundled font."""
    positions = [v for v, _ in ticks]
    labels = [lab for _, lab in ticks]
    prop = style.font("normal", style.SMALL_SIZE)
    if axis == "x":
        ax.set_xticks(positions, labels, fontproperties=prop)
    else:
        ax.set_yticks(positions, labels, fontproperties=prop)
