"""inputs.search.load_search: every broken rule of the search record named by file, row, column and rule."""

from __future__ import annotations

import pytest

import prisma_helpers as ph
from metapool.errors import InputError
from metapool.inputs.search import COLUMNS, load_search


def problems(tmp_path, records=None, queries=None, tables=ph.TABLES, data_dir=True):
    records_file, raw = ph.write_search(tmp_path, records, queries, tables)
    with pytest.raises(InputError) as err:
        load_search(records_file, raw if data_dir else None)
    return err.value.problems


def where(p) -> tuple:
    return (p.file.rsplit("/", 1)[-1], p.row, p.column)


def edited(index: int, **cells) -> list[dict]:
    """RECORDS with record `index` (0-based; spreadsheet row index + 2) changed."""
    rows = [dict(r) for r in ph.RECORDS]
    rows[index].update(cells)
    return rows


def test_the_synthetic_record_is_valid(tmp_path):
    records_file, raw = ph.write_search(tmp_path)
    result = load_search(records_file, raw)
    assert [r["record_id"] for r in result.records] == [f"S{i:02d}" for i in range(1, 12)]
    assert [q["query_id"] for q in result.queries] == ["Q01", "Q02"]
    alpha = result.records[0]
    assert (alpha["pmid"], alpha["query_ids"], alpha["study"], alpha["row"]) == (123, ("Q01",), "ALPHA", 2)
    assert result.records[5]["study"] == "GAMMA"
    assert result.warnings == []


@pytest.mark.parametrize(("index", "cells", "column", "rule"), [
    (0, {"screening": "maybe"}, "screening", "'maybe' is not an allowed screening (allowed: included, excluded)"),
    (8, {"eligibility": "excludded"}, "eligibility", "did you mean 'excluded'?"),
    (6, {"reason": ""}, "reason", "a record excluded at screening needs its reason"),
    (8, {"reason": ""}, "reason", "a record excluded at eligibility needs its reason"),
    (7, {"reason": ""}, "reason", "a record not retrieved needs its reason"),
    (6, {"reason": "too small"}, "reason", "'too small' is not an allowed reason for a record excluded at screening"),
    (8, {"reason": "could not be sourced"}, "reason", "not an allowed reason for a record excluded at eligibility"),
    (0, {"reason": "not adults"}, "reason", "'not adults' is not an allowed reason for an included record"),
    (8, {"reason": "no mortality reported"}, "eligibility",
     "a study that does not report the outcome is not excluded (PRISMA 2020): set eligibility to included"),
    (7, {"reason": "not searched for"}, "eligibility",
     "a report that was never searched for was not sought for retrieval (PRISMA 2020)"),
    (10, {"reason": ""}, "reason", "a record not sought needs its reason"),
    (0, {"data_file": ""}, "data_file", "an included record names its trial table"),
    (0, {"table_added": ""}, "table_added", "an included record names its trial table"),
    (0, {"table_added": "maybe"}, "table_added", "'maybe' is not an allowed table_added"),
    (6, {"data_file": "delta-cohort.csv"}, "data_file", "only an included record has a trial table"),
    (0, {"data_file": "alfa.csv"}, "data_file", "its file is 'alpha.csv' (the slug of the trial name)"),
    (3, {"data_file": "beta.csv", "table_added": "yes", "trial": "BETA"}, None, None),  # valid: control
    (0, {"screening": ""}, "screening", "a record that is not a duplicate is screened"),
    (0, {"eligibility": ""}, "eligibility", "a screened-in record is included, excluded or not retrieved"),
    (6, {"eligibility": "included"}, "eligibility", "must be blank: the record was excluded at screening"),
    (1, {"duplicate_of": "S99"}, "duplicate_of", "'S99' is not a record_id of this file"),
    (1, {"duplicate_of": "S02"}, "duplicate_of", "a record cannot be a duplicate of itself"),
    (1, {"duplicate_of": "S04"}, "duplicate_of", "'S04' is a record of trial 'BETA', not 'ALPHA'"),
    (1, {"screening": "included"}, "screening", "must be blank for a duplicate"),
    (0, {"query_ids": "Q01 Q07"}, "query_ids", "'Q07' is not a query_id of queries.csv"),
    (0, {"search": "vasopressors"}, "search", "'vasopressors' is not a search of queries.csv"),
    (0, {"pmid": "12a"}, "pmid", "a PubMed ID is a positive whole number"),
    (0, {"pmid": "0"}, "pmid", "below the minimum of 1"),
    (0, {"doi": "doi:10.1000/alpha"}, "doi", "does not look like a doi"),
    (0, {"url": "www.example.org"}, "url", "does not look like a url"),
    (0, {"identified_in": "library"}, "identified_in", "'library' is not an allowed identified_in"),
    (0, {"source": "Embase"}, "source", "'Embase' is not an allowed source for identified_in 'database'"),
    (3, {"source": "PubMed"}, "source", "not an allowed source for identified_in 'other'"),
    (2, {"registry_id": ""}, "registry_id", "a register record needs its registry id"),
    (2, {"registry_id": "NCT123"}, "registry_id", "does not look like a registry_id"),
    (0, {"trial": ""}, "trial", "blank; this column is required"),
    (2, {"record_id": "S01"}, "record_id", "'S01' is already used on row 2"),
])
def test_each_broken_rule_names_file_row_column(tmp_path, index, cells, column, rule):
    records = edited(index, **cells)
    if rule is None:
        records_file, raw = ph.write_search(tmp_path, records)
        load_search(records_file, raw)
        return
    found = problems(tmp_path, records)
    assert any(where(p) == ("records.csv", index + 2, column) and rule in p.message for p in found), found


