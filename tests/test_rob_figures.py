"""Risk-of-bias figures: render at k = 0, 1, 6 and 25 (synthetic judgments), deterministic bytes,
markers that differ by shape and glyph as well as colour."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from metapool.appraisal import rob2
from metapool.plotting import canvas as cv
from metapool.plotting.rob_figures import (FIGURES, draw_rob_figures, proportions, summary_figure,
                                           traffic_light_figure)
from metapool.plotting.rob_marker import FACE, GLYPH, SHAPE, SHAPE_SCALE, draw_judgment

from examples import example_result
from rob_examples import with_synthetic_rob

KS = (0, 1, 6, 25)
FORMATS = ("svg", "png")
NAMES = [f"{fig}-k{k}.{fmt}" for fig in FIGURES for k in KS for fmt in FORMATS]
DRAW = textwrap.dedent("""
    import sys
    from pathlib import Path
    from examples import example_result
    from rob_examples import with_synthetic_rob
    from metapool.plotting.rob_figures import FIGURES, draw_rob_figures
    out = Path(sys.argv[1])
    for k in (0, 1, 6, 25):
        pooled = example_result(max(k, 1), long_name=k == 25, seed=3)
        if k == 0:
            pooled.update(studies=[], k=0, k_total=0, random=None, title="No trial selected")
        pooled["studies"] = with_synthetic_rob(pooled["studies"])
        draw_rob_figures(pooled, {name: {f: out / f"{name}-k{k}.{f}" for f in ("svg", "png")} for name in FIGURES})
