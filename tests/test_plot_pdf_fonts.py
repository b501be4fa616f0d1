"""The cached fixed-subset PDF font embedding (metapool.plotting.pdf_fonts) keeps every glyph right."""

from io import BytesIO

import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager

from metapool.plotting import pdf_fonts


@pytest.fixture(scope="module")
def dejavu():
    return font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=False)


def glyph_ids(path, text):
    with TTFont(path, lazy=True) as font:
        cmap = font.getBestCmap()
        return {font.getGlyphID(cmap[ord(c)]) for c in text}


def outlines(font_bytes_or_path, gids):
    font = TTFont(BytesIO(font_bytes_or_path) if isinstance(font_bytes_or_path, bytes) else font_bytes_or_path)
    order = font.getGlyphOrder()
    glyf = font["glyf"]
    return [glyf[order[g]].getCoordinates(glyf)[0].array.tolist() if glyf[order[g]].numberOfContours else []
            for g in gids]


def test_cached_subset_maps_every_glyph_to_its_own_outline(dejavu):
    text = "Legrand 2025 (I-MICRO) RR [95% CI] 1.08 \u2264 \u03c4\u00b2 I\u00b2 \u2212 \u00b9"
    wanted = sorted(glyph_ids(dejavu, text))
    data, index = pdf_fonts.subset(dejavu, wanted)
    assert data is pdf_fonts._base(dejavu)[1]  # the cache answered
    assert outlines(data, [index[g] for g in wanted]) == outlines(dejavu, wanted)


def test_same_bytes_every_time(dejavu):
    first, _ = pdf_fonts.subset(dejavu, glyph_ids(dejavu, "abc"))
    again, _ = pdf_fonts.subset(dejavu, glyph_ids(dejavu, "xyz"))
    assert first == again


def test_glyphs_outside_the_fixed_set_are_added(dejavu):
    wanted = glyph_ids(dejavu, "A\u03a9")  # Omega is not in BASE_TEXT
    data, index = pdf_fonts.subset(dejavu, wanted)
    assert data is not pdf_fonts._base(dejavu)[1]
    assert outlines(data, [index[g] for g in sorted(wanted)]) == outlines(dejavu, sorted(wanted))
