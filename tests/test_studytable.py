"""read_study_table: the CLI's study CSV (study + counts, arm summaries and/or a reported effect, extra
columns carried through)."""

from __future__ import annotations

from pathlib import Path

import pytest

import rule_cases
from metapool.errors import InputError
from metapool.measures import datakinds as rules
from metapool.inputs.studytable import read_study_table

HEADER = "study,events_trt,total_trt,events_ctl,total_ctl,effect_measure,effect,effect_lower,effect_upper,agent_class"
NONE = dict.fromkeys(rules.DATA_COLUMNS)  # every data column of a row, as read when blank or absent


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


def test_counts_and_effect_rows_with_extra_column(tmp_path):
    path = write(tmp_path, HEADER + "\nSTRESS-L,23,62,16,63,,,,,beta-1 blocker\n"
                 "I-MICRO,48,,47,,RR,1.08,0.80,1.5,prostacyclin analogue\nVANISH,,,,,,,,,\n")
    rows = read_study_table(path)
    assert rows[0] == {**NONE, "study": "STRESS-L", "events_trt": 23, "total_trt": 62, "events_ctl": 16,
                       "total_ctl": 63, "agent_class": "beta-1 blocker"}
    assert (rows[1]["events_trt"], rows[1]["total_trt"], rows[1]["effect_measure"], rows[1]["effect"],
            rows[1]["effect_upper"]) == (48, None, "RR", 1.08, 1.5)
    assert rows[2]["agent_class"] == "" and rows[2]["effect"] is None
    assert [rules.kinds(r) for r in rows] == [("counts",), ("reported",), ()]


def test_counts_only_file_has_every_other_data_key_as_none(tmp_path):
    path = write(tmp_path, "study,events_trt,total_trt,events_ctl,total_ctl\nA,1,10,0,12\n")
    assert read_study_table(path) == [{**NONE, "study": "A", "events_trt": 1, "total_trt": 10, "events_ctl": 0,
                                       "total_ctl": 12}]


def test_effect_only_file(tmp_path):
    path = write(tmp_path, "effect_measure,effect,effect_lower,effect_upper,study\n"
                           "RR,1.13,0.88,1.46,COMBAT-SHINE 28d\n")
    [row] = read_study_table(path)
    assert (row["study"], row["effect_measure"], row["effect"], row["events_trt"]) == \
        ("COMBAT-SHINE 28d", "RR", 1.13, None)
    assert row["effect_adjusted"] is None


def test_arm_summary_file_with_any_of_the_columns(tmp_path):
    path = write(tmp_path, "study,n_trt,median_trt,q1_trt,q3_trt,n_ctl,mean_ctl,sd_ctl,effect_measure,effect,"
                           "effect_lower,effect_upper,effect_adjusted\n"
                           "A,62,9,6,14,63,11,5,MD,-1.5,-3.1,0.1,yes\nB,40,,,,41,10.5,4,,,,,\n")
    with pytest.raises(InputError) as caught:
        read_study_table(path)
    # B gives only the control arm's summary
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "mean_trt")]
    path = write(tmp_path, path.read_text().replace("B,40,,,,41,10.5,4", "B,40,9.5,7,12,41,10.5,4"))
    a, b = read_study_table(path)
    assert (a["n_trt"], a["median_trt"], a["q3_trt"], a["mean_ctl"], a["sd_ctl"]) == (62, 9.0, 14.0, 11.0, 5.0)
    assert (a["effect_measure"], a["effect"], a["effect_adjusted"], a["min_trt"]) == ("MD", -1.5, "yes", None)
    assert rules.kinds(a) == ("medians", "reported") and rules.kinds(b) == ("medians",)


def test_v1_rr_columns_are_not_outcome_columns(tmp_path):
    """rr, rr_lower, rr_upper are gone: alone they are no outcome data, and the hint names effect_*."""
    path = write(tmp_path, "study,rr,rr_lower,rr_upper\nA,1.08,0.80,1.5\n")
    found = problems(path)
    assert_problem(found, path, 1, None, "no outcome columns: give events_trt")
    assert "'rr_lower' looks like 'effect_lower'" in found[0].message


def test_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "studies.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "\r\nA,1,10,2,10,,,,,x\r\nB,,,,,RR,2,1,4,y\r\n").encode("utf-8"))
    rows = read_study_table(path)
    assert [r["study"] for r in rows] == ["A", "B"] and rows[1]["agent_class"] == "y"


def test_missing_study_column_suggests_the_misspelling(tmp_path):
    path = write(tmp_path, "Study,effect_measure,effect,effect_lower,effect_upper\nA,RR,1,0.5,2\n")
    assert_problem(problems(path), path, 1, "study", "required column is missing; 'Study' looks like a misspelling")


def test_neither_counts_nor_rr_columns(tmp_path):
    path = write(tmp_path, "study,event_trt,RR\nA,1,2\n")
    found = problems(path)
    assert_problem(found, path, 1, None, "no outcome columns: give events_trt")
    assert "'event_trt' looks like 'events_trt'" in found[0].message


def test_partial_count_columns(tmp_path):
    path = write(tmp_path, "study,events_trt,total_trt,events_ctrl,total_ctl\nA,1,10,2,10\n")
    assert_problem(problems(path), path, 1, "events_ctl", "required column is missing; 'events_ctrl' looks like")