def test_a_chain_of_duplicates_points_at_the_record_kept(tmp_path):
    rows = ph.RECORDS + [ph.record("S12", "ALPHA", duplicate_of="S02", screening="", eligibility="",
                                   data_file="", table_added="")]
    found = problems(tmp_path, rows)
    assert [(where(p), p.message) for p in found] == [
        (("records.csv", 13, "duplicate_of"), "'S02' is itself a duplicate (of 'S01'); point at the record kept")]


def test_an_included_table_that_is_not_there(tmp_path):
    found = problems(tmp_path, tables=("alpha.csv", "gamma.csv"))
    assert [(where(p), p.message.split(" does not")[1]) for p in found] == [
        (("records.csv", 5, "data_file"), " exist (table_added is yes); add the table or set table_added to no")]
    assert found[0].message.endswith("raw/beta.csv does not exist (table_added is yes); add the table or set "
                                     "table_added to no")


def test_without_a_data_dir_tables_are_not_looked_for(tmp_path):
    records_file, _ = ph.write_search(tmp_path, tables=())
    assert len(load_search(records_file).records) == 11


def test_a_record_behind_the_data_is_a_warning(tmp_path):
    records_file, raw = ph.write_search(tmp_path, tables=ph.TABLES + ("gamma-subgroup.csv", "omega.csv"))
    warnings = load_search(records_file, raw).warnings
    assert [(where(p), p.message.split(";")[-1].strip()) for p in warnings] == [
        (("records.csv", 7, "table_added"), "set table_added to yes"),
        (("omega.csv", None, None), "add the records that found it"),
    ]


def test_every_problem_at_once(tmp_path):
    records = edited(0, screening="maybe", pmid="x")
    records[6]["reason"] = ""
    records[1]["duplicate_of"] = "S99"
    found = problems(tmp_path, records)
    assert sorted(where(p) for p in found) == [
        ("records.csv", 2, "pmid"), ("records.csv", 2, "screening"), ("records.csv", 3, "duplicate_of"),
        ("records.csv", 8, "reason")]


def test_header_problems_stop_before_the_rows(tmp_path):
    records_file, raw = ph.write_search(tmp_path)
    text = records_file.read_text(encoding="utf-8").replace("screening,", "screenin,", 1)
    records_file.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_search(records_file, raw)
    found = [(where(p), p.message) for p in err.value.problems]
    assert (("records.csv", 1, "screening"), "required column is missing; 'screenin' looks like a misspelling of it") \
        in found
    assert all(p.row == 1 for p in err.value.problems)


def test_the_columns_must_be_in_order(tmp_path):
    records_file, raw = ph.write_search(tmp_path)
    lines = records_file.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    header[1], header[2] = header[2], header[1]
    records_file.write_text("\n".join([",".join(header)] + lines[1:]) + "\n", encoding="utf-8")
    found = problems_from(records_file, raw)
    assert [where(p) for p in found] == [("records.csv", 1, "study")]
    assert "not in the required order: " + ", ".join(COLUMNS) in found[0].message


def problems_from(records_file, raw):
    with pytest.raises(InputError) as err:
        load_search(records_file, raw)
    return err.value.problems


@pytest.mark.parametrize(("index", "cells", "column", "rule"), [
    (1, {"query_id": "Q01"}, "query_id", "'Q01' is already used on row 2; ids must be unique"),
    (0, {"date": "05/01/2026"}, "date", "is not a date written YYYY-MM-DD"),
    (0, {"date": "2026-02-30"}, "date", "is not a date written YYYY-MM-DD"),
    (1, {"query": ""}, "query", "blank; this column is required"),
])
def test_queries_are_checked_too(tmp_path, index, cells, column, rule):
    queries = [dict(q) for q in ph.QUERIES]
    queries[index].update(cells)
    found = problems(tmp_path, queries=queries)
    assert any(where(p) == ("queries.csv", index + 2, column) and rule in p.message for p in found), found


def test_a_missing_queries_file_is_named(tmp_path):
    records_file, raw = ph.write_search(tmp_path)
    (records_file.parent / "queries.csv").unlink()
    found = problems_from(records_file, raw)
    assert found[0].file.endswith("search/queries.csv") and "cannot read the file" in found[0].message
    # ...and the records that name queries are then reported too: their ids are unknown
    assert ("records.csv", 2, "query_ids") in {where(p) for p in found}
