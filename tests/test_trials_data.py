"""The shipped raw tables in data/raw/: they load cleanly, and agree with the schema, README and starter."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import jsonschema
import pytest

from metapool.measures import datakinds as rules
from metapool.inputs.trials import SCHEMA_PATH, allowed_values, columns, load_trials, schema, slugify, study_label, trial_files

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
STARTER = ROOT.parent / "shared" / "data" / "trials-starter.csv"


@pytest.fixture(scope="module")
def table():
    return load_trials(trial_files(RAW))


def test_all_raw_tables_load_without_problems_or_warnings(table):
    assert len(trial_files(RAW)) == 44
    assert len(table) == 66
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
    """The reported effects the review relies on, as printed (an RD in percentage points as a
    proportion, with the arithmetic in the quote)."""
    effects = {(r["trial"], r["outcome"], r["timepoint_days"]): (r["effect_measure"], r["effect"], r["effect_lower"],
                                                                 r["effect_upper"], r["effect_adjusted"])
               for r in table if r["effect"] is not None}
    mortality = "all-cause mortality"
    assert effects[("I-MICRO", mortality, 28)] == ("RR", 1.08, 0.80, 1.5, None)
    assert effects[("COMBAT-SHINE", mortality, 28)] == ("RR", 1.13, 0.88, 1.46, None)
    assert effects[("COMBAT-SHINE", mortality, 90)] == ("RR", 1.12, 0.91, 1.4, None)
    assert effects[("LeoPARDS", mortality, 28)] == ("RD", 0.036, -0.045, 0.117, None)
    assert effects[("SEPSIS-ACT", mortality, 90)] == ("RD", 0.011, -0.065, 0.088, None)
    assert effects[("COMBAT-SHINE", "mean daily SOFA score", 90)] == ("MD", 0.2, -0.8, 1.2, "yes")
    for row in table:
        if row["effect_measure"] == "RD":
            assert "[derived: the risk difference is printed in percentage points" in row["quote"], row["trial"]
            assert row["status"] == "derived", row["trial"]


def test_arm_summaries_only_for_continuous_outcomes(table):
    """Mortality and adverse events are binary: arm summaries appear only on SOFA-type outcomes."""
    for row in table:
        if any(row[c] is not None for c in rules.CONTINUOUS):
            assert "SOFA" in row["outcome"], (row["trial"], row["outcome"])


def test_every_number_is_in_its_quote(table):
    """Real numbers only: each count, arm summary and reported effect is printed in the quote or its
    derivation note."""
    for row in table:
        quote = row["quote"].replace("\u2212", "-")  # a printed minus sign is a minus
        for column in rules.NUMBERS:
            value = row[column]
            if value is not None:
                text = f"{value:g}" if isinstance(value, float) else str(value)
                assert re.search(rf"(?<![\d.]){re.escape(text)}0*(?![\d])", quote), (row["trial"], column)


def test_poolability(table):
    kinds = {(r["trial"], r["outcome"], r["timepoint_days"]): r["poolable"] for r in table}
    for row in table:
        assert (row["status"] == "missing") == (not rules.has_numbers(row)), (row["trial"], row["outcome"])
    # I-MICRO prints deaths but not the arm totals: only its reported RR is usable
    assert kinds[("I-MICRO", "all-cause mortality", 28)] == ("reported",)
    # its SOFA change has medians but no arm sizes: not usable
    assert kinds[("I-MICRO", "change in SOFA score", 7)] == ()
    # Liu: counts by subtraction from Zhu 2019 Table 2; its odds ratio of unclear direction stays out
    assert kinds[("Liu terlipressin (NCT01697410)", "all-cause mortality", 28)] == ("counts",)
    assert kinds[("STRESS-L", "all-cause mortality", 28)] == ("counts", "reported")
    assert sum(1 for v in kinds.values() if "counts" in v) == 28


@pytest.mark.skipif(not STARTER.exists(), reason="../shared/ is not available")
def test_every_starter_row_is_kept_with_its_numbers(table):
    """The starter's rows are still in the review with their numbers, except the documented
    corrections: ATHOS-3's PMID (28528561, verified) and VANISH, whose mortality now comes from a
    published meta-analysis' table without a stated time point (the 28-day row had no data), and
    Liu 2018 (NCT01697410), whose missing counts now come from Zhu 2019's Table 2 (secondary)."""
    with open(STARTER, encoding="utf-8", newline="") as fh:
        starter = list(csv.DictReader(fh))
    assert len(starter) == 18
    loaded = {(r["trial"], r["outcome"], r["timepoint_days"]): r for r in table}
    liu = "Liu terlipressin (NCT01697410)"
    corrections = {("ATHOS-3", "pmid"): 28528561, (liu, "events_trt"): 104, (liu, "total_trt"): 260,
                   (liu, "events_ctl"): 101, (liu, "total_ctl"): 266}
    for s in starter:
        key = (s["trial"], s["outcome"], int(s["timepoint_days"]) if s["timepoint_days"] else None)
        if key == ("VANISH", "all-cause mortality", 28):
            assert ("VANISH", "all-cause mortality", None) in loaded
            continue
        row = loaded[key]
        for column in ("first_author", "journal", "doi", "outcome"):
            assert (row[column] or "") == s[column], (s["trial"], column)
        for column in ("year", "pmid", "events_trt", "total_trt", "events_ctl", "total_ctl"):
            want = corrections.get((s["trial"], column), int(s[column]) if s[column] else None)
            assert row[column] == want, (s["trial"], column)


def test_secondary_rows_name_the_review_table(table):
    """A count taken from another review's table is marked `secondary`, and its quote says which
    review and table (a `[note: secondary source: ...]` note); every other row is `primary`."""
    for row in table:
        says = "[note: secondary source:" in row["quote"]
        assert (row["source_kind"] == "secondary") == says, (row["trial"], row["outcome"], row["timepoint_days"])
        if says:
            assert re.search(r"secondary source: [^\]]*\bTable\b", row["quote"]), row["trial"]
