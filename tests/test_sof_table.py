"""Summary of findings: the numbers are the engine's, the renderings are stable and self-contained."""

from __future__ import annotations

import html.parser
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import re

import pytest

from metapool.living.absolute import absolute_effects

from metapool.appraisal.grade import grade_certainty
from metapool.appraisal.sof import SofRow, difference_text, sof_row, texts, whole
from metapool.appraisal.sof_render import HEADERS, TSV_COLUMNS, footnotes, to_html, to_markdown, to_tsv
from metapool.engine.render import fmt
from metapool.engine.subgroups import subgroup_parts
from metapool.measures import registry

ROOT = Path(__file__).resolve().parents[1]
ANALYSES = sorted(p.name for p in (ROOT / "results").iterdir() if (p / "pooled.json").exists())


def load(analysis: str) -> tuple[dict, dict]:
    folder = ROOT / "results" / analysis
    return (json.loads((folder / "pooled.json").read_text()), json.loads((folder / "living.json").read_text()))


def real_rows() -> list[SofRow]:
    rows = []
    for analysis in ANALYSES:
        pooled, living = load(analysis)
        rows.append(sof_row(pooled, living, grade_certainty(pooled, living)))
    return rows


@pytest.mark.parametrize("analysis", ANALYSES)
def test_numbers_equal_the_engines(analysis):
    pooled, living = load(analysis)
    if pooled.get("pool_subgroups") is False:  # kept apart by subgroup: each subgroup is its own row
        for part, part_living in zip(subgroup_parts(pooled), living["subgroups"]):
            if part["k"]:
                numbers_equal_the_engines(part, part_living)
        return
    numbers_equal_the_engines(pooled, living)


def numbers_equal_the_engines(pooled, living):
    certainty = grade_certainty(pooled, living)
    row = sof_row(pooled, living, certainty)
    random = pooled["random"]
    if random is None:
        assert (row.est, row.ci_lb, row.ci_ub) == (None, None, None) and row.certainty is None
        assert texts(row)["relative"] == "\u2014" and texts(row)["certainty"] == "not graded"  # k = 0
        assert texts(row)["participants"].startswith("no trial with usable data")
        return
    declared = pooled.get("conclusion") or {"natural": random["natural"], "source": "random", "widened": False}
    natural = declared["natural"]  # the declared interval (engine.conclusion)
    assert (row.est, row.ci_lb, row.ci_ub) == (natural["est"], natural["ci_lb"], natural["ci_ub"])
    assert row.trials == pooled["k"] and row.trials_selected == pooled["k_total"]
    absolute = living["absolute"]
    recomputed = declared["source"] != "random" or declared["widened"]
    if absolute and absolute.get("acr") is not None and recomputed:  # risks follow the declared interval
        absolute = {**absolute, **absolute_effects(natural["est"], natural["ci_lb"], natural["ci_ub"],
                                                   absolute["acr"], pooled["measure"])}
        absolute["assumed_per_1000"] = living["absolute"]["assumed_per_1000"]
    for key in ("acr", "assumed_per_1000", "corresponding_per_1000", "corresponding_ci_lb",
                "corresponding_ci_ub", "rd_per_1000", "rd_ci_lb", "rd_ci_ub", "acr_source"):
        assert getattr(row, key) == (absolute or {}).get(key), key
    if living["tsa"]:
        assert row.participants == living["tsa"]["patients"]  # the TSA counts the same participants
    assert row.certainty == certainty.level and row.symbols == certainty.symbols
    assert row.reasons == tuple(certainty.reasons())


@pytest.mark.parametrize("analysis", ANALYSES)
def test_texts_are_the_numbers_rounded(analysis):
    pooled, living = load(analysis)
    row = sof_row(pooled, living, grade_certainty(pooled, living))
    t = texts(row)
    m = registry.get(row.measure)
    if row.est is not None and m.log_scale and row.ci_lb >= 0.01:
        assert t["relative"] == f"{m.short} {row.est:.2f} ({row.ci_lb:.2f} to {row.ci_ub:.2f})"
    elif row.est is not None and not m.log_scale:
        assert t["relative"] == "\u2014"
    if row.corresponding_per_1000 is not None:
        assert t["assumed"] == f"{whole(row.assumed_per_1000):,} per 1,000"
        assert t["corresponding"] == (f"{whole(row.corresponding_per_1000):,} per 1,000 "
                                      f"({whole(row.corresponding_ci_lb):,} to {whole(row.corresponding_ci_ub):,})")


def test_the_vasopressin_row():
    """One real row in full: its texts are the engine's numbers rounded as GRADE tables print them."""
    pooled, living = load("vasopressin_vs_norepinephrine_any_timepoint")
    row = sof_row(pooled, living, grade_certainty(pooled, living))
    n, a = (pooled.get("conclusion") or pooled["random"])["natural"], living["absolute"]
    t = texts(row)
    assert t["relative"] == f"RR {n['est']:.2f} ({n['ci_lb']:.2f} to {n['ci_ub']:.2f})"
    assert t["participants"] == f"{living['tsa']['patients']:,.0f} ({pooled['k']} RCTs)"
    assert t["assumed"] == f"{whole(a['assumed_per_1000']):,} per 1,000"
    assert t["corresponding"] == (f"{whole(row.corresponding_per_1000):,} per 1,000 "
                                  f"({whole(row.corresponding_ci_lb):,} to {whole(row.corresponding_ci_ub):,})")
    assert row.corresponding_ci_lb == pytest.approx(a["assumed_per_1000"] * n["ci_lb"], rel=1e-9)
    assert t["certainty"].endswith("(provisional)")
    assert row.reasons[-1] == "Provisional: risk of bias not assessed; indirectness not judged."


