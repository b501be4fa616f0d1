"""pipeline.prisma: the counts of every box, on a synthetic record and on the real one, and the
studies in the quantitative synthesis read from a results tree."""

from __future__ import annotations

import json

import csv
from collections import Counter
from pathlib import Path

import pytest

import prisma_helpers as ph
from metapool.inputs.search import load_search
from metapool.inputs.trials import slugify
from metapool.pipeline.prisma import flow, run_prisma, synthesis_trials, unrecorded

REPO = Path(__file__).resolve().parents[1]
RECORDS = REPO / "data" / "search" / "records.csv"


def add_up(f) -> None:
    """The PRISMA arithmetic: every box is the one above minus what left beside it."""
    assert f.n_identified - f.duplicates == f.screened
    assert f.screened - sum(f.screen_excluded.values()) - f.n_not_sought == f.sought
    assert f.sought - sum(f.not_retrieved.values()) == f.assessed
    assert f.assessed - sum(f.excluded.values()) == f.reports_included
    assert f.studies_included <= f.reports_included
    assert f.studies_in_synthesis + f.studies_not_in_synthesis == f.studies_included


@pytest.fixture
def synthetic(tmp_path):
    records_file, raw = ph.write_search(tmp_path)
    return load_search(records_file, raw).records


def test_synthetic_counts(synthetic):
    f = flow(synthetic)
    for name, value in ph.EXPECTED.items():
        assert getattr(f, name) == value, name
    add_up(f)
    assert (f.synthesis, f.unpooled_added, f.unpooled_pending) == ((), 3, 0)
    assert f.studies_not_in_synthesis == 4  # ETA, included, in no synthesis: it reports no mortality


def test_synthesis_from_a_results_tree(synthetic, tmp_path):
    results = tmp_path / "results"
    pooled = [
        ph.write_pooled(results / "a_28d" / "pooled.json", [("ALPHA", 61.2), ("BETA", None), ("OMEGA", 38.8)]),
        ph.write_pooled(results / "b_90d" / "pooled.json", [("alpha", 100.0)]),  # another spelling: one slug
        ph.write_pooled(results / "c_28d" / "pooled.json", [("GAMMA (subgroup)", 100.0)]),
        ph.write_pooled(results / "empty" / "pooled.json", []),
    ]
    names = synthesis_trials(pooled)
    assert names == {"ALPHA", "alpha", "OMEGA", "GAMMA (subgroup)"}  # BETA has no weight: not pooled
    f = flow(synthetic, names)
    # GAMMA's subgroup table is pooled, so the study GAMMA is in; OMEGA has no record and is left out
    assert f.synthesis == ("ALPHA", "GAMMA")
    assert (f.studies_in_synthesis, f.unpooled_added, f.unpooled_pending) == (2, 1, 0)
    assert unrecorded(synthetic, names) == ["OMEGA"]
    add_up(f)


def test_a_study_whose_tables_are_all_pending(tmp_path):
    rows = [dict(r) for r in ph.RECORDS]
    rows[4]["table_added"] = "no"  # GAMMA: now neither table is added
    records_file, raw = ph.write_search(tmp_path, rows, tables=("alpha.csv", "beta.csv"))
    f = flow(load_search(records_file, raw).records, {"ALPHA"})
    assert (f.synthesis, f.unpooled_added, f.unpooled_pending) == (("ALPHA",), 1, 1)


def test_run_prisma_writes_the_figure_and_logs_what_it_left_out(tmp_path, capsys):
    records_file, raw = ph.write_search(tmp_path, tables=ph.TABLES + ("omega.csv",))
    digest = tmp_path / "results" / "digests" / "a.json"
    digest.parent.mkdir(parents=True)
    digest.write_text(json.dumps({"a": {"synthesis": ["ALPHA", "OMEGA"]}}), encoding="utf-8")
    svg = tmp_path / "results" / "prisma.svg"
    run_prisma(str(records_file), [str(digest)], str(raw), str(svg))
    assert svg.read_text(encoding="utf-8").startswith("<?xml")
    log = capsys.readouterr().err
    assert "omega.csv: warning: no included record" in log
    assert "warning: trial 'OMEGA' is pooled with weight but no included record" in log
    assert "PRISMA: 11 records, 4 studies included, 1 in the meta-analysis" in log


# --- the real record ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    return load_search(RECORDS, REPO / "data" / "raw")


def test_the_real_record_is_valid_and_names_every_trial_table(real):
    assert real.warnings == []
    included = {r["data_file"] for r in real.records if r["eligibility"] == "included"}
    tables = {p.name for p in (REPO / "data" / "raw").glob("*.csv")}
    assert tables <= included
    added = {r["data_file"] for r in real.records if r["eligibility"] == "included" and r["table_added"] == "yes"}
    assert added == tables


def test_the_real_counts_add_up_and_every_reason_is_counted(real):
    results = sorted(str(p) for p in (REPO / "results").glob("*/pooled.json"))
    f = flow(real.records, synthesis_trials(results))
    add_up(f)
    # every reason's n, recounted straight from the CSV
    with open(RECORDS, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if not r["duplicate_of"]]
    assert f.screen_excluded == dict(Counter(r["reason"] for r in rows if r["screening"] == "excluded"))
    assert f.not_retrieved == dict(Counter(r["reason"] for r in rows if r["eligibility"] == "not retrieved"))
    assert f.excluded == dict(Counter(r["reason"] for r in rows if r["eligibility"] == "excluded"))
    assert f.not_sought == dict(Counter(r["reason"] for r in rows if r["eligibility"] == "not sought"))
    # PRISMA 2020: studies that report no mortality are included studies in no synthesis, never
    # exclusions (Morelli 2008's phenylephrine RCT joined the 6 in issue 23); the three reports
    # once never searched for (Martin 1993, Marik 1994, Ruokonen 1993) were sought in issue 23 and
    # not retrieved, so no report is left "not sought"
    assert f.not_sought == {} and "not searched for" not in f.not_retrieved
    assert "no mortality reported" not in f.excluded and f.no_synthesis == {"no mortality reported": 7}
    assert f.n_identified == len(RECORDS.read_text(encoding="utf-8").splitlines()) - 1
    # the synthesis is the study of every trial pooled with weight in results/ (each has its
    # included record; two tables of one study, as SOAP II's, are one study)
    pooled = synthesis_trials(results)
    assert pooled and unrecorded(real.records, pooled) == []
    study_of = {slugify(r["trial"]): r["study"] for r in real.records if r["eligibility"] == "included"}
    assert set(f.synthesis) == {study_of[slugify(t)] for t in pooled}


def test_the_real_record_keeps_the_logs_conflicts_visible(real):
    by_trial = {}
    for r in real.records:
        by_trial.setdefault(r["trial"], []).append(r)
    # SOAP II's septic shock subgroup is a second table of one study, not a second study
    assert {r["study"] for r in by_trial["SOAP II (septic shock subgroup)"]} == {"SOAP II"}
    # Han 2012 was found by two searches: one record kept, the other its duplicate
    han = by_trial["Han 2012 pituitrin"]
    assert sorted(bool(r["duplicate_of"]) for r in han) == [False, True]
    # an excluded trial is never pointed at a table
    assert all(r["data_file"] is None for r in real.records if r["eligibility"] != "included")
