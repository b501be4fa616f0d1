"""Type 42 font embedding for PDFs with one fixed glyph subset per font, built once per process.

matplotlib subsets every embedded TrueType font to the glyphs a figure uses, with fontTools, on
each PDF save: about 0.1 s per font, two thirds of a forest plot's PDF time and a third of all
drawing time at 1,000 analyses. Here a font whose requested glyphs all lie in a fixed set (the
glyphs of BASE_TEXT: printable ASCII, Latin-1 letters and the symbols the figures use) embeds that
fixed subset, made once and reused; any other request falls back to matplotlib's own subsetting.
The PDF stays Type 42 (CID TrueType with a ToUnicode map: text is text, as journals require), and
its bytes stay deterministic (the same fixed subset every time).

This wraps two private helpers of matplotlib.backends._backend_pdf_ps (get_glyphs_subset,
font_as_file) at the matplotlib version pinned in constraints.txt; ``install`` does nothing when
they are not there.
"""

from __future__ import annotations

from contextlib import contextmanager
from io import BytesIO

from matplotlib.backends import _backend_pdf_ps as pdfps

BASE_TEXT = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x100))
    + "\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2032\u2212\u2264\u2265\u00b1\u00d7"
    + "\u00b2\u00b9\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079\u03c4\u03c7\u221a\u2020\u2021"
)

_original_subset = pdfps.get_glyphs_subset
_original_as_file = pdfps.font_as_file
_cache: dict[tuple[str, int], tuple[frozenset, bytes, dict]] = {}


class _Subset:
    """Stands in for the TTFont of a cached subset: font_as_file returns its bytes."""

    def __init__(self, data: bytes):
        self.data = data


def _base(fontfile) -> tuple[frozenset, bytes, dict]:
    key = (str(fontfile), getattr(fontfile, "face_index", 0))
    if key not in _cache:
        from fontTools.ttLib import TTFont

        with TTFont(str(fontfile), fontNumber=key[1], lazy=True) as font:
            cmap = font.getBestCmap()
            gids = frozenset(font.getGlyphID(cmap[ord(ch)]) for ch in BASE_TEXT if ord(ch) in cmap) | {0}
        with _original_subset(fontfile, gids) as sub:
            data = _original_as_file(sub.font).getvalue()
            _cache[key] = (gids, data, dict(sub.glyph_index_map))
    return _cache[key]


def get_glyphs_subset(fontfile, glyphs):
    """The fixed subset when it covers ``glyphs``, else matplotlib's subset of exactly ``glyphs``."""
    gids, data, index_map = _base(fontfile)
    wanted = set(glyphs)
    if not wanted <= gids:
        return _original_subset(fontfile, glyphs)

    @contextmanager
    def results():
        yield pdfps.SubsetResults(_Subset(data), index_map)

    return results()


def font_as_file(font):
    """Bytes of a cached subset, or matplotlib's conversion of a fontTools font."""
    if isinstance(font, _Subset):
        return BytesIO(font.data)
    return _original_as_file(font)


def install() -> bool:
    """Route matplotlib's PDF font subsetting through the cache; False if matplotlib lacks the hooks."""
    if not hasattr(pdfps, "SubsetResults"):
        return False
    pdfps.get_glyphs_subset = get_glyphs_subset
    pdfps.font_as_file = font_as_file
    return True


class _Item:
    """A laid-out glyph as matplotlib's LayoutItem (what RendererPdf.draw_text reads)."""

    __slots__ = ("ft_object", "char", "glyph_index", "x", "y", "prev_kern")

    def __init__(self, ft_object, char, glyph_index, x, prev_kern):
        self.ft_object, self.char, self.glyph_index = ft_object, char, glyph_index
        self.x, self.y, self.prev_kern = x, 0.0, prev_kern


_WEIGHT_OF_FILE: dict[str, str] = {}


def _weight(fname: str) -> str | None:
    if not _WEIGHT_OF_FILE:
        from metapool.plotting import style

        _WEIGHT_OF_FILE.update({str(style.FONT_DIR / f): w for w, f in style.FONT_FILES.items()})
    return _WEIGHT_OF_FILE.get(str(fname))


def cached_layout(string, font, *, features=None, language=None):
    """matplotlib._text_helpers.layout for the bundled fonts without ligatures, from the
    advance widths and kerning pairs text.py reads once per glyph (HarfBuzz shaping of every
    string was most of a PDF's time); anything else goes to matplotlib's own layout."""
    from metapool.plotting import style
    from metapool.plotting import text

    weight = _weight(font.fname)
    if weight is None or language or tuple(features or ()) != tuple(style.TEXT_FEATURES):
        yield from _original_layout(string, font, features=features, language=language)
        return
    scale = _CURRENT["size"] / text.UNITS
    x, previous = 0.0, None
    for ch in string:
        index, advance = text._glyph(weight, ch)
        kern = text._kern(weight, previous, index) * scale if previous is not None else 0.0
        x += kern
        yield _Item(font, ch, index, x, kern)
        x += advance * scale
        previous = index


_CURRENT = {"size": 10.0}  # point size of the text being drawn (FT2Font does not tell)


def text_size(size: float) -> None:
    """The point size of the next RendererPdf.draw_text call (for cached_layout)."""
    _CURRENT["size"] = size


@contextmanager
def fast_text():
    """Route RendererPdf's text layout through cached_layout while drawing (call text_size
    before each draw_text)."""
    import matplotlib._text_helpers as helpers

    saved = helpers.layout
    helpers.layout = cached_layout
    try:
        yield
    finally:
        helpers.layout = saved


try:
    import matplotlib._text_helpers as _helpers

    _original_layout = _helpers.layout
except ImportError:  # pragma: no cover
    _original_layout = None
