"""The canvas writers (SVG, PNG, PDF) and the font-metric text widths they share."""

import io
import re
import xml.dom.minidom

import numpy as np
import pytest
from PIL import Image

from examples import example_result
from metapool.plotting import canvas as cv
from metapool.plotting import style
from metapool.plotting import text
from metapool.plotting.forest_plot import build_layout, render
from metapool.plotting.page import Text


@pytest.fixture(scope="module")
def forest():
    return render(build_layout(example_result(6), {"show_fixed": True}))


def test_svg_is_xml_with_text_as_text(forest):
    svg = cv.to_svg(forest).decode("utf-8")
    doc = xml.dom.minidom.parseString(svg)
    texts = [n.firstChild.data for n in doc.getElementsByTagName("text") if n.firstChild]
    assert "Total, random effects (95% CI)" in " ".join(texts) and "Study" in texts
    assert "<image" not in svg and "DejaVu Sans" in svg
    assert doc.documentElement.getAttribute("viewBox") == f"0 0 {cv._n(forest.width)} {cv._n(forest.height)}"


def test_png_at_200_dpi(forest):
    png = cv.to_png(forest)
    assert b"pHYs" + (11811).to_bytes(4, "big") * 2 + b"\x01" in png
    image = Image.open(io.BytesIO(png))
    assert image.mode == "RGB"
    assert image.size == (int(forest.width * style.DPI / 72), int(forest.height * style.DPI / 72))
    pixels = np.asarray(image)
    assert pixels[0, 0].tolist() == [255, 255, 255] and pixels.min() == 0  # white page, black ink


def test_pdf_embeds_one_type42_font_per_weight_and_keeps_text(forest):
    pdf = cv.to_pdf(forest)
    assert pdf.startswith(b"%PDF") and b"CreationDate" not in pdf
    assert pdf.count(b"/FontFile2") == 2  # regular and bold, one fixed subset each
    assert b"/CIDFontType2" in pdf and b"/ToUnicode" in pdf


def test_every_writer_is_deterministic(forest):
    for write in (cv.to_svg, cv.to_png, cv.to_pdf):
        assert write(forest) == write(forest)


def test_widths_follow_the_fonts_layout():
    """text.width (advances + kerning pairs) agrees with HarfBuzz's layout of the string."""
    from matplotlib.ft2font import FT2Font, LoadFlags

    for weight in ("normal", "bold"):
        font = FT2Font(str(style.FONT_DIR / style.FONT_FILES[weight]))
        font.set_size(8.0, 72)
        for s in ("Total (95% CI)", "To 1.08 [0.80, 1.50]", "AuthorW 2022 (TRIAL-23)", "Tau\u00b2 = 0.0213"):
            items = list(font._layout(s, LoadFlags.NO_HINTING, features=style.TEXT_FEATURES))
            last = items[-1]
            font.load_glyph(last.glyph_index, flags=LoadFlags.NO_HINTING)
            expected = last.x + font.load_char(ord(s[-1]), flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536
            assert text.width(s, 8.0, weight) == pytest.approx(expected, rel=2e-3), s


def test_text_anchors_and_rotation():
    c = cv.Canvas(200, 100)
    c.text(Text("right", 150, 20, ha="right"))
    c.text(Text("centre", 100, 50, ha="center", va="top"))
    c.text(Text("up", 20, 50, ha="center", rotation=90.0))
    x0, y0, x1, y1 = cv.text_box(c.texts()[0])
    assert x1 == pytest.approx(150) and x0 == pytest.approx(150 - text.width("right"))
    assert cv.text_box(c.texts()[1])[1] == pytest.approx(50)
    svg = cv.to_svg(c).decode()
    assert "text-anchor: end" in svg and "rotate(-90" in svg
    ink = np.asarray(Image.open(io.BytesIO(cv.to_png(c))).convert("L")) < 128
    rows, cols = np.nonzero(ink[:, : int(40 * style.DPI / 72)])  # the rotated word: taller than wide
    assert np.ptp(rows) > np.ptp(cols)
    assert re.search(rb"\(up\)|<", cv.to_pdf(c)) is not None