def test_partial_effect_columns(tmp_path):
    path = write(tmp_path, "study,effect,effect_upper\nA,1,2\n")
    found = problems(path)
    assert_problem(found, path, 1, "effect_lower", "required column is missing")
    assert_problem(found, path, 1, "effect_measure", "required column is missing")


def test_effect_adjusted_column_is_optional(tmp_path):
    path = write(tmp_path, "study,effect_measure,effect,effect_lower,effect_upper\nA,OR,1.2,0.9,1.6\n")
    assert read_study_table(path)[0]["effect_adjusted"] is None


@pytest.mark.parametrize("name", ["status", "yi", "weight_random", "reported", "converted"])
def test_reserved_column_name(tmp_path, name):
    path = write(tmp_path, f"study,effect_measure,effect,effect_lower,effect_upper,{name}\nA,RR,1,0.5,2,x\n")
    assert_problem(problems(path), path, 1, name, "reserved for the pooled output")


def test_repeated_and_blank_header_cells(tmp_path):
    path = write(tmp_path, "study,effect_measure,effect,effect_lower,effect_upper,group,group,\nA,RR,1,0.5,2,x,y,\n")
    found = problems(path)
    assert_problem(found, path, 1, "group", "more than once")
    assert_problem(found, path, 1, None, "header cell 8 is blank")


def test_duplicated_and_blank_study_names(tmp_path):
    path = write(tmp_path, "study,effect_measure,effect,effect_lower,effect_upper\nA,RR,1,0.5,2\n,RR,1,0.5,2\n"
                           "A,RR,1.1,0.5,2\n")
    found = problems(path)
    assert_problem(found, path, 3, "study", "blank; every row needs a study name")
    assert_problem(found, path, 4, "study", "'A' repeats row 2; study names must be unique")


@pytest.mark.parametrize(("cells", "column", "rule"), [
    ("-1,10,2,10,,,,", "events_trt", "-1 is negative"),
    ("1.5,10,2,10,,,,", "events_trt", "'1.5' is not a whole number"),
    ("x,10,2,10,,,,", "events_trt", "'x' is not a number"),
    ("1,0,2,10,,,,", "total_trt", "total is 0"),
    ("11,10,2,10,,,,", "events_trt", "events_trt (11) exceeds total_trt (10)"),
    ("1,10,,,,,,", "events_ctl", "give events for both arms or neither"),
    ("1,10,2,,,,,", "total_ctl", "give totals for both arms or neither"),
    (",10,,10,,,,", "events_trt", "blank while total_trt is given"),
    (",,,,RR,0,0.5,2", "effect", "0 is not positive"),
    (",,,,RR,1,1.2,2", "effect_lower", "effect_lower (1.2) is above effect (1)"),
    (",,,,RR,3,1.2,2", "effect_upper", "effect_upper (2) is below effect (3)"),
    (",,,,RR,1,,2", "effect_lower", "give the effect with both 95% CI bounds or none"),
])
def test_numeric_rules_shared_with_trial_tables(tmp_path, cells, column, rule):
    path = write(tmp_path, HEADER + f"\nA,{cells},x\n")
    assert_problem(problems(path), path, 2, column, rule)


FULL_HEADER = ("study",) + rules.DATA_COLUMNS


def full_table(tmp_path: Path, *cells: dict) -> Path:
    """A study table with every data column of measures.datakinds: a valid row A, then one row per ``cells``."""
    rows = [rule_cases.blank(**rule_cases.COUNTS)] + [rule_cases.blank(**c) for c in cells]
    lines = [",".join(FULL_HEADER)] + [",".join([f"s{i}"] + [r[c] for c in rules.DATA_COLUMNS])
                                       for i, r in enumerate(rows, start=1)]
    return write(tmp_path, "\n".join(lines) + "\n")


@pytest.mark.parametrize(("cells", "column", "rule"), rule_cases.RULES)
def test_rule(tmp_path, cells, column, rule):
    """Every rule of measures.datakinds, as on the trial tables (tests/rule_cases.py)."""
    path = full_table(tmp_path, cells)
    assert_problem(problems(path), path, 3, column, rule)


@pytest.mark.parametrize(("cells", "kinds"), rule_cases.VALID)
def test_valid_outcome_cells_load_with_their_kinds(tmp_path, cells, kinds):
    rows = read_study_table(full_table(tmp_path, cells))
    assert rules.kinds(rows[1]) == kinds and rules.kinds(rows[0]) == ("counts",)


@pytest.mark.parametrize(("content", "rule"), [
    (b"", "the file is empty"),
    (HEADER.encode() + b"\n", "header but no data rows"),
    (HEADER.encode() + b"\nA,1,10,2,10,,,,,caf\xe9\n", "not valid UTF-8: byte 0xe9"),
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
    path = write(tmp_path, HEADER + "\nA,1,10,2,10,,,,,x\nB,1,10\nC,-1,10,2,10,,,,,x\nA,,,,,RR,9,1,2,x\n")
    found = problems(path)
    assert [(p.row, p.column) for p in found] == [(3, None), (4, "events_trt"), (5, "study"), (5, "effect_upper")]


def test_every_problem_of_one_row_is_reported(tmp_path):
    """An unreadable count does not hide the broken effect triple on the same row."""
    path = write(tmp_path, HEADER + "\nA,-1,10,2,10,RR,1.5,,2,x\n")
    found = problems(path)
    assert [(p.row, p.column) for p in found] == [(2, "events_trt"), (2, "effect_lower")]
