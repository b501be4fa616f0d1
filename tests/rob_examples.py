"""Synthetic risk-of-bias rows and judgments for tests and figure checks only (never real data:
no published RoB 2 assessment was found for the review's trials, so data/rob/ stays empty)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from metapool.appraisal import rob2
from metapool.inputs.rob import columns

TEAM = "review team: two independent reviewers (methodologist, intensivist) [synthetic test row]"

# A valid review-team row for STRESS-L, 28-day mortality: the row each test breaks.
BASE = {
    "trial": "STRESS-L", "outcome": "all-cause mortality", "timepoint_days": "28",
    "d1": "low", "d1_support": "Synthetic: central web-based randomisation, concealed allocation.",
    "d2": "some concerns", "d2_support": "Synthetic: open label; no deviations beyond usual practice reported.",
    "d3": "low", "d3_support": "Synthetic: vital status known for all randomised patients.",
    "d4": "low", "d4_support": "Synthetic: all-cause mortality is not open to assessor judgment.",
    "d5": "low", "d5_support": "Synthetic: analysis as in the registered protocol.",
    "overall": "some concerns", "overall_support": "Synthetic: some concerns in D2 only.",
    "assessor": TEAM, "source": "review team",
}


def rob_row(**changes: str) -> dict:
    return {**BASE, **changes}


def csv_text(rows: list[dict], header: list[str] | None = None) -> str:
    header = list(columns()) if header is None else header
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return out.getvalue()


def write_rob(directory: Path, rows: list[dict], name: str = "stress-l.csv", **kwargs) -> Path:
    path = Path(directory) / name
    path.write_text(csv_text(rows, **kwargs), encoding="utf-8", newline="")
    return path


def rob_block(domains: tuple[str, ...], overall: str | None = None) -> dict:
    """A per-study `rob` block (inputs.rob.rob_entry shape) from five domain judgments."""
    block = {}
    for d, j in zip(rob2.DOMAINS, domains):
        block[d], block[f"{d}_support"] = j, f"Synthetic support for {d.upper()}."
    block["overall"] = overall or rob2.overall_from_domains(domains)
    block["overall_support"] = "Synthetic overall support."
    block.update(assessor=TEAM, source="review team")
    return block


PATTERN = (
    ("low",) * 5,
    ("low", "some concerns", "low", "low", "low"),
    ("low", "low", "high", "low", "low"),
    ("some concerns", "some concerns", "low", "low", "some concerns"),
    None,  # not assessed
    ("low", "low", "low", "some concerns", "low"),
    ("high", "some concerns", "low", "low", "low"),
)


def with_synthetic_rob(studies: list[dict], pattern=PATTERN) -> list[dict]:
    """Copies of study entries carrying synthetic `rob` blocks, cycling through `pattern`."""
    out = []
    for i, s in enumerate(studies):
        domains = pattern[i % len(pattern)]
        out.append({**s, "rob": None if domains is None else rob_block(domains)})
    return out
