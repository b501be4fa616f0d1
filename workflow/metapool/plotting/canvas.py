"""What a figure draws, as a list of shapes and texts in points, and its writers to SVG, PNG, PDF.

Every figure but the summary forest plot (forest, cumulative, leave-one-out, funnel, TSA,
versions, the risk-of-bias figures, the PRISMA flow diagram) is laid out in
points (x right, y down from the top-left corner) and drawn onto a `Canvas`: polygons,
polylines, circles and texts (page.Text), each with a layer (z: shapes 1, lines 2, texts 3,
in insertion order within a layer) and an optional clip rectangle. Nothing here builds a
matplotlib Figure or Artist -- that machinery (transforms, per-artist layout, text re-measuring)
was most of the drawing time. The writers:

- `to_svg`: the SVG text written directly; text stays <text> in the bundled DejaVu Sans.
- `to_png`: matplotlib's Agg rasteriser (RendererAgg, the same one savefig uses) fills and
  strokes the shapes; texts are composited from glyph bitmaps that FreeType renders once per
  process (font, size, glyph), at the hinted advances and kerning of the font; encoded by png.py
  at style.DPI.
- `to_pdf`: content-stream operators written by pdf.py, Type 42 fonts embedded with pdf_fonts'
  fixed subset (built once per process): text stays text, at the widths and kerning text.py
  measures.

All three are deterministic: no dates, no software versions, fixed ids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape

import numpy as np

from metapool.plotting import style
from metapool.plotting import text as measure

ASCENT = 1901 / 2048  # DejaVu Sans hhea ascender / descender, in font sizes
DESCENT = 483 / 2048


@dataclass
class Canvas:
    """A page of `width` x `height` points and what is drawn on it."""

    width: float
    height: float
    items: list = field(default_factory=list)
    title: str = ""  # the SVG <title>; default: the first title-size text drawn
    desc: str = ""  # the SVG <desc>; default: what kind of figure it is, from the title

    def _add(self, z: float, kind: str, *data) -> None:
        self.items.append((z, len(self.items), kind, data))

    def polygon(self, points, fill: str, edge: str | None = None, edge_width: float = 0.0,
                z: float = 1.0, clip=None) -> None:
        """A closed polygon filled with `fill` ('none' for no fill), optionally outlined."""
        self._add(z, "polygon", tuple(points), fill, edge, edge_width, clip)

    def rect(self, x: float, y: float, width: float, height: float, fill: str,
             edge: str | None = None, edge_width: float = 0.0, z: float = 1.0, clip=None) -> None:
        """An axis-aligned rectangle from its top-left corner (x, y): a polygon."""
        self.polygon([(x, y), (x + width, y), (x + width, y + height), (x, y + height)], fill,
                     edge, edge_width, z, clip)

    def line(self, points, colour: str, width: float, dash=None, z: float = 2.0, clip=None,
             cap: str = "butt") -> None:
        """An open polyline; dash: (offset, (on, off, ...)) in points."""
        self._add(z, "line", tuple(points), colour, width, dash, clip, cap)

    def circle(self, x: float, y: float, r: float, fill: str, edge: str | None = None,
               edge_width: float = 0.0, z: float = 1.0, clip=None) -> None:
        self._add(z, "circle", x, y, r, fill, edge, edge_width, clip)

    def text(self, t, z: float = 3.0) -> None:
        """A page.Text (several lines when it holds line breaks, 1.2 sizes apart)."""
        self._add(z, "text", t)

    def paste(self, other: "Canvas", dy: float) -> None:
        """Everything drawn on `other`, moved down by `dy` points, added to this canvas."""
        from dataclasses import replace

        def moved(points):
            return tuple((x, y + dy) for x, y in points)

        def clip(rect):
            return None if rect is None else (rect[0], rect[1] + dy, rect[2], rect[3])

        for z, _, kind, data in sorted(other.items, key=lambda i: (i[0], i[1])):
            if kind == "text":
                data = (replace(data[0], y=data[0].y + dy),)
            elif kind == "circle":
                data = (data[0], data[1] + dy, *data[2:6], clip(data[6]))
            elif kind == "line":
                data = (moved(data[0]), *data[1:4], clip(data[4]), data[5])
            else:
                data = (moved(data[0]), *data[1:4], clip(data[4]))
            self._add(z, kind, *data)

    def drawn(self):
        """Items in painting order: by layer, then as added."""
        return [(kind, data) for _, _, kind, data in sorted(self.items, key=lambda i: (i[0], i[1]))]

    def texts(self):
        return [data[0] for kind, data in self.drawn() if kind == "text"]


# Text geometry ----------------------------------------------------------------------------

def text_lines(t):
    """(line, x of its left edge, baseline y) of each line of a page.Text, in points."""
    lines = t.text.split("\n")
    pitch = 1.2 * t.size
    block = pitch * (len(lines) - 1)
    if t.va == "top":
        first = t.y + ASCENT * t.size
    else:  # 'center': the block of lines centred on y, each line on the font's ascent/descent
        first = t.y - block / 2 + (ASCENT - DESCENT) / 2 * t.size
    out = []
    for i, line in enumerate(lines):
        w = measure.width(line, t.size, t.weight)
        x = t.x - {"left": 0.0, "center": w / 2, "right": w}[t.ha]
        out.append((line, x, first + i * pitch, w))
    return out


def text_box(t) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) extent of a page.Text in points (font ascent to descent)."""
    lines = text_lines(t)
    x0 = min(x for _, x, _, _ in lines)
    x1 = max(x + w for _, x, _, w in lines)
    y0 = lines[0][2] - ASCENT * t.size
    y1 = lines[-1][2] + DESCENT * t.size
    if t.rotation:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        hw, hh = (x1 - x0) / 2, (y1 - y0) / 2
        return cx - hh, cy - hw, cx + hh, cy + hw
    return x0, y0, x1, y1


