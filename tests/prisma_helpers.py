"""A tiny synthetic search record (records.csv, queries.csv, trial tables, results) for the PRISMA tests.

Eleven records of five included trials (ALPHA, BETA, GAMMA with two tables of one study, ETA that
reports no mortality) and excluded ones, one of every stage: a duplicate, a screening exclusion, a
report not sought, a report not retrieved, an eligibility exclusion, a registry report of an
included trial. SYNTHETIC: no real trial.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from metapool.inputs.search import COLUMNS, QUERY_COLUMNS

QUERIES = [
    {"query_id": "Q01", "search": "synthetic", "corpus": "pages", "query": "alpha trial mortality", "date": "2026-01-05"},
    {"query_id": "Q02", "search": "synthetic", "corpus": "pages", "query": "beta trial registry", "date": ""},
]


def record(record_id: str, trial: str, **cells) -> dict:
    """An included database record of `trial` with its table added, unless cells say otherwise."""
    from metapool.inputs.trials import slugify

    base = {"record_id": record_id, "trial": trial, "identified_in": "database", "source": "PubMed",
            "search": "synthetic", "query_ids": "Q01", "screening": "included", "eligibility": "included",
            "data_file": f"{slugify(trial)}.csv", "table_added": "yes"}
    return {**base, **cells}


def excluded(record_id: str, trial: str, screening: str, eligibility: str, reason: str, **cells) -> dict:
    return record(record_id, trial, screening=screening, eligibility=eligibility, reason=reason,
                  data_file="", table_added="", **cells)


RECORDS = [
    record("S01", "ALPHA", pmid="123", doi="10.1000/alpha"),
    record("S02", "ALPHA", identified_in="other", source="published meta-analysis or review", duplicate_of="S01",
           screening="", eligibility="", data_file="", table_added=""),
    record("S03", "ALPHA", identified_in="register", source="ClinicalTrials.gov", registry_id="NCT01234567",
           query_ids="Q02"),
    record("S04", "BETA", identified_in="other", source="website"),
    record("S05", "GAMMA", study="GAMMA"),
    record("S06", "GAMMA (subgroup)", study="GAMMA", identified_in="other", source="published meta-analysis or review",
           table_added="no"),
    excluded("S07", "DELTA cohort", "excluded", "", "not randomised"),
    excluded("S08", "EPSILON", "included", "not retrieved", "could not be sourced",
             identified_in="other", source="not named in the search log", query_ids=""),
    excluded("S09", "ZETA", "included", "excluded", "comparison out of scope"),
    record("S10", "ETA", reason="no mortality reported", table_added="no"),
    excluded("S11", "THETA", "included", "not sought", "not searched for"),
]
# What RECORDS give (the numbers the tests check).
EXPECTED = dict(n_identified=11, duplicates=1, screened=10, sought=8, assessed=7, reports_included=6,
                studies_included=4, screen_excluded={"not randomised": 1},
                not_sought={"not searched for": 1}, not_retrieved={"could not be sourced": 1},
                excluded={"comparison out of scope": 1}, no_synthesis={"no mortality reported": 1},
                identified={"database": {"PubMed": 6}, "register": {"ClinicalTrials.gov": 1},
                            "other": {"published meta-analysis or review": 2, "website": 1,
                                      "not named in the search log": 1}})
TABLES = ("alpha.csv", "beta.csv", "gamma.csv")  # GAMMA (subgroup) is not added yet


def write_csv(path: Path, rows: list[dict], header) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header), lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in header} for row in rows)
    return path


def write_search(root: Path, records: list[dict] | None = None, queries: list[dict] | None = None,
                 tables=TABLES) -> tuple[Path, Path]:
    """root/search/{records,queries}.csv and root/raw/<table> (empty files: only their names count)."""
    records_file = write_csv(root / "search" / "records.csv", RECORDS if records is None else records, COLUMNS)
    write_csv(root / "search" / "queries.csv", QUERIES if queries is None else queries, QUERY_COLUMNS)
    raw = root / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in tables:
        (raw / name).write_text("", encoding="utf-8")
    return records_file, raw


def write_pooled(path: Path, studies: list[tuple[str, float | None]]) -> Path:
    """A pooled.json with only what synthesis_trials reads: each study's trial and weight_random."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"studies": [{"trial": t, "weight_random": w} for t, w in studies]}), encoding="utf-8")
    return path
