"""read_study_table: the CLI's study CSV (study + counts and/or RR, extra columns carried through)."""

from __future__ import annotations

from pathlib import Path

import pytest

from metapool.errors import InputError
from metapool.inputs.studytable import read_study_table

HEADER = "study,events_trt,total_trt,events_ctl,total_ctl,rr,rr_lower,rr_upper,agent_class"


def write(tmp_path: Path, text: str, name: str = "studies.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def problems(path: Path) -> list:
    with pytest.raises(InputError) as caught:
        read_study_table(path)
    return caught.value.problems


def assert_problem(found: list, path: Path, row: int | None, column: str | None, rule: str) -> None:
    hits = [p for p in found if p.file == str(path) and p.row == row and p.column == column and rule in p.message]
    assert hits, "\n".join(map(str, found))
    text = str(hits[0])
    assert path.name in text and (row is None or f"row {row}" in text)
    assert column is None or f"column '{column}'" in text


def test_counts_and_rr_rows_with_extra_column(tmp_path):
    path = write(tmp_path, HEADER + "\nSTRESS-L,23,62,16,63,,,,beta-1 blocker\n"
                 "I-MICRO,48,,47,,1.08,0.80,1.5,prostacyclin analogue\nVANISH,,,,,,,,\n")
    rows = read_study_table(path)
    assert rows[0] == {"study": "STRESS-L", "events_trt": 23, "total_trt": 62, "events_ctl": 16, "total_ctl": 63,
                       "rr": None, "rr_lower": None, "rr_upper": None, "agent_class": "beta-1 blocker"}
    assert (rows[1]["events_trt"], rows[1]["total_trt"], rows[1]["rr"], rows[1]["rr_upper"]) == (48, None, 1.08, 1.5)
    assert rows[2]["agent_class"] == "" and rows[2]["rr"] is None


def test_counts_only_file_has_rr_keys_as_none(tmp_path):
    path = write(tmp_path, "study,events_trt,total_trt,events_ctl,total_ctl\nA,1,10,0,12\n")
    assert read_study_table(path) == [{"study": "A", "events_trt": 1, "total_trt": 10, "events_ctl": 0,
                                       "total_ctl": 12, "rr": None, "rr_lower": None, "rr_upper": None}]


def test_rr_only_file(tmp_path):
    path = write(tmp_path, "rr,rr_lower,rr_upper,study\n1.13,0.88,1.46,COMBAT-SHINE 28d\n")
    [row] = read_study_table(path)
    assert (row["study"], row["rr"], row["events_trt"]) == ("COMBAT-SHINE 28d", 1.13, None)


def test_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "studies.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "\r\nA,1,10,2,10,,,,x\r\nB,,,,,2,1,4,y\r\n").encode("utf-8"))
    rows = read_study_table(path)
    assert [r["study"] for r in rows] == ["A", "B"] and rows[1]["agent_class"] == "y"


def test_missing_study_column_suggests_the_misspelling(tmp_path):
    path = write(tmp_path, "Study,rr,rr_lower,rr_upper\nA,1,0.5,2\n")
    assert_problem(problems(path), path, 1, "study", "required column is missing; 'Study' looks like a misspelling")


def test_neither_counts_nor_rr_columns(tmp_path):
    path = write(tmp_path, "study,event_trt,RR\nA,1,2\n")
    found = problems(path)
    assert_problem(found, path, 1, None, "no outcome columns: give events_trt")
    assert "'event_trt' looks like 'events_trt'" in found[0].message


def test_partial_count_columns(tmp_path):
    path = write(tmp_path, "study,events_trt,total_trt,events_ctrl,total_ctl\nA,1,10,2,10\n")
    assert_problem(problems(path), path, 1, "events_ctl", "required column is missing; 'events_ctrl' looks like")


def test_partial_rr_columns(tmp_path):
    path = write(tmp_path, "study,rr,rr_upper\nA,1,2\n")
    assert_problem(problems(path), path, 1, "rr_lower", "required column is missing")


def test_reserved_column_name(tmp_path):
    path = write(tmp_path, "study,rr,rr_lower,rr_upper,status\nA,1,0.5,2,x\n")
    assert_problem(problems(path), path, 1, "status", "reserved for the pooled output")


def test_repeated_and_blank_header_cells(tmp_path):
    path = write(tmp_path, "study,rr,rr_lower,rr_upper,group,group,\nA,1,0.5,2,x,y,\n")
    found = problems(path)
    assert_problem(found, path, 1, "group", "more than once")
    assert_problem(found, path, 1, None, "header cell 7 is blank")


def test_duplicated_and_blank_study_names(tmp_path):
    path = write(tmp_path, "study,rr,rr_lower,rr_upper\nA,1,0.5,2\n,1,0.5,2\nA,1.1,0.5,2\n")
    found = problems(path)
    assert_problem(found, path, 3, "study", "blank; every row needs a study name")
    assert_problem(found, path, 4, "study", "'A' repeats row 2; study names must be unique")


@pytest.mark.parametrize(("cells", "column", "rule"), [
    ("-1,10,2,10,,,", "events_trt", "-1 is negative"),
    ("1.5,10,2,10,,,", "events_trt", "'1.5' is not a whole number"),
    ("x,10,2,10,,,", "events_trt", "'x' is not a number"),
    ("1,0,2,10,,,", "total_trt", "total is 0"),
    ("11,10,2,10,,,", "events_trt", "events_trt (11) exceeds total_trt (10)"),
    ("1,10,,,,,", "events_ctl", "give events for both arms or neither"),
    ("1,10,2,,,,", "total_ctl", "give totals for both arms or neither"),
    (",10,,10,,,", "events_trt", "blank while total_trt is given"),
    (",,,,0,0.5,2", "rr", "0 is not positive"),
    (",,,,1,1.2,2", "rr_lower", "rr_lower (1.2) is above rr (1)"),
    (",,,,3,1.2,2", "rr_upper", "rr_upper (2) is below rr (3)"),
    (",,,,1,,2", "rr_lower", "give rr with both 95% CI bounds or none"),
])
def test_numeric_rules_shared_with_trial_tables(tmp_path, cells, column, rule):
    path = write(tmp_path, HEADER + f"\nA,{cells},x\n")
    assert_problem(problems(path), path, 2, column, rule)


@pytest.mark.parametrize(("content", "rule"), [
    (b"", "the file is empty"),
    (HEADER.encode() + b"\n", "header but no data rows"),
    (HEADER.encode() + b"\nA,1,10,2,10,,,,caf\xe9\n", "not valid UTF-8: byte 0xe9"),
])
def test_unreadable_files(tmp_path, content, rule):
    path = tmp_path / "studies.csv"
    path.write_bytes(content)
    [problem] = problems(path)
    assert rule in str(problem) and "studies.csv" in str(problem)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    assert_problem(problems(path), path, None, None, "cannot read the file")


def test_every_row_problem_is_reported_in_row_order(tmp_path):
    path = write(tmp_path, HEADER + "\nA,1,10,2,10,,,,x\nB,1,10\nC,-1,10,2,10,,,,x\nA,,,,,9,1,2,x\n")
    found = problems(path)
    assert [(p.row, p.column) for p in found] == [(3, None), (4, "events_trt"), (5, "study"), (5, "rr_upper")]
