"""The cached fixed-subset PDF font embedding (metapool.plotting.pdf_fonts) keeps every glyph right."""

from io import BytesIO

import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.backends import _backend_pdf_ps as pdfps

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


def test_hooks_are_installed_for_matplotlib_pdfs():
    pdf_fonts.install()
    assert pdfps.get_glyphs_subset is pdf_fonts.get_glyphs_subset
    assert pdfps.font_as_file is pdf_fonts.font_as_file


def test_cached_subset_maps_every_glyph_to_its_own_outline(dejavu):
    text = "Legrand 2025 (I-MICRO) RR [95% CI] 1.08 \u2264 \u03c4\u00b2 I\u00b2 \u2212 \u00b9"
    wanted = sorted(glyph_ids(dejavu, text))
    with pdf_fonts.get_glyphs_subset(dejavu, wanted) as sub:
        data = pdf_fonts.font_as_file(sub.font).getvalue()
        index = sub.glyph_index_map
    assert isinstance(sub.font, pdf_fonts._Subset)  # the cache answered
    assert outlines(data, [index[g] for g in wanted]) == outlines(dejavu, wanted)


def test_same_bytes_every_time(dejavu):
    wanted = glyph_ids(dejavu, "abc")
    first = pdf_fonts.font_as_file(pdf_fonts.get_glyphs_subset(dejavu, wanted).__enter__().font).getvalue()
    again = pdf_fonts.font_as_file(pdf_fonts.get_glyphs_subset(dejavu, glyph_ids(dejavu, "xyz")).__enter__().font)
    assert first == again.getvalue()


def test_glyphs_outside_the_fixed_set_use_matplotlibs_subsetting(dejavu):
    wanted = glyph_ids(dejavu, "A\u03a9")  # Omega is not in BASE_TEXT
    with pdf_fonts.get_glyphs_subset(dejavu, wanted) as sub:
        assert not isinstance(sub.font, pdf_fonts._Subset)
        data = pdf_fonts.font_as_file(sub.font).getvalue()
        index = sub.glyph_index_map
    assert outlines(data, [index[g] for g in sorted(wanted)]) == outlines(dejavu, sorted(wanted))
