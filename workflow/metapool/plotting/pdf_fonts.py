"""Type 42 font embedding for PDFs with one fixed glyph subset per font, built once per process.

Subsetting a TrueType font with fontTools costs about 0.1 s per font (most of it in the OpenType
layout tables, which the fixed subset drops: a PDF never shapes text). Here the glyphs of BASE_TEXT
(printable ASCII, Latin-1 letters and the symbols the figures use) form a fixed subset, made once
and reused: `subset` gives it (plus any glyph outside it) to the canvas PDF writer (pdf.py). The
PDFs stay Type 42 (CID TrueType with a ToUnicode map: text is text, as journals require), and
their bytes stay deterministic (the same fixed subset every time).
"""

from __future__ import annotations

from io import BytesIO

BASE_TEXT = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x100))
    + "\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2032\u2212\u2264\u2265\u00b1\u00d7"
    + "\u00b2\u00b9\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079\u03c4\u03c7\u221a\u2020\u2021"
)

_cache: dict[tuple[str, int], tuple[frozenset, bytes, dict]] = {}


def _base(fontfile) -> tuple[frozenset, bytes, dict]:
    key = (str(fontfile), getattr(fontfile, "face_index", 0))
    if key not in _cache:
        from fontTools.ttLib import TTFont

        with TTFont(str(fontfile), fontNumber=key[1], lazy=True) as font:
            cmap = font.getBestCmap()
            gids = frozenset(font.getGlyphID(cmap[ord(ch)]) for ch in BASE_TEXT if ord(ch) in cmap) | {0}
        _cache[key] = (gids, *_fixed_subset(fontfile, gids))
    return _cache[key]


# matplotlib's get_glyphs_subset drops these tables; the fixed subset also drops the OpenType
# layout tables: a PDF draws the glyphs it is given and never shapes text, and subsetting
# GSUB/GPOS was about 0.1 of the 0.12 s each font cost every fresh job.
_DROPPED_TABLES = ("FFTM", "PfEd", "BDF", "meta", "MERG", "TSIV", "Zapf", "bdat", "bloc", "cidg", "fdsc",
                   "feat", "fmtx", "fond", "just", "kerx", "ltag", "morx", "trak", "xref", "GSUB", "GPOS", "GDEF")


def _fixed_subset(fontfile, gids) -> tuple[bytes, dict]:
    """(TrueType bytes, original -> subset glyph index): matplotlib's subsetting (fontTools,
    glyph names, recommended glyphs) of ``gids`` without the layout tables."""
    from fontTools import subset as fts

    options = fts.Options(glyph_names=True, recommended_glyphs=True)
    options.drop_tables += list(_DROPPED_TABLES)
    options.font_number = getattr(fontfile, "face_index", 0)
    out = BytesIO()
    with fts.load_font(str(fontfile), options) as font:
        subsetter = fts.Subsetter(options=options)
        subsetter.populate(gids=gids)
        subsetter.subset(font)
        font.save(out, reorderTables=False)  # as matplotlib's font_as_file
    return out.getvalue(), dict(subsetter.glyph_index_map)


def subset(fontfile, glyphs) -> tuple[bytes, dict]:
    """(TrueType bytes, original -> subset glyph index) of the fixed subset, or, when ``glyphs``
    are not all in it, of the fixed subset's glyphs and ``glyphs`` (not cached)."""
    gids, data, index_map = _base(fontfile)
    if set(glyphs) <= gids:
        return data, index_map
    return _fixed_subset(fontfile, gids | set(glyphs))
