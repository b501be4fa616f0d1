"""A one-page PDF writer: a content stream of paths and text, and Type 42 fonts built once per process.

PDF 1.4 (ISO 32000-1). Each weight drawn is a composite font (§9.7): a Type 0 font with the
Identity-H encoding over a CIDFontType2 whose CIDs are the characters' Unicode code points, mapped
to the glyphs of the embedded TrueType subset by a CIDToGIDMap, with widths W (advance / units per
em x 1000, rounded, as matplotlib writes them) and a ToUnicode CMap (§9.10.3): text stays text.
The subset is pdf_fonts' fixed one (plus the glyphs of any character outside it), so a font's
objects are built once per process and reused by every figure. Numbers are written as matplotlib's
PDF backend writes them (coordinates to 6 decimals, other numbers to 10). Deterministic: no
document information dictionary, no dates, the subset tag derived from the embedded characters.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from dataclasses import dataclass
from functools import lru_cache

CAPS = {"butt": 0, "round": 1, "projecting": 2}
NOT_BMP = "\ufffd"  # stands in for a character beyond U+FFFF (a CID has two bytes)


def num(v: float) -> str:
    """A number as matplotlib's pdfRepr writes it: 10 decimals, trailing zeros dropped."""
    return (f"{v:.10f}".rstrip("0").rstrip(".")) or "0"


def coord(v: float) -> str:
    """A path coordinate as matplotlib's path writer writes it: 6 decimals, trailing zeros dropped."""
    return (f"{v:.6f}".rstrip("0").rstrip(".")) or "0"


def bmp(s: str) -> str:
    """`s` with each character beyond the Basic Multilingual Plane replaced by NOT_BMP."""
    return s if max(s, default="\0") <= "\uffff" else "".join(c if c <= "\uffff" else NOT_BMP for c in s)


# Content stream ---------------------------------------------------------------------------

class Content:
    """Operators of a page's content stream (§8.4, §9.4), graphics state written only when it
    changes; a clip rectangle is a q ... Q group."""

    DEFAULT = {"rg": (0.0, 0.0, 0.0), "RG": (0.0, 0.0, 0.0), "w": 1.0, "J": 0, "d": None}

    def __init__(self):
        self.ops = ["1 j"]  # round joins throughout
        self.state = dict(self.DEFAULT)
        self.clip = self.saved = None
        self.chars: dict[str, set[str]] = {}

    def _set(self, key: str, value, op: str) -> None:
        if self.state[key] != value:
            self.state[key] = value
            self.ops.append(op)

    def fill_colour(self, rgb) -> None:
        self._set("rg", rgb, f"{num(rgb[0])} {num(rgb[1])} {num(rgb[2])} rg")

    def stroke(self, rgb, width: float, cap: str = "butt", dash=None) -> None:
        """Stroke colour, width, cap and dash (offset, (on, off, ...)) for the next paths."""
        self._set("RG", rgb, f"{num(rgb[0])} {num(rgb[1])} {num(rgb[2])} RG")
        self._set("w", width, f"{num(width)} w")
        self._set("J", CAPS[cap], f"{CAPS[cap]} J")
        if dash is None:
            self._set("d", None, "[] 0 d")
        else:
            self._set("d", dash, f"[{' '.join(num(d) for d in dash[1])}] {num(dash[0])} d")

    def set_clip(self, rect) -> None:
        """Clip what follows to rect (x, y, width, height, PDF coordinates), or no clip (None)."""
        if rect == self.clip:
            return
        if self.clip is not None:
            self.ops.append("Q")
            self.state = self.saved
        if rect is not None:
            self.saved = dict(self.state)
            self.ops.append(f"q {' '.join(num(v) for v in rect)} re W n")
        self.clip = rect

    def path(self, points, close: bool, paint: str) -> None:
        """A polyline (closed with h) painted by `paint` (f fill, S stroke, B both)."""
        it = iter(points)
        x, y = next(it)
        ops = [f"{coord(x)} {coord(y)} m"]
        ops.extend(f"{coord(x)} {coord(y)} l" for x, y in it)
        if close:
            ops.append("h")
        ops.append(paint)
        self.ops.append("\n".join(ops))

    def curve(self, start, beziers, paint: str) -> None:
        """A closed path of cubic Bézier segments ((x1, y1, x2, y2, x3, y3), ...) from `start`."""
        ops = [f"{coord(start[0])} {coord(start[1])} m"]
        ops.extend(" ".join(coord(v) for v in b) + " c" for b in beziers)
        ops.append("h")
        ops.append(paint)
        self.ops.append("\n".join(ops))

    def text(self, weight: str, size: float, x: float, y: float, line: str, angle: float = 0.0) -> None:
        """One line of text with its baseline's left end at (x, y), turned `angle` degrees: placed
        by a cm matrix in a q ... Q group, as matplotlib's RendererPdf places it (a viewer then
        rasterises every glyph at the same sub-pixel position as before)."""
        line = bmp(line)
        self.chars.setdefault(weight, set()).update(line)
        a = math.radians(angle)
        self.ops.append(f"q {num(math.cos(a))} {num(math.sin(a))} {num(-math.sin(a))} {num(math.cos(a))} "
                        f"{num(x)} {num(y)} cm BT /F{weight} {num(size)} Tf {shown(weight, line)} TJ ET Q")

    def finish(self) -> bytes:
        self.set_clip(None)
        return "\n".join(self.ops).encode("ascii") + b"\n"