""")


def synthetic(k: int) -> dict:
    pooled = example_result(max(k, 1), long_name=k == 25, seed=3)
    if k == 0:
        pooled.update(studies=[], k=0, k_total=0, random=None)
    pooled["studies"] = with_synthetic_rob(pooled["studies"])
    return pooled


def draw(out: Path, **env) -> Path:
    out.mkdir()
    subprocess.run([sys.executable, "-c", DRAW, str(out)], check=True, cwd=out, timeout=300,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **env})
    return out


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("rob_figures")
    return draw(base / "a"), draw(base / "b", SOURCE_DATE_EPOCH="1234567890", MPLBACKEND="svg")


@pytest.mark.parametrize("name", NAMES)
def test_same_bytes_in_two_processes(two_runs, name):
    a, b = two_runs
    assert (a / name).read_bytes() == (b / name).read_bytes()


def test_text_stays_text_and_names_the_domains(two_runs):
    a, _ = two_runs
    svg = (a / "rob_traffic_light-k6.svg").read_text()
    assert "<text" in svg and "font-family: 'DejaVu Sans'" in svg and "<image" not in svg
    for name in rob2.DOMAIN_NAMES.values():
        assert name in svg
    for label in ("Low", "Some concerns", "High", "Not assessed", "Overall"):
        assert label in svg
    assert "AuthorF 2005 (TRIAL-06)" in svg
    summary = (a / "rob_summary-k25.svg").read_text()
    assert "D2 Deviations from intended interventions" in summary and "Overall risk of bias" in summary
    assert "No trial in this analysis." in (a / "rob_traffic_light-k0.svg").read_text()
    assert "there are no weights" in (a / "rob_summary_weight-k0.svg").read_text()


def test_png_at_300_dpi(two_runs):
    from PIL import Image

    a, _ = two_runs
    with Image.open(a / "rob_traffic_light-k25.png") as im:
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        tall = im.size[1]
    with Image.open(a / "rob_traffic_light-k6.png") as im:
        assert im.size[1] < tall  # the plot grows with the trials


def test_proportions_by_trials_and_by_weight():
    pooled = synthetic(6)
    by_trial = proportions(pooled["studies"])
    assert set(by_trial) == set(rob2.COLUMNS)
    for column in rob2.COLUMNS:
        assert sum(by_trial[column].values()) == pytest.approx(1.0)
    assert by_trial["overall"]["not assessed"] == pytest.approx(1 / 6)
    by_weight = proportions(pooled["studies"], weighted=True)
    pooled_studies = [s for s in pooled["studies"] if s["weight_random"]]
    total = sum(s["weight_random"] for s in pooled_studies)
    low = sum(s["weight_random"] for s in pooled_studies if s["rob"] and s["rob"]["overall"] == "low")
    assert by_weight["overall"]["low"] == pytest.approx(low / total)
    assert proportions([]) == {} and proportions([{"rob": None, "weight_random": None}], weighted=True) == {}


def test_nothing_assessed_is_all_not_assessed():
    pooled = example_result(6)
    shares = proportions(pooled["studies"])  # no rob key at all
    assert all(shares[c] == {"low": 0.0, "some concerns": 0.0, "high": 0.0, "not assessed": 1.0}
               for c in rob2.COLUMNS)


def test_markers_differ_without_colour():
    assert len({(SHAPE[j], GLYPH[j]) for j in rob2.LEVELS}) == len(rob2.LEVELS)
    assert len(set(SHAPE[j] for j in rob2.JUDGMENTS)) == 3  # circle, square, cross
    assert len(set(FACE.values())) == 4


@pytest.mark.parametrize("judgment, n", [("low", 3), ("some concerns", 2), ("high", 1), ("not assessed", 2)])
def test_draw_judgment_on_a_canvas(judgment, n):
    canvas = cv.Canvas(40, 40)
    assert draw_judgment(canvas, 20.0, 20.0, judgment, size=12.0) == n == len(canvas.items)
    (kind, data), *glyph = canvas.drawn()  # the shape first, its glyph above it
    assert kind == ("circle" if SHAPE[judgment] == "o" else "polygon")
    fill = data[3] if kind == "circle" else data[1]
    assert fill.lower() == FACE[judgment].lower()
    if kind == "circle":  # sized in points, centred where asked
        assert data[:3] == (20.0, 20.0, pytest.approx(6.0 * SHAPE_SCALE[judgment]))
    else:
        xs, ys = zip(*data[0])
        assert max(xs) - min(xs) == pytest.approx(12.0 * SHAPE_SCALE[judgment])
        assert (max(xs) + min(xs)) / 2 == pytest.approx(20.0) and (max(ys) + min(ys)) / 2 == pytest.approx(20.0)
    if GLYPH[judgment] == "?":
        (t,) = canvas.texts()
        x0, y0, x1, y1 = cv.text_box(t)
        assert t.text == "?" and x0 < 20.0 < x1 and y0 < 20.0 < y1
    with pytest.raises(ValueError):
        draw_judgment(canvas, 0, 0, "unclear")


def test_figures_render_in_process():
    for k in KS:
        pooled = synthetic(k)
        for canvas in (summary_figure(pooled["studies"], "t"), summary_figure(pooled["studies"], "t", True),
                       traffic_light_figure(pooled["studies"], "t")):
            assert isinstance(canvas, cv.Canvas)
            assert cv.to_svg(canvas).startswith(b"<?xml") and cv.to_png(canvas)[:4] == b"\x89PNG"


def test_unknown_figure(tmp_path):
    with pytest.raises(ValueError, match="unknown risk-of-bias figure"):
        draw_rob_figures(synthetic(1), {"rob_funnel": {"svg": tmp_path / "x.svg"}})


def test_the_weighted_summary_of_an_analysis_kept_apart_says_why_it_is_not_drawn():
    from metapool.plotting.rob_figures import FIGURES, KEPT_APART

    pooled = {**synthetic(6), "pool_subgroups": False}
    texts = " ".join(t.text for t in FIGURES["rob_summary_weight"](pooled, "T").texts())
    assert KEPT_APART.split(",")[0] in texts
    drawn = " ".join(t.text for t in FIGURES["rob_summary_weight"]({**pooled, "pool_subgroups": True}, "T").texts())
    assert "Shares of the random-effects weight" in drawn
