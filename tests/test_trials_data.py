"""The shipped raw tables in data/raw/: they load cleanly, and agree with the schema, README and starter."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import jsonschema
import pytest

from metapool.inputs import rules
from metapool.inputs.trials import SCHEMA_PATH, allowed_values, columns, load_trials, schema, slugify, study_label, trial_files

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
STARTER = ROOT.parent / "shared" / "data" / "trials-starter.csv"


@pytest.fixture(scope="module")
def table():
    return load_trials(trial_files(RAW))


def test_all_raw_tables_load_without_problems_or_warnings(table):
    assert len(trial_files(RAW)) == 14
    assert len(table) == 18
    assert table.warnings == []


def test_file_names_are_slugs_of_the_trial(table):
    for path in trial_files(RAW):
        with open(path, encoding="utf-8", newline="") as fh:
            trials = {row["trial"] for row in csv.DictReader(fh)}
        assert [path.stem] == [slugify(t) for t in trials], path


@pytest.mark.parametrize(("name", "slug"), [
    ("I-MICRO", "i-micro"), ("VANCS II", "vancs-ii"), ("CO-ILEPSS (pilot)", "co-ilepss-pilot"),
    ("Liu terlipressin (NCT01697410)", "liu-terlipressin-nct01697410"), ("  --A__b--  ", "a-b"),
    ("J-Land 3S", "j-land-3s"), ("Études", "tudes"),
])
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_study_label(table):
    labels = {study_label(r) for r in table}
    assert "Legrand 2025 (I-MICRO)" in labels and "Hajjar 2019 (VANCS II)" in labels


def test_rows_validate_against_the_json_schema(table):
    jsonschema.Draft202012Validator.check_schema(schema())
    validator = jsonschema.Draft202012Validator(schema())
    for row in table:
        cells = {k: v for k, v in row.items() if k not in ("file", "row", "poolable")}
        assert list(cells) != [] and set(cells) == set(columns())
        errors = [e.message for e in validator.iter_errors(cells)]
        assert errors == [], (row["file"], row["row"], errors)


def test_schema_is_where_the_reader_looks():
    assert SCHEMA_PATH == ROOT / "workflow" / "metapool" / "inputs" / "trials.schema.yaml"
    assert list(columns()) == schema()["required"]


def test_readme_documents_every_column_and_allowed_value():
    readme = (RAW / "README.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z0-9_]+)` \|", readme, flags=re.MULTILINE)
    assert documented == list(columns())
    for column in ("agent_class", "comparator_class", "role", "septic_shock_only", "blinding",
                   "effect_measure", "effect_adjusted", "status"):
        for value in allowed_values(column):
            if value is not None:  # null: the column may be blank
                assert f"`{value}`" in readme, (column, value)


def test_reported_effects_are_the_quoted_ones(table):
    effects = {(r["trial"], r["timepoint_days"]): (r["effect_measure"], r["effect"], r["effect_lower"],
                                                   r["effect_upper"], r["effect_adjusted"])
               for r in table if r["effect"] is not None}
    assert effects == {("I-MICRO", 28): ("RR", 1.08, 0.80, 1.5, None),
                       ("COMBAT-SHINE", 28): ("RR", 1.13, 0.88, 1.46, None),
                       ("COMBAT-SHINE", 90): ("RR", 1.12, 0.91, 1.4, None)}


def test_no_arm_summaries_in_the_mortality_tables(table):
    """Every shipped outcome is binary (mortality): no row carries continuous arm summaries."""
    assert all(row[c] is None for row in table for c in rules.CONTINUOUS)


def test_every_number_is_in_its_quote(table):
    """Real numbers only: each count, arm summary and reported effect is printed in the quote or its
    derivation note."""
    for row in table:
        for column in rules.NUMBERS:
            value = row[column]
            if value is not None:
                text = f"{value:g}" if isinstance(value, float) else str(value)
                assert re.search(rf"(?<![\d.]){re.escape(text)}0*(?![\d])", row["quote"]), (row["trial"], column)


def test_poolability(table):
    kinds = {(r["trial"], r["timepoint_days"]): r["poolable"] for r in table}
    assert [k for k, v in kinds.items() if v == ("counts",)] == [
        ("ATHOS-3", 28), ("CENSER", 28), ("STRESS-L", 28), ("STRESS-L", 90), ("VANCS II", 28),
        ("VANCS II", 90), ("VASST", 28)]
    # I-MICRO prints deaths but not the arm totals: only its reported RR is usable
    assert sorted(k for k, v in kinds.items() if v == ("reported",)) == [
        ("COMBAT-SHINE", 28), ("COMBAT-SHINE", 90), ("I-MICRO", 28)]
    assert set(kinds.values()) == {("counts",), ("reported",), ()}
    # an odds ratio (Liu) or a risk difference (SEPSIS-ACT, LeoPARDS) is not in the tables
    for trial in ("Liu terlipressin (NCT01697410)", "SEPSIS-ACT", "LeoPARDS"):
        assert kinds[(trial, 28 if trial != "SEPSIS-ACT" else 90)] == ()


@pytest.mark.skipif(not STARTER.exists(), reason="../shared/ is not available")
def test_every_starter_row_is_kept_with_its_numbers(table):
    with open(STARTER, encoding="utf-8", newline="") as fh:
        starter = list(csv.DictReader(fh))
    assert len(starter) == len(table)
    loaded = {(r["trial"], r["timepoint_days"]): r for r in table}
    for s in starter:
        row = loaded[(s["trial"], int(s["timepoint_days"]) if s["timepoint_days"] else None)]
        for column in ("first_author", "journal", "doi", "outcome", "status"):
            assert (row[column] or "") == s[column], (s["trial"], column)
        for column in ("year", "pmid", "events_trt", "total_trt", "events_ctl", "total_ctl"):
            assert row[column] == (int(s[column]) if s[column] else None), (s["trial"], column)
        assert row["source"] == s["url"]
        assert row["quote"] == f"{s['quote']} [regimen: {s['agent']} vs {s['comparator']}]"