@lru_cache(maxsize=65536)
def shown(weight: str, line: str) -> str:
    """The TJ array of a line: its CIDs as hex strings, split at each kerning pair by the pair's
    adjustment (-kern / units per em x 1000, in thousandths of the text size)."""
    from metapool.plotting import text

    parts, run, previous = [], [], None
    for ch in line:
        index = text._glyph(weight, ch)[0]
        kern = text._kern(weight, previous, index) if previous is not None else 0
        if kern:
            parts.append(f"<{''.join(run)}> {num(-1000 * kern / text.UNITS)}")
            run = []
        run.append(f"{ord(ch):04x}")
        previous = index
    parts.append(f"<{''.join(run)}>")
    return f"[{' '.join(parts)}]"


# Fonts ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Font:
    """The PDF objects of one embedded font, but for their object numbers."""

    name: str  # subset tag + PostScript name
    descriptor: str  # FontDescriptor entries but FontFile2
    widths: str  # the W array
    font_file: bytes  # TrueType subset
    cid_to_gid: bytes
    to_unicode: bytes


def _outward(v: float) -> int:
    """Rounded away from zero (font box metrics, as matplotlib rounds them)."""
    return math.ceil(v) if v > 0 else math.floor(v)


def _tag(weight: str, chars) -> str:
    """Six capital letters naming the subset (§9.6.4), from its characters."""
    digest = hashlib.sha256((weight + "".join(sorted(chars))).encode("utf-8")).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def _width_array(widths: dict[int, int]) -> str:
    """W (§9.7.4.3): runs of consecutive CIDs as `first [w1 w2 ...]`."""
    runs: list[list[int]] = []
    for cid in sorted(widths):
        if runs and cid == runs[-1][0] + len(runs[-1]) - 1:
            runs[-1].append(widths[cid])
        else:
            runs.append([cid, widths[cid]])
    return "[" + " ".join(f"{r[0]} [{' '.join(map(str, r[1:]))}]" for r in runs) + "]"


def _to_unicode(cids) -> bytes:
    """A ToUnicode CMap of CIDs that are their own UTF-16 code: bfrange runs (at most 100 per
    block, each within one last-byte page)."""
    runs: list[list[int]] = []
    for cid in sorted(cids):
        if runs and cid == runs[-1][1] + 1 and cid & 0xFF:
            runs[-1][1] = cid
        else:
            runs.append([cid, cid])
    blocks = [runs[i:i + 100] for i in range(0, len(runs), 100)]
    body = "".join(f"{len(b)} beginbfrange\n" + "".join(f"<{a:04x}> <{z:04x}> <{a:04x}>\n" for a, z in b)
                   + "endbfrange\n" for b in blocks)
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n" + body
            + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii")