# SVG ----------------------------------------------------------------------------------------

def _n(v: float) -> str:
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _points(points) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{_n(x)} {_n(y)}" for i, (x, y) in enumerate(points))


def _svg_stroke(colour, width, dash=None, cap="butt") -> str:
    out = f' stroke="{colour}" stroke-width="{_n(width)}" stroke-linecap="{cap}" stroke-linejoin="round"'
    if dash:
        out += f' stroke-dasharray="{" ".join(_n(d) for d in dash[1])}"'
        if dash[0]:
            out += f' stroke-dashoffset="{_n(dash[0])}"'
    return out


def to_svg(canvas: Canvas) -> bytes:
    """The canvas as an SVG document (text as <text>, sizes in points)."""
    w, h = canvas.width, canvas.height
    clips: dict[tuple, str] = {}
    body = []
    for kind, data in canvas.drawn():
        clip = data[-1] if kind != "text" and kind != "line" else (data[4] if kind == "line" else None)
        attr = ""
        if clip is not None:
            key = tuple(round(v, 3) for v in clip)
            if key not in clips:
                clips[key] = f"clip{len(clips)}"
            attr = f' clip-path="url(#{clips[key]})"'
        if kind == "polygon":
            points, fill, edge, edge_width, _ = data
            stroke = _svg_stroke(edge, edge_width) if edge and edge_width else ""
            body.append(f'<path d="{_points(points)} Z" fill="{fill}"{stroke}{attr}/>')
        elif kind == "line":
            points, colour, width, dash, _, cap = data
            body.append(f'<path d="{_points(points)}" fill="none"'
                        f'{_svg_stroke(colour, width, dash, cap)}{attr}/>')
        elif kind == "circle":
            x, y, r, fill, edge, edge_width, _ = data
            stroke = _svg_stroke(edge, edge_width) if edge and edge_width else ""
            body.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}"{stroke}{attr}/>')
        else:
            body.extend(_svg_text(data[0]))
    title, desc = svg_title(canvas)
    defs = "".join(f'<clipPath id="{name}"><rect x="{_n(c[0])}" y="{_n(c[1])}" width="{_n(c[2])}" '
                   f'height="{_n(c[3])}"/></clipPath>' for c, name in clips.items())
    head = ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(w)}pt" height="{_n(h)}pt" '
            f'viewBox="0 0 {_n(w)} {_n(h)}" version="1.1" role="img">\n'
            f"<title>{escape(title)}</title>\n<desc>{escape(desc)}</desc>\n"
            + (f"<defs>{defs}</defs>\n" if defs else "")
            + f'<rect x="0" y="0" width="{_n(w)}" height="{_n(h)}" fill="#ffffff"/>\n')
    return (head + "\n".join(body) + "\n</svg>\n").encode("utf-8")


def svg_title(canvas: Canvas) -> tuple[str, str]:
    """(title, description) of the SVG: the canvas' own, else its first title-size text and the
    texts of its first lines (the title, what the figure shows), joined."""
    texts = canvas.texts()
    heading = [t.text for t in texts if t.size >= style.TITLE_SIZE]
    title = canvas.title or (" ".join(heading) if heading else "Figure")
    if canvas.desc:
        return title, canvas.desc
    italic = [t.text for t in texts if t.weight == "italic"][:2]
    return title, " ".join([title + "."] + italic).strip()


ANCHOR = {"left": "start", "center": "middle", "right": "end"}


