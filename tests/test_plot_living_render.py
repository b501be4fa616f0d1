"""Living-review figures render for k = 0, 1, 2, 6, 12 and long names, keep text as text, and are
byte-identical when drawn in two processes."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from examples import synthetic_studies
from metapool.plotting.living_figures import FIGURES, draw_living_figures
from metapool.engine.pool import pool_studies
from metapool.living import run_living

PNG_300_DPI = b"pHYs" + (11811).to_bytes(4, "big") * 2 + b"\x01"  # 300 dpi = 7874 px per metre


def analysis(k, long_name=False, seed=1, small_study_min_k=10):
    """pooled.json and living.json dicts as the workflow writes them (study = label)."""
    studies = synthetic_studies(k, seed=seed, long_name=long_name)
    for s in studies:
        s["study"] = s["label"]
    pooled = pool_studies(studies, ci_method="hksj")
    pooled.update(analysis=f"k{k}", title=f"All-cause mortality at 28 days: {k} synthetic trials")
    sens = run_living(studies, ci_method="hksj", small_study_min_k=small_study_min_k)
    return json.loads(json.dumps(pooled)), json.loads(json.dumps(sens))


def draw(out: Path, k: int, **kw) -> dict[str, dict[str, Path]]:
    pooled, sens = analysis(k, **kw)
    paths = {f: {"svg": out / f"{f}.svg", "png": out / f"{f}.png"} for f in FIGURES}
    draw_living_figures(pooled, sens, {"treatment_label": None, "control_label": None}, paths)
    return paths


@pytest.mark.parametrize("k,long_name", [(0, False), (1, False), (2, True), (6, True), (12, False)])
def test_every_figure_renders(tmp_path, k, long_name):
    paths = draw(tmp_path, k, long_name=long_name)
    for figure, files in paths.items():
        png = files["png"].read_bytes()
        assert png.startswith(b"\x89PNG") and PNG_300_DPI in png, figure
        svg = files["svg"].read_text(encoding="utf-8")
        assert f"All-cause mortality at 28 days: {k} synthetic trials" in svg, figure  # text stays text
        assert "DejaVu Sans" in svg and "<image" not in svg, figure


def svg_text(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("&apos;", "'")


def test_missing_analyses_say_why(tmp_path):
    paths = draw(tmp_path, 0)
    assert "No cumulative meta-analysis (k = 0" in svg_text(paths["cumulative"]["svg"])
    assert "No leave-one-out analysis (k = 0" in svg_text(paths["leave1out"]["svg"])
    assert "No funnel plot" in svg_text(paths["funnel"]["svg"])
    assert "No trial sequential analysis" in svg_text(paths["tsa"]["svg"])
    paths = draw(tmp_path / "k2", 2)
    assert "Leave-one-out analysis needs at least 3 studies" in svg_text(paths["leave1out"]["svg"])


def test_figures_show_their_numbers(tmp_path):
    paths = draw(tmp_path, 12)
    pooled, sens = analysis(12)
    cumulative = svg_text(paths["cumulative"]["svg"])
    assert "+ AuthorL 2011 (TRIAL-12)" in cumulative
    leave1out = svg_text(paths["leave1out"]["svg"])
    assert f"All trials (k = {pooled['k']})" in leave1out
    funnel = svg_text(paths["funnel"]["svg"])
    assert "Egger&#39;s test" in funnel or "Egger's test" in funnel
    tsa = svg_text(paths["tsa"]["svg"])
    assert f"RIS = {sens['tsa']['ris']:,.0f}" in tsa
    assert sens["tsa"]["conclusion"].split(":")[0][:40] in tsa


def funnel_drawn(svg: str) -> bool:
    """Whether the SVG holds a funnel: its axis label and the pseudo 95% limits' legend."""
    return "Standard error of ln RR" in svg and "Pseudo 95% limits" in svg


@pytest.mark.parametrize("k", [1, 2, 6])
def test_below_ten_trials_a_sentence_replaces_the_funnel(tmp_path, k):
    paths = draw(tmp_path, k)
    _, sens = analysis(k)
    n = sens["small_study"]["k"]
    svg = svg_text(paths["funnel"]["svg"])
    assert f"No funnel plot: {n} trial{'s' * (n != 1)}, fewer than the 10" in svg
    assert "Cochrane" in svg and not funnel_drawn(svg) and "Egger's test (" not in svg


def test_from_ten_trials_the_funnel_is_drawn(tmp_path):
    paths = draw(tmp_path, 12)
    svg = svg_text(paths["funnel"]["svg"])
    assert funnel_drawn(svg) and "No funnel plot" not in svg and "Egger's test (" in svg


def test_the_minimum_is_the_analysis_setting(tmp_path):
    """living.small_study_min_k: 4 draws the funnel and runs the tests for 4 estimable trials."""
    paths = draw(tmp_path, 6, small_study_min_k=4)
    _, sens = analysis(6, small_study_min_k=4)
    assert sens["small_study"]["k"] == 4
    assert sens["small_study"]["run"] and sens["egger_rma"] is not None and sens["trimfill"] is not None
    svg = svg_text(paths["funnel"]["svg"])
    assert funnel_drawn(svg) and "Egger's test (" in svg


def test_unknown_figure_is_an_error(tmp_path):
    pooled, sens = analysis(2)
    with pytest.raises(ValueError, match="unknown living-review figure"):
        draw_living_figures(pooled, sens, {}, {"galaxy": {"svg": tmp_path / "g.svg"}})


DRAW = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path[:0] = [sys.argv[2], str(Path(sys.argv[2]).parent / "workflow")]
    from test_plot_living_render import draw
    out = Path(sys.argv[1])
    for k in (1, 12):
        (out / str(k)).mkdir(parents=True)
        draw(out / str(k), k, long_name=k == 1)
""")


def test_same_bytes_in_two_processes(tmp_path):
    for run, env in (("a", {}), ("b", {"SOURCE_DATE_EPOCH": "1234567890", "MPLBACKEND": "svg"})):
        subprocess.run([sys.executable, "-c", DRAW, str(tmp_path / run), str(Path(__file__).parent)],
                       check=True, cwd=tmp_path, env={**os.environ, **env}, timeout=300)
    names = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    assert len(names) == 2 * len(FIGURES) * 2
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
