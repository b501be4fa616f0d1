"""The page every figure is drawn on: text blocks stacked top-down, measured, in points.

A `Page` collects positioned texts (`Text`, the one positioned-text class of the package),
wrapped titles, paragraphs, rules, legends and rectangles reserved for plots; its height
follows from what was added. Table-like figures (table.py) and the funnel and TSA plots all
draw on it. `Page.canvas()` puts what was added on a canvas.Canvas (x right, y down, points);
a `Frame` is a data plot on a reserved rectangle: its value-to-point mapping, spines, ticks
and tick labels, and the clip rectangle of what is drawn inside it. Fonts are the bundled
DejaVu Sans of style.font; nothing is looked up among system fonts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from metapool.plotting import style
from metapool.plotting.canvas import ASCENT, DESCENT, Canvas
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


@dataclass(frozen=True)
class LegendEntry:
    """A legend sample: kind 'patch' (filled square), 'line' or 'marker' (marker 'o' a circle,
    's' a square), with its style."""

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

    def canvas(self) -> Canvas:
        """A Canvas with every text, rule and legend sample added so far."""
        canvas = Canvas(self.width, self.height)
        for x0, x1, y in self.rules:
            canvas.line([(x0, y), (x1, y)], style.COLOURS["null"], RULE_WIDTH)
        for entry, x, y in self.legend:
            _legend_sample(canvas, entry, x, y)
        for t in self.texts:
            canvas.text(t)
        return canvas


DASHES = {"-": None, "--": (3.7, 1.6), ":": (1.0, 1.65)}  # matplotlib's, times the line width


def dash(linestyle: str, width: float):
    """A canvas dash pattern for a matplotlib line style at line width `width`."""
    pattern = DASHES[linestyle]
    return None if pattern is None else (0.0, tuple(d * width for d in pattern))


def _legend_sample(canvas: Canvas, entry: LegendEntry, x: float, y: float) -> None:
    if entry.kind == "patch":
        x0, x1 = x + 2.0, x + LEGEND_KEY - 2.0
        canvas.polygon([(x0, y - 4.0), (x1, y - 4.0), (x1, y + 4.0), (x0, y + 4.0)], entry.colour,
                       entry.edge, 0.5 if entry.edge else 0.0)
    elif entry.kind == "line":
        canvas.line([(x, y), (x + LEGEND_KEY, y)], entry.colour, 1.0, dash(entry.linestyle, 1.0))
    elif entry.marker == "s":
        h = 4.5 / 2
        cx = x + LEGEND_KEY / 2
        canvas.polygon([(cx - h, y - h), (cx + h, y - h), (cx + h, y + h), (cx - h, y + h)],
                       entry.colour if entry.fill else "white", entry.edge or entry.colour, 0.8,
                       z=2.0)
    else:
        canvas.circle(x + LEGEND_KEY / 2, y, 4.5 / 2, entry.colour if entry.fill else "white",
                      entry.edge or entry.colour, 0.8, z=2.0)


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


TICK_PAD = 3.5  # tick label to tick (matplotlib's default)


@dataclass(frozen=True)
class Frame:
    """A data plot on a page rectangle: x from xlim[0] (left) to xlim[1] (right), y from
    ylim[0] (bottom edge) to ylim[1] (top edge)."""

    box: Box
    xlim: tuple[float, float]
    ylim: tuple[float, float]

    def x(self, v: float) -> float:
        return self.box.x0 + (v - self.xlim[0]) / (self.xlim[1] - self.xlim[0]) * self.box.width

    def y(self, v: float) -> float:
        b = self.box
        return b.y0 + b.height - (v - self.ylim[0]) / (self.ylim[1] - self.ylim[0]) * b.height

    def xy(self, points) -> list[tuple[float, float]]:
        return [(self.x(a), self.y(b)) for a, b in points]

    @property
    def clip(self) -> tuple[float, float, float, float]:
        return (self.box.x0, self.box.y0, self.box.width, self.box.height)

    def background(self, canvas: Canvas, colour: str) -> None:
        b = self.box
        canvas.polygon([(b.x0, b.y0), (b.x0 + b.width, b.y0), (b.x0 + b.width, b.y0 + b.height),
                        (b.x0, b.y0 + b.height)], colour, z=0.0)

    def axes(self, canvas: Canvas, xticks: list[tuple[float, str]],
             yticks: list[tuple[float, str]], ylabel: str | None = None) -> None:
        """Left and bottom spines with outward ticks and their labels (small font), and a
        vertical y-axis label left of the tick labels."""
        b = self.box
        left, bottom = b.x0, b.y0 + b.height
        canvas.line([(left, b.y0), (left, bottom)], "#000000", 0.8, z=2.5, cap="projecting")
        canvas.line([(left, bottom), (b.x0 + b.width, bottom)], "#000000", 0.8, z=2.5,
                    cap="projecting")
        size = style.SMALL_SIZE
        for v, label in xticks:
            x = self.x(v)
            canvas.line([(x, bottom), (x, bottom + 3.0)], "#000000", 0.8, z=2.5)
            canvas.text(Text(label, x, bottom + 3.0 + TICK_PAD, size, ha="center", va="top"))
        widest = 0.0
        for v, label in yticks:
            y = self.y(v)
            canvas.line([(left - 3.0, y), (left, y)], "#000000", 0.8, z=2.5)
            canvas.text(Text(label, left - 3.0 - TICK_PAD, y, size, ha="right"))
            widest = max(widest, text.width(label, size))
        if ylabel:
            x = left - 3.0 - TICK_PAD - widest - 4.0 - size * (ASCENT + DESCENT) / 2
            canvas.text(Text(ylabel, x, b.y0 + b.height / 2, size, ha="center", rotation=90.0))