def _svg_text(t) -> list[str]:
    font = f"font-family: {style.SVG_FONT_FAMILY}; font-size: {_n(t.size)}px"
    if t.weight == "bold":
        font += "; font-weight: 700"
    elif t.weight == "italic":
        font += "; font-style: oblique"
    fill = "" if t.colour.lower() in ("#000000", "black") else f' fill="{t.colour}"'
    out = []
    for line, x, y, w in text_lines(t):
        if not line:
            continue
        if t.rotation:  # rotated about the text's anchor point (a centred axis label)
            cx, cy = t.x, t.y
            out.append(f'<text x="{_n(cx)}" y="{_n(cy + (ASCENT - DESCENT) / 2 * t.size)}" '
                       f'style="{font}; text-anchor: middle"{fill} transform="rotate('
                       f'{_n(-t.rotation)} {_n(cx)} {_n(cy)})">{escape(line)}</text>')
            continue
        ax = {"left": x, "center": x + w / 2, "right": x + w}[t.ha]
        anchor = "" if t.ha == "left" else f"; text-anchor: {ANCHOR[t.ha]}"
        out.append(f'<text x="{_n(ax)}" y="{_n(y)}" style="{font}{anchor}"{fill}>'
                   f'{escape(line)}</text>')
    return out


# PNG ----------------------------------------------------------------------------------------