@lru_cache(maxsize=64)
def font(weight: str, extra: frozenset[str] = frozenset()) -> Font:
    """The bundled font of `weight` embedded with pdf_fonts' fixed subset plus `extra` characters."""
    from matplotlib.font_manager import FontPath
    from matplotlib.ft2font import FaceFlags, StyleFlags

    from metapool.plotting import pdf_fonts
    from metapool.plotting import style
    from metapool.plotting import text

    path = style.FONT_DIR / style.FONT_FILES[weight]
    chars = set(bmp(pdf_fonts.BASE_TEXT)) | extra
    glyphs = {ord(c): text._glyph(weight, c) for c in chars}
    data, index_map = pdf_fonts.subset(FontPath(str(path), 0), {g for g, _ in glyphs.values()})
    widths = {cid: round(advance / text.UNITS * 1000) for cid, (_, advance) in glyphs.items()}
    gids = bytearray(2 * (max(glyphs) + 1))
    for cid, (g, _) in glyphs.items():
        gids[2 * cid:2 * cid + 2] = index_map.get(g, 0).to_bytes(2, "big")
    ft = text._font(weight)
    flags = (1 if FaceFlags.FIXED_WIDTH in ft.face_flags else 0) | 1 << 5 \
        | (1 << 6 if StyleFlags.ITALIC in ft.style_flags else 0)
    pclt = ft.get_sfnt_table("pclt") or {"capHeight": 0, "xHeight": 0}
    post = ft.get_sfnt_table("post") or {"italicAngle": (0, 0)}
    em = ft.units_per_EM / 1000
    angle = post["italicAngle"][0] + post["italicAngle"][1] / 65536
    name = f"{_tag(weight, chars)}+{ft.postscript_name}"
    descriptor = (f"/Type /FontDescriptor /FontName /{name} /Flags {flags} "
                  f"/FontBBox [{' '.join(str(_outward(v / em)) for v in ft.bbox)}] "
                  f"/Ascent {_outward(ft.ascender / em)} /Descent {_outward(ft.descender / em)} "
                  f"/CapHeight {_outward(pclt['capHeight'] / em)} /XHeight {round(pclt['xHeight'] / em)} "
                  f"/ItalicAngle {num(angle)} /StemV 0 /MaxWidth {max(widths.values())}")
    return Font(name, descriptor, _width_array(widths), data, bytes(gids), _to_unicode(glyphs))


def _stream(entries: str, data: bytes) -> bytes:
    packed = zlib.compress(data, 6)
    return f"<< {entries} /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode("ascii") \
        + packed + b"\nendstream"


@lru_cache(maxsize=64)
def _font_objects(f: Font, first: int) -> tuple[bytes, ...]:
    """Objects first .. first + 5: Type 0 font, CIDFont, descriptor, font file, CIDToGIDMap, ToUnicode."""
    return (
        f"<< /Type /Font /Subtype /Type0 /BaseFont /{f.name} /Encoding /Identity-H "
        f"/DescendantFonts [{first + 1} 0 R] /ToUnicode {first + 5} 0 R >>".encode("ascii"),
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{f.name} /CIDSystemInfo << /Registry (Adobe) "
        f"/Ordering (Identity) /Supplement 0 >> /FontDescriptor {first + 2} 0 R /W {f.widths} "
        f"/CIDToGIDMap {first + 4} 0 R >>".encode("ascii"),
        f"<< {f.descriptor} /FontFile2 {first + 3} 0 R >>".encode("ascii"),
        _stream(f"/Length1 {len(f.font_file)}", f.font_file),
        _stream("", f.cid_to_gid),
        _stream("", f.to_unicode),
    )



def document(width: float, height: float, content: Content) -> bytes:
    """A one-page PDF of `width` x `height` points showing `content`, with its fonts embedded."""
    from metapool.plotting import pdf_fonts

    base = set(bmp(pdf_fonts.BASE_TEXT))
    names, objects = [], []
    for weight in sorted(content.chars):
        first = 5 + len(objects)
        names.append(f"/F{weight} {first} 0 R")
        objects.extend(_font_objects(font(weight, frozenset(content.chars[weight] - base)), first))
    resources = f"<< /Font << {' '.join(names)} >> /ProcSet [/PDF /Text] >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {num(width)} {num(height)}] "
               f"/Resources {resources} /Contents 4 0 R >>".encode("ascii"),
               _stream("", content.finish()), *objects]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
