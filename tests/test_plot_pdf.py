"""The PDF writer (metapool.plotting.pdf) behind canvas.to_pdf: text is text, fonts embedded, bytes fixed."""

import re
import shutil
import subprocess
import sys
import zlib
from io import BytesIO

import pytest
from fontTools.ttLib import TTFont

from examples import example_result
from metapool.plotting import canvas as cv
from metapool.plotting import pdf
from metapool.plotting import style
from metapool.plotting import text
from metapool.plotting.forest_plot import build_layout, render
from metapool.plotting.page import Text


@pytest.fixture(scope="module")
def forest():
    return render(build_layout(example_result(6), {"show_fixed": True}))


def objects(data: bytes) -> dict[int, bytes]:
    """Object number -> body (a stream's data decompressed)."""
    out = {}
    for m in re.finditer(rb"(\d+) 0 obj\n(.*?)\nendobj\n", data, re.S):
        body = m.group(2)
        stream = re.match(rb"(<<.*?>>)\nstream\n(.*)\nendstream$", body, re.S)
        out[int(m.group(1))] = body if stream is None else stream.group(1) + b"\n" + zlib.decompress(stream.group(2))
    return out


def shown_strings(content: bytes) -> list[str]:
    """The text of each TJ array (CIDs are UTF-16 code units)."""
    return ["".join(bytes.fromhex(h.decode()).decode("utf-16-be") for h in re.findall(rb"<([0-9a-f]+)>", tj))
            for tj in re.findall(rb"\[(<[^\]]*)\] TJ", content)]


def fonts(data: bytes) -> dict[str, dict]:
    """Per resource name (/Fnormal ...): the embedded font, its CID -> GID map, widths and ToUnicode."""
    objs = objects(data)
    out = {}
    for name, num in re.findall(rb"/F(\w+) (\d+) 0 R", objs[3]):
        type0 = objs[int(num)]
        cid_font = objs[int(re.search(rb"/DescendantFonts \[(\d+) 0 R\]", type0).group(1))]
        descriptor = objs[int(re.search(rb"/FontDescriptor (\d+) 0 R", cid_font).group(1))]
        font_file = objs[int(re.search(rb"/FontFile2 (\d+) 0 R", descriptor).group(1))].split(b"\n", 1)[1]
        gids = objs[int(re.search(rb"/CIDToGIDMap (\d+) 0 R", cid_font).group(1))].split(b"\n", 1)[1]
        cmap = objs[int(re.search(rb"/ToUnicode (\d+) 0 R", type0).group(1))]
        widths = {}
        for first, run in re.findall(rb"(\d+) \[([\d ]+)\]", re.search(rb"/W \[(.*)\] /CIDToGIDMap", cid_font).group(1)):
            widths.update({int(first) + i: int(w) for i, w in enumerate(run.split())})
        out[name.decode()] = {"font": TTFont(BytesIO(font_file)), "gid": lambda cid, g=gids: int.from_bytes(g[2 * cid:2 * cid + 2], "big"),
                              "widths": widths, "cmap": cmap, "cid_font": cid_font}
    return out


def to_unicode(cmap: bytes) -> dict[int, str]:
    """CID -> text of a ToUnicode CMap's bfrange entries (<first> <last> <first text>)."""
    out = {}
    for a, z, b in re.findall(rb"<([0-9a-f]{4})> <([0-9a-f]{4})> <([0-9a-f]{4})>", cmap):
        out.update({c: chr(int(b, 16) + c - int(a, 16)) for c in range(int(a, 16), int(z, 16) + 1)})
    return out


def outline(font: TTFont, gid: int):
    glyf, name = font["glyf"], font.getGlyphOrder()[gid]
    return glyf[name].getCoordinates(glyf)[0].array.tolist() if glyf[name].numberOfContours else []


def test_every_line_of_text_is_shown_as_text(forest):
    data = cv.to_pdf(forest)
    content = objects(data)[4]
    lines = [line for t in forest.texts() for line in t.text.split("\n") if line]
    assert shown_strings(content) == lines
    assert b"/Info" not in data and b"CreationDate" not in data and b"Producer" not in data


def test_each_character_maps_to_its_own_glyph_width_and_unicode():
    c = cv.Canvas(200, 60)
    c.text(Text("Legrand 2025 (\u03c4\u00b2 \u2264 1.08) \u03a9", 10, 10))  # Omega: outside the fixed subset
    c.text(Text("Total", 10, 30, weight="bold"))
    embedded = fonts(cv.to_pdf(c))
    assert sorted(embedded) == ["bold", "normal"]
    for weight, sample in (("normal", "Legrand 2025 (\u03c4\u00b2 \u2264 1.08) \u03a9"), ("bold", "Total")):
        f = embedded[weight]
        original = TTFont(style.FONT_DIR / style.FONT_FILES[weight])
        cmap = original.getBestCmap()
        for ch in set(sample):
            cid = ord(ch)
            assert outline(f["font"], f["gid"](cid)) == outline(original, original.getGlyphID(cmap[cid])), ch
            assert f["widths"][cid] == round(text._glyph(weight, ch)[1] / text.UNITS * 1000)
            assert to_unicode(f["cmap"])[cid] == ch


def test_kerning_is_written_as_tj_adjustments():
    c = cv.Canvas(100, 30)
    c.text(Text("To", 10, 10))
    kern = text._kern("normal", text._glyph("normal", "T")[0], text._glyph("normal", "o")[0])
    assert kern < 0
    assert f"[<0054> {pdf.num(-1000 * kern / text.UNITS)} <006f>] TJ".encode() in objects(cv.to_pdf(c))[4]


def test_cross_references_point_at_their_objects(forest):
    data = cv.to_pdf(forest)
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
    entries = re.findall(rb"(\d{10}) 00000 n ", data[start:])
    assert entries and all(data[int(o):].startswith(b"%d 0 obj" % i) for i, o in enumerate(entries, 1))


def test_same_bytes_in_a_fresh_process(forest):
    script = ("import sys; sys.path.insert(0, 'tests'); from examples import example_result; "
              "from metapool.plotting import canvas as cv; from metapool.plotting.forest_plot import build_layout, render; "
              "sys.stdout.buffer.write(cv.to_pdf(render(build_layout(example_result(6), {'show_fixed': True}))))")
    fresh = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True).stdout
    assert fresh == cv.to_pdf(forest)


def test_clip_groups_restore_the_graphics_state():
    out = pdf.Content()
    out.set_clip((0, 0, 10, 10))
    out.fill_colour((1.0, 0.0, 0.0))
    out.set_clip(None)
    out.fill_colour((1.0, 0.0, 0.0))  # the colour set inside q ... Q is gone after Q
    assert out.finish() == b"1 j\nq 0 0 10 10 re W n\n1 0 0 rg\nQ\n1 0 0 rg\n"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_a_viewer_extracts_the_text(forest, tmp_path):
    (tmp_path / "forest.pdf").write_bytes(cv.to_pdf(forest))
    out = subprocess.run(["pdftotext", str(tmp_path / "forest.pdf"), "-"], capture_output=True, text=True, check=True)
    assert "Total, random effects (95% CI)" in out.stdout and out.stderr == ""


def test_a_character_beyond_the_bmp_is_shown_as_the_replacement_character():
    c = cv.Canvas(100, 30)
    c.text(Text("a\U0001F600b", 10, 10))
    assert shown_strings(objects(cv.to_pdf(c))[4]) == ["a\ufffdb"]