def _rgb(colour: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


@lru_cache(maxsize=None)
def _ft_font(weight: str):
    from matplotlib.ft2font import FT2Font

    return FT2Font(str(style.FONT_DIR / style.FONT_FILES[weight]))


@lru_cache(maxsize=65536)
def _glyph(weight: str, size: float, dpi: float, char: str):
    """(bitmap uint8, left offset px, top offset px from the baseline, advance px, glyph
    index) of one character, rendered once."""
    from matplotlib.ft2font import LoadFlags

    font = _ft_font(weight)
    font.set_size(size, dpi)
    glyph = font.load_char(ord(char), flags=LoadFlags.DEFAULT)
    advance = glyph.horiAdvance / 64
    index = font.get_char_index(ord(char))
    if char.isspace():
        return None, 0, 0, advance, index
    font.set_text(char, 0.0, flags=LoadFlags.DEFAULT, features=style.TEXT_FEATURES)
    font.draw_glyphs_to_bitmap(antialiased=True)
    image = np.ascontiguousarray(np.asarray(font.get_image()))
    xo = font.get_bitmap_offset()[0] / 64
    descent = font.get_descent() / 64
    return image, xo, descent - image.shape[0], advance, index


@lru_cache(maxsize=65536)
def _kerning(weight: str, size: float, dpi: float, left: int, right: int) -> float:
    from matplotlib.ft2font import Kerning

    font = _ft_font(weight)
    font.set_size(size, dpi)
    return font.get_kerning(left, right, Kerning.DEFAULT) / 64


def _png_text(r, t, scale: float, dpi: float, hpx: int) -> None:
    gc = r.new_gc()
    gc.set_foreground(t.colour)
    if t.rotation:
        _png_rotated(r, gc, t, scale, dpi)
        return
    for line, x, y, w in text_lines(t):
        glyphs, pen, previous = [], 0.0, None
        for ch in line:  # glyph positions at the hinted advances and kerning of this size
            image, xo, top, advance, index = _glyph(t.weight, t.size, dpi, ch)
            if previous is not None:
                pen += _kerning(t.weight, t.size, dpi, previous, index)
            glyphs.append((image, pen + xo, top))
            pen += advance
            previous = index
        anchor = (x + {"left": 0.0, "center": w / 2, "right": w}[t.ha]) * scale
        start = round(anchor - {"left": 0.0, "center": pen / 2, "right": pen}[t.ha])
        base = round(y * scale)
        for image, gx, top in glyphs:
            if image is not None:  # Agg's own glyph compositing (y: the bitmap's bottom row)
                r._renderer.draw_text_image(image, int(round(start + gx)),
                                            int(base + top) + image.shape[0], 0, gc)


def _png_rotated(r, gc, t, scale, dpi) -> None:
    from matplotlib.ft2font import LoadFlags

    font = _ft_font(t.weight)
    font.set_size(t.size, dpi)
    font.set_text(t.text, t.rotation, flags=LoadFlags.DEFAULT, features=style.TEXT_FEATURES)
    font.draw_glyphs_to_bitmap(antialiased=True)
    image = np.asarray(font.get_image())
    h, w = image.shape
    r._renderer.draw_text_image(image, int(round(t.x * scale - w / 2)),
                                int(round(t.y * scale + h / 2)), 0, gc)


def to_png(canvas: Canvas, dpi: float = style.DPI) -> bytes:
    """The canvas rasterised at `dpi` (Agg for shapes, cached glyph bitmaps for text)."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.path import Path
    from matplotlib.transforms import Bbox, IdentityTransform

    from metapool.plotting import png

    scale = dpi / 72.0
    wpx, hpx = max(1, int(canvas.width * scale)), max(1, int(canvas.height * scale))
    r = RendererAgg(wpx, hpx, dpi)
    ident = IdentityTransform()

    def px(points):
        return [(x * scale, hpx - y * scale) for x, y in points]

    def new_gc(clip):
        gc = r.new_gc()
        gc.set_joinstyle("round")
        if clip is not None:
            x0, y0, w, h = clip
            gc.set_clip_rectangle(Bbox.from_bounds(x0 * scale, hpx - (y0 + h) * scale,
                                                   w * scale, h * scale))
        return gc

    gc = new_gc(None)
    gc.set_linewidth(0)
    r.draw_path(gc, Path([(0, 0), (wpx, 0), (wpx, hpx), (0, hpx), (0, 0)], closed=True), ident,
                (1.0, 1.0, 1.0, 1.0))
    texts = []
    for kind, data in canvas.drawn():
        if kind == "text":
            texts.append(data[0])
            continue
        if kind == "polygon":
            points, fill, edge, edge_width, clip = data
            gc = new_gc(clip)
            gc.set_linewidth(edge_width if edge else 0)
            if edge:
                gc.set_foreground(edge)
            face = None if fill == "none" else (*_rgb(fill), 1.0)
            r.draw_path(gc, Path(px(points) + [px(points[:1])[0]], closed=True), ident, face)
        elif kind == "line":
            points, colour, width, dash, clip, cap = data
            gc = new_gc(clip)
            gc.set_foreground(colour)
            gc.set_linewidth(width)
            gc.set_capstyle(cap)
            if dash:
                gc.set_dashes(dash[0], dash[1])
            r.draw_path(gc, Path(px(points)), ident, None)
        else:
            x, y, rad, fill, edge, edge_width, clip = data
            gc = new_gc(clip)
            gc.set_linewidth(edge_width if edge else 0)
            if edge:
                gc.set_foreground(edge)
            face = None if fill == "none" else (*_rgb(fill), 1.0)
            circle = Path.circle((x * scale, hpx - y * scale), rad * scale)
            r.draw_path(gc, circle, ident, face)
    for t in texts:
        _png_text(r, t, scale, dpi, hpx)
    return png.encode(np.asarray(r.buffer_rgba()), dpi)


# PDF ----------------------------------------------------------------------------------------

def to_pdf(canvas: Canvas) -> bytes:
    """The canvas as a one-page PDF (pdf.py: paths and text operators, Type 42 fonts: text is text)."""
    from matplotlib.path import Path

    from metapool.plotting import pdf

    hp = canvas.height
    out = pdf.Content()

    def pts(points):
        return [(x, hp - y) for x, y in points]

    def clip(rect):
        out.set_clip(None if rect is None else (rect[0], hp - (rect[1] + rect[3]), rect[2], rect[3]))

    def paint(fill, edge, edge_width):
        if edge and edge_width:
            out.stroke(_rgb(edge), edge_width)
        if fill != "none":
            out.fill_colour(_rgb(fill))
        return {(True, True): "B", (True, False): "f", (False, True): "S"}.get(
            (fill != "none", bool(edge and edge_width)))

    for kind, data in canvas.drawn():
        if kind == "polygon":
            points, fill, edge, edge_width, rect = data
            clip(rect)
            op = paint(fill, edge, edge_width)
            if op:
                out.path(pts(points), True, op)
        elif kind == "line":
            points, colour, width, dash, rect, cap = data
            clip(rect)
            if width > 0:
                out.stroke(_rgb(colour), width, cap, dash)
                out.path(pts(points), False, "S")
        elif kind == "circle":
            x, y, rad, fill, edge, edge_width, rect = data
            clip(rect)
            op = paint(fill, edge, edge_width)
            if op:
                v = Path.circle((x, hp - y), rad).vertices
                out.curve(v[0], v[1:-1].reshape(-1, 6), op)
        else:
            t = data[0]
            clip(None)
            out.fill_colour(_rgb(t.colour))
            for line, x, y, lw in text_lines(t):
                if not line:
                    continue
                if t.rotation:
                    angle = math.radians(t.rotation)
                    bx = t.x + (ASCENT - DESCENT) / 2 * t.size * math.sin(angle) - lw / 2 * math.cos(angle)
                    by = hp - t.y - (ASCENT - DESCENT) / 2 * t.size * math.cos(angle) - lw / 2 * math.sin(angle)
                    out.text(t.weight, t.size, bx, by, line, t.rotation)
                else:
                    out.text(t.weight, t.size, x, hp - y, line)
    return pdf.document(canvas.width, hp, out)