def test_certainty_defaults_to_the_pooled_json_block():
    pooled, living = load("vasopressin_vs_norepinephrine_mortality")
    block = grade_certainty(pooled, living).to_dict()
    assert sof_row({**pooled, "certainty": block}, living) == sof_row(pooled, living, block)
    assert sof_row({**pooled, "certainty": None}, living).certainty is None


def test_tsv_cells_are_the_engines_numbers():
    rows = real_rows()
    lines = to_tsv(rows).splitlines()
    assert lines[0].split("\t") == list(TSV_COLUMNS) and len(lines) == len(rows) + 1
    for row, line in zip(rows, lines[1:]):
        cells = dict(zip(TSV_COLUMNS, line.split("\t")))
        for column in ("est", "ci_lb", "ci_ub", "corresponding_per_1000", "rd_ci_ub", "participants", "trials"):
            assert cells[column] == fmt(getattr(row, column))
        assert cells["reasons"] == " | ".join(row.reasons)


def test_difference_measure_row():
    pooled = {"analysis": "md", "title": "ICU length of stay (days)", "measure": "MD", "k": 2, "k_total": 2,
              "studies": [{"weight_random": 50.0, "status": "means", "n_trt": 10, "n_ctl": 12},
                          {"weight_random": 50.0, "status": "means", "n_trt": 20, "n_ctl": 18}],
              "random": {"k": 2, "est": 2.1, "ci_lb": -0.5, "ci_ub": 4.7, "I2": 0.0,
                         "natural": {"est": 2.1, "ci_lb": -0.5, "ci_ub": 4.7}}}
    row = sof_row(pooled)
    assert (row.est, row.ci_lb, row.ci_ub) == (2.1, -0.5, 4.7) and row.participants == 60
    assert texts(row)["relative"] == "—"
    assert difference_text(row) == "MD 2.10 higher (0.50 lower to 4.70 higher)"


def test_footnotes_are_numbered_once_per_text():
    rows = real_rows()
    notes, refs = footnotes(rows)
    assert len(notes) == len(set(notes))
    provisional = notes.index("Provisional: risk of bias not assessed; indirectness not judged.") + 1
    assert all(provisional in r["certainty"] for r, row in zip(refs, rows) if row.certainty)


def test_markdown_table():
    rows = real_rows()
    md = to_markdown(rows)
    table = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table) == len(rows) + 2
    assert all(line.count(" | ") == len(HEADERS) - 1 for line in table if "---" not in line)
    notes, refs = footnotes(rows)
    for row, mine in zip(rows, refs):
        if row.certainty:  # the reasons, then the imprecision rule with this row's thresholds
            assert f"{texts(row)['certainty']} [{', '.join(map(str, mine['certainty']))}]" in md
            assert row.imprecision_rule.startswith("Imprecision (GRADE guidance 34")
            assert mine["certainty"][-1] == notes.index(row.imprecision_rule) + 1
    assert re.search(r"⊕⊕◯◯ Low \(provisional\) \[\d+(, \d+)+\]", md)  # the certainty's footnotes
    assert re.search(r"\n\d+\. Time points: ", md)  # each pooled trial's time point, footnoted on the outcome
    one = to_markdown(rows[:1], title="Summary of findings: 28-day mortality")
    assert one.startswith("# Summary of findings: 28-day mortality\n")
    assert one.count("\n| ") == 3  # header, rule, one row


class _Checker(html.parser.HTMLParser):
    VOID = {"meta", "br"}

    def __init__(self):
        super().__init__()
        self.stack, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag


def test_html_page_is_self_contained():
    page = to_html(real_rows())
    checker = _Checker()
    checker.feed(page)
    assert checker.stack == []
    tags = {t for t, _ in checker.tags}
    assert not tags & {"script", "link", "img", "iframe"}
    assert all(not a.get("href", "#").split("#")[0] for _, a in checker.tags)  # only links within the page
    assert "http" not in page and page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page and "⊕⊕◯◯" in page


RENDER = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from metapool.appraisal.grade import grade_certainty
    from metapool.appraisal.sof import sof_row
    from metapool.appraisal.sof_render import to_html, to_markdown, to_tsv
    root, out = Path(sys.argv[1]), Path(sys.argv[2])
    rows = []
    for d in sorted(p for p in (root / "results").iterdir() if (p / "pooled.json").exists()):
        pooled = json.loads((d / "pooled.json").read_text()); living = json.loads((d / "living.json").read_text())
        rows.append(sof_row(pooled, living, grade_certainty(pooled, living)))
    for name, render in (("sof.tsv", to_tsv), ("sof.md", to_markdown), ("sof.html", to_html)):
        (out / name).write_bytes(render(rows).encode("utf-8"))
    (out / "one.html").write_bytes(to_html(rows[:1], title="one").encode("utf-8"))
""")


def test_bytes_are_deterministic_across_processes(tmp_path):
    runs = []
    for name, env in (("a", {}), ("b", {"PYTHONHASHSEED": "123", "SOURCE_DATE_EPOCH": "1"})):
        out = tmp_path / name
        out.mkdir()
        subprocess.run([sys.executable, "-c", RENDER, str(ROOT), str(out)], check=True, timeout=120,
                       env={**__import__("os").environ, **env})
        runs.append(out)
    for name in ("sof.tsv", "sof.md", "sof.html", "one.html"):
        assert (runs[0] / name).read_bytes() == (runs[1] / name).read_bytes(), name
    rows = real_rows()
    assert (runs[0] / "sof.html").read_text(encoding="utf-8") == to_html(rows)
