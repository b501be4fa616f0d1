"""Figures are byte-identical across processes, carry no dates or versions, and save atomically."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# the subprocess imports this checkout's metapool (workflow/), not an installed one
CODE_PATH = os.pathsep.join(str(Path(__file__).resolve().parents[i] / d)
                            for i, d in ((0, ""), (1, "workflow")))

import matplotlib
import pytest

from metapool.plotting.save import atomic_write

FORMATS = ("svg", "png", "pdf")
DRAW = textwrap.dedent("""
    import sys
    from pathlib import Path
    from metapool.plotting.forest_plot import draw_forest
    from examples import example_result
    from metapool.plotting.summary_forest import draw_summary
    from metapool.pipeline.summary_rows import summary_row
    out = Path(sys.argv[1])
    fmts = ("svg", "png", "pdf")
    results = [example_result(6, subgroups=True), example_result(25, long_name=True, seed=3)]
    draw_forest(results[0], {f: out / f"sub.{f}" for f in fmts}, {"show_fixed": True})
    draw_forest(results[1], {f: out / f"long.{f}" for f in fmts})
    draw_summary([summary_row(r) for r in results], {f: out / f"summary.{f}" for f in fmts},
                 title="Summary")
""")
NAMES = [f"{n}.{f}" for n in ("sub", "long", "summary") for f in FORMATS]


def draw_in_subprocess(out: Path, **env) -> None:
    out.mkdir()
    subprocess.run([sys.executable, "-c", DRAW, str(out)], check=True, cwd=out,
                   env={**os.environ, "PYTHONPATH": CODE_PATH, **env}, timeout=300)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("determinism")
    draw_in_subprocess(base / "a")
    draw_in_subprocess(base / "b", SOURCE_DATE_EPOCH="1234567890", MPLBACKEND="svg")
    return base / "a", base / "b"


@pytest.mark.parametrize("name", NAMES)
def test_same_bytes_in_two_processes(two_runs, name):
    a, b = two_runs
    assert (a / name).read_bytes() == (b / name).read_bytes()


def test_no_dates_or_versions(two_runs):
    a, _ = two_runs
    version = matplotlib.__version__.encode()
    for name in NAMES:
        data = (a / name).read_bytes()
        assert version not in data, name
        for field in (b"CreationDate", b"ModDate", b"Producer", b"<dc:date>", b"Software"):
            assert field not in data, (name, field)


def test_text_stays_text(two_runs):
    a, _ = two_runs
    svg = (a / "sub.svg").read_text()
    assert "<text" in svg and "font-family: 'DejaVu Sans'" in svg and "Subtotal" in svg
    pdf = (a / "sub.pdf").read_bytes()
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf  # TrueType (Type 42), not outlines
    assert (a / "sub.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_at_200_dpi(two_runs):
    from PIL import Image

    a, _ = two_runs
    with Image.open(a / "sub.png") as im:
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "figure.svg"
    target.write_bytes(b"old")

    def fail(fh):
        fh.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["figure.svg"]
    atomic_write(target, lambda fh: fh.write(b"new"))
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["figure.svg"]
