"""sof.html, changes.html and the Snakemake report in a real browser (headless Chromium, the
Debian package `chromium`) at a phone's 390 px and a desktop's 1,280 px: the page is laid out
at the window's width (viewport tag) and nothing makes the document wider than the window
(document.documentElement.scrollWidth <= window width; a wide table scrolls in its own box).

The pages are rendered from synthetic rows here, and results/ pages are checked as committed;
the report is checked when METAPOOL_REPORT_HTML names one (.ci/run builds it with
`snakemake --report`). Skipped, saying why, only when chromium is not installed (CI installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTHS = (390, 1280)
# Chromium's headless window is at least 500 px wide, so the page is laid out in an iframe of the
# width under test (its layout viewport); the wrapper reports the framed document's scroll width.
FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" src="{src}" style="border:0;width:{width}px;height:900px"></iframe>
<script>
document.getElementById('page').addEventListener('load', () => setTimeout(() => {{
  const w = document.getElementById('page').contentWindow;
  const m = document.createElement('pre'); m.id = 'layout-probe';
  m.textContent = 'PROBE ' + w.document.documentElement.scrollWidth + ' ' + w.innerWidth;
  document.body.appendChild(m);
}}, 1500));
</script></body></html>"""

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium); "
                             ".ci/run installs it")


def layout(page: Path, width: int, tmp: Path) -> tuple[int, int]:
    """(document scroll width, layout viewport width) of `page` framed at `width` px in
    headless Chromium."""
    frame = tmp / f"frame-{width}-{page.name}"
    frame.write_text(FRAME.format(src=page.resolve().as_uri(), width=width), encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--allow-file-access-from-files", "--disable-web-security",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", "--window-size=1400,1000",
             "--virtual-time-budget=10000", "--dump-dom", frame.as_uri()],
            capture_output=True, text=True, timeout=180, check=True).stdout
    found = re.search(r"PROBE (\d+) (\d+)", out)
    assert found, f"{page.name}: the layout probe did not run at {width} px"
    return int(found.group(1)), int(found.group(2))


def sof_page(tmp: Path) -> Path:
    from metapool.appraisal.sof_render import to_html
    from metapool.appraisal.sof import SofRow

    pooled = __import__("json").loads(
        (ROOT / "results" / "vasopressin_vs_norepinephrine_mortality" / "pooled.json")
        .read_text(encoding="utf-8"))
    rows = [SofRow.from_dict(pooled["sof"][0])] * 3
    path = tmp / "sof.html"
    path.write_text(to_html(rows), encoding="utf-8")
    return path


def changes_page(tmp: Path) -> Path:
    from metapool.versions.html import to_html

    markdown = ("# What changed\n\nA paragraph with `a_very_long_analysis_name_without_any_break_"
                "points_at_all_vs_another_comparator_mortality`.\n\n"
                "| analysis | trials | estimate before | estimate now | CI before | CI now | "
                "conclusion |\n|---|---|---|---|---|---|---|\n"
                + "| vasopressin_vs_norepinephrine_mortality | 2 -> 3 | 0.93 | 0.91 | "
                  "[0.64, 1.37] | [0.70, 1.18] | the CI no longer excludes the null |\n" * 3)
    path = tmp / "changes.html"
    path.write_text(to_html(markdown), encoding="utf-8")
    return path


PAGES = {
    "sof.html (rendered)": sof_page,
    "changes.html (rendered)": changes_page,
    "results/sof.html": lambda tmp: ROOT / "results" / "sof.html",
    "results/changes.html": lambda tmp: ROOT / "results" / "changes.html",
}


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_the_window(name, width, tmp_path):
    page = PAGES[name](tmp_path)
    if not page.exists():
        pytest.skip(f"{page} not built")
    assert '<meta name="viewport" content="width=device-width' in page.read_text(encoding="utf-8")
    scroll, inner = layout(page, width, tmp_path)
    assert inner == width
    assert scroll <= width, f"{name} is {scroll} px wide in a {width} px window"


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_report_fits_the_window(width, tmp_path):
    report = os.environ.get("METAPOOL_REPORT_HTML")
    if not report:
        pytest.skip("METAPOOL_REPORT_HTML not set (.ci/run builds the report and sets it)")
    scroll, inner = layout(Path(report), width, tmp_path)
    assert scroll <= inner, f"report.html is {scroll} px wide in a {inner} px window"
