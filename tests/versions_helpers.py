"""A small synthetic review for the tests of metapool.versions: trial rows, analyses as filters on
them, and a results/ tree written from real pool_studies and run_living results."""

from __future__ import annotations

import copy
from pathlib import Path

from metapool.engine.pool import pool_studies
from metapool.engine.render import to_json
from metapool.living import run_living

ANALYSES = {
    "mortality_28d": {"title": "Any agent: 28-day mortality", "filter": {"timepoint_days": 28}},
    "mortality_90d": {"title": "Any agent: 90-day mortality", "filter": {"timepoint_days": 90}},
    "agent_x_28d": {"title": "Agent X: 28-day mortality", "filter": {"timepoint_days": 28, "agent": "x"}},
}


def row(trial: str, days: int, agent: str, a: int, n1: int, c: int, n2: int, **extra) -> dict:
    """One trial x timepoint row with its 2x2 counts, quote and source."""
    return {"study": f"Author {trial}", "trial": trial, "agent": agent, "timepoint_days": days,
            "events_trt": a, "total_trt": n1, "events_ctl": c, "total_ctl": n2,
            "quote": f"{trial}: {a}/{n1} vs {c}/{n2} died by day {days}.",
            "source": f"https://example.org/{trial.lower()}", **extra}


ROWS = [
    row("ALPHA", 28, "x", 30, 100, 36, 100),
    row("BRAVO", 28, "y", 45, 150, 50, 150),
    row("CHARLIE", 28, "x", 20, 80, 20, 80),
    row("ALPHA", 90, "x", 40, 100, 44, 100),
    row("BRAVO", 90, "y", 55, 150, 58, 150),
]
# Added to the 28-day rows: ECHO moves nothing across the null, DELTA (large, RR 0.8) moves the
# 28-day CI from 0.74-1.08 to 0.74-0.92 and makes the TSA cross its boundary.
ECHO = row("ECHO", 28, "x", 22, 80, 22, 80)
DELTA = row("DELTA", 28, "y", 240, 1000, 300, 1000)


def rows(*extra: dict) -> list[dict]:
    """A deep copy of ROWS plus ``extra`` (tests edit their copy)."""
    return copy.deepcopy(ROWS) + [copy.deepcopy(r) for r in extra]


def selected(all_rows: list[dict], flt: dict) -> list[dict]:
    return [r for r in all_rows if all(r.get(k) == v for k, v in flt.items())]


def write_results(root: Path, all_rows: list[dict], analyses: dict | None = None) -> Path:
    """results/<analysis>/pooled.json and living.json for each analysis, as the workflow writes them."""
    analyses = ANALYSES if analyses is None else analyses
    root.mkdir(parents=True, exist_ok=True)
    for name, spec in analyses.items():
        studies = selected(all_rows, spec["filter"])
        head = {"analysis": name, "title": spec["title"]}
        folder = root / name
        folder.mkdir(exist_ok=True)
        (folder / "pooled.json").write_text(to_json({**head, **pool_studies(studies)}), encoding="utf-8")
        living = run_living(studies, tau2_method="REML", ci_method="hksj")
        (folder / "living.json").write_text(to_json({**head, **living}), encoding="utf-8")
    return root


def by_name(report: dict) -> dict[str, dict]:
    """The report's entries by analysis name."""
    return {e["analysis"]: e for e in report["analyses"]}
