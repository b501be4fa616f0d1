"""load_trials rejects every kind of bad raw table, naming file, row, column and the rule."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest

import rule_cases
from metapool.errors import InputError
from metapool.measures import datakinds as rules
from metapool.inputs.trials import allowed_values, columns, load_trials

FIXTURES = Path(__file__).parent / "data" / "bad_inputs"

# STRESS-L day 28 as in data/raw/stress-l.csv (shortened quote): a valid row to break.
BASE = {
    "trial": "STRESS-L", "first_author": "Whitehouse", "year": "2023", "journal": "JAMA",
    "doi": "10.1001/jama.2023.20134", "pmid": "37877587", "agent": "landiolol",
    "agent_class": "beta-1 blocker", "comparator": "standard care", "comparator_class": "standard care",
    "role": "adjunct", "population": "septic shock with tachycardia", "septic_shock_only": "yes",
    "blinding": "open-label", "outcome": "all-cause mortality", "timepoint_days": "28",
    **rule_cases.blank(**rule_cases.COUNTS), "status": "verbatim",
    "quote": '"Mortality at day 28 ... was 37.1% (23 of 62) and 25.4% (16 of 63)"',
    "source": "https://pharmaconews.net/landiolol-effects-on-organ-failure-from-septic-shock",
    "source_kind": "primary",
}


def csv_text(rows: list[dict], header: list[str] | None = None, newline: str = "\n") -> str:
    header = list(columns()) if header is None else header
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return out.getvalue()


def write(directory: Path, rows: list[dict], name: str = "stress-l.csv", **kwargs) -> Path:
    path = directory / name
    path.write_text(csv_text(rows, **kwargs), encoding="utf-8", newline="")
    return path


def row(**changes: str) -> dict:
    return {**BASE, **changes}


def problems(paths: list[Path]) -> list:
    with pytest.raises(InputError) as caught:
        load_trials(paths)
    return caught.value.problems


def assert_problem(found: list, path: Path, row_number: int | None, column: str | None, rule: str) -> None:
    """One problem names this file, row and column, and its message states the rule."""
    hits = [p for p in found if p.file == str(path) and p.row == row_number and p.column == column
            and rule in p.message]
    assert hits, "\n".join(map(str, found))
    text = str(hits[0])
    assert path.name in text and rule in text
    if row_number is not None:
        assert f"row {row_number}" in text
    if column is not None:
        assert f"column '{column}'" in text


def test_valid_base_row_loads(tmp_path):
    table = load_trials([write(tmp_path, [row()])])
    assert len(table) == 1 and table.warnings == []
    loaded = table.rows[0]
    assert (loaded["events_trt"], loaded["total_trt"], loaded["effect"], loaded["poolable"]) == \
        (23, 62, None, ("counts",))
    assert (loaded["role"], loaded["septic_shock_only"], loaded["blinding"]) == ("adjunct", "yes", "open-label")
    assert all(loaded[c] is None for c in rules.CONTINUOUS + rules.REPORTED)
    assert (loaded["file"], loaded["row"], loaded["year"]) == (str(tmp_path / "stress-l.csv"), 2, 2023)


# ---- whole-file and header problems -------------------------------------------------

def test_missing_column(tmp_path):
    header = [c for c in columns() if c != "journal"]
    path = write(tmp_path, [row()], header=header)
    assert_problem(problems([path]), path, 1, "journal", "required column is missing")


def test_misspelled_column_suggests_the_close_match(tmp_path):
    header = ["outcom" if c == "outcome" else c for c in columns()]
    path = write(tmp_path, [{**row(), "outcom": "all-cause mortality"}], header=header)
    found = problems([path])
    assert_problem(found, path, 1, "outcome", "'outcom' looks like a misspelling")
    assert_problem(found, path, 1, "outcom", "unknown column; did you mean 'outcome'?")


def test_extra_unknown_column(tmp_path):
    path = write(tmp_path, [{**row(), "notes": "x"}], header=[*columns(), "notes"])
    assert_problem(problems([path]), path, 1, "notes", "unknown column")


def test_a_table_leaves_out_the_data_columns_it_does_not_use(tmp_path):
    header = [c for c in columns() if c not in rules.CONTINUOUS + rules.REPORTED]
    full = load_trials([write(tmp_path, [row()], name="stress-l.csv")]).rows
    (short,) = load_trials([write(tmp_path / "", [row()], name="stress-l.csv", header=header)]).rows
    assert short == {**full[0], "file": short["file"]}
    assert short["poolable"] == ("counts",) and short["mean_trt"] is None


def test_a_left_out_column_still_breaks_the_rules_and_the_order(tmp_path):
    header = [c for c in columns() if c not in ("total_ctl", "quote")]
    found = problems([write(tmp_path, [row()], header=header)])
    assert_problem(found, tmp_path / "stress-l.csv", 1, "quote", "required column is missing")
    assert_problem(found, tmp_path / "stress-l.csv", 2, "total_ctl", "blank while total_trt is given")
    swapped = [c for c in columns() if c not in rules.CONTINUOUS]
    i, j = swapped.index("total_ctl"), swapped.index("effect")
    swapped[i], swapped[j] = swapped[j], swapped[i]
    path = write(tmp_path, [row()], header=swapped)
    assert_problem(problems([path]), path, 1, "effect", "not in the required order")


def test_columns_out_of_order(tmp_path):
    header = list(columns())
    header[1], header[2] = header[2], header[1]
    path = write(tmp_path, [row()], header=header)
    assert_problem(problems([path]), path, 1, "year", "not in the required order")


def test_repeated_column(tmp_path):
    path = write(tmp_path, [row()], header=[*columns(), "quote"])
    assert_problem(problems([path]), path, 1, "quote", "more than once")


@pytest.mark.parametrize("content", [b"", b"  \n\r\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "stress-l.csv"
    path.write_bytes(content)
    assert_problem(problems([path]), path, None, None, "the file is empty")


def test_header_only(tmp_path):
    path = write(tmp_path, [])
    assert_problem(problems([path]), path, None, None, "header but no data rows")


def test_not_utf8_names_byte_and_row(tmp_path):
    text = csv_text([row(), row(timepoint_days="90", first_author="Whitehouse")])
    data = text.replace("Whitehouse", "Wh\u00eftehouse").encode("utf-8")
    lines = data.split(b"\n")
    lines[2] = lines[2].decode("utf-8").encode("latin-1")  # row 3 saved as Latin-1
    path = tmp_path / "stress-l.csv"
    path.write_bytes(b"\n".join(lines))
    found = problems([path])
    assert_problem(found, path, 3, None, "not valid UTF-8: byte 0xef")
    assert "(line 3)" in found[0].message


def test_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "stress-l.csv"
    text = csv_text([row(), row(timepoint_days="90")], newline="\r\n")
    assert "\r\n" in text
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    table = load_trials([path])
    assert [r["timepoint_days"] for r in table] == [28, 90]
    assert table.rows[0]["trial"] == "STRESS-L" and table.rows[1]["source"] == BASE["source"]
    assert [r["row"] for r in table] == [2, 3]


def test_row_with_wrong_number_of_cells(tmp_path):
    path = tmp_path / "stress-l.csv"
    path.write_text(csv_text([row()]) + "STRESS-L,Whitehouse,2023\n", encoding="utf-8")
    assert_problem(problems([path]), path, 3, None, f"the row has 3 cells but the header has {len(columns())} columns")


def test_field_beyond_the_csv_limit(tmp_path):
    path = write(tmp_path, [row(quote="x" * 200_000)])
    assert_problem(problems([path]), path, 2, None, "not a readable CSV file: field larger than field limit")


# ---- counts ------------------------------------------------------------------------

@pytest.mark.parametrize(("column", "value", "rule"), [
    ("events_trt", "-3", "-3 is negative; must be 0 or more"),
    ("total_ctl", "-63", "-63 is negative"),
    ("events_ctl", "4.5", "'4.5' is not a whole number"),
    ("events_trt", "23.0", "'23.0' is not written as a whole number (write 23)"),
    ("total_trt", "n/a", "'n/a' is not a number"),
    ("events_ctl", "sixteen", "'sixteen' is not a number"),
    ("total_trt", "0", "total is 0; an arm needs at least 1 patient"),
    ("events_ctl", "9" * 5000, "has 5000 characters; too large for a count"),
])
def test_bad_count_cell(tmp_path, column, value, rule):
    path = write(tmp_path, [row(**{column: value})])
    assert_problem(problems([path]), path, 2, column, rule)


def test_events_exceed_total(tmp_path):
    path = write(tmp_path, [row(events_ctl="64")])
    assert_problem(problems([path]), path, 2, "events_ctl", "events_ctl (64) exceeds total_ctl (63)")


def test_total_without_events(tmp_path):
    path = write(tmp_path, [row(events_trt="", events_ctl="")])
    found = problems([path])
    assert_problem(found, path, 2, "events_trt", "blank while total_trt is given")
    assert_problem(found, path, 2, "events_ctl", "blank while total_ctl is given")


def test_events_in_one_arm_only(tmp_path):
    path = write(tmp_path, [row(events_ctl="", total_ctl="")])
    assert_problem(problems([path]), path, 2, "events_ctl", "blank while events_trt is given; give events for both arms")


def test_total_in_one_arm_only(tmp_path):
    path = write(tmp_path, [row(total_trt="")])
    assert_problem(problems([path]), path, 2, "total_trt", "blank while total_ctl is given; give totals for both arms")


def test_events_without_totals_are_allowed_but_not_counts(tmp_path):
    """I-MICRO: deaths printed, arm denominators not: valid, pooled from its RR if it has one."""
    path = write(tmp_path, [row(total_trt="", total_ctl=""),
                            row(timepoint_days="90", total_trt="", total_ctl="",
                                effect_measure="RR", effect="1.08", effect_lower="0.80", effect_upper="1.5")])
    table = load_trials([path])
    assert [r["poolable"] for r in table] == [(), ("reported",)]
    assert (table.rows[0]["events_trt"], table.rows[0]["total_trt"]) == (23, None)


# ---- reported effect ---------------------------------------------------------------

@pytest.mark.parametrize(("column", "value", "rule"), [
    ("effect", "0", "0 is not positive"),
    ("effect_lower", "-0.5", "-0.5 is not positive"),
    ("effect_upper", "high", "'high' is not a number"),
    ("effect", "nan", "'nan' is not a finite number"),
    ("effect_upper", "inf", "'inf' is not a finite number"),
])
def test_bad_effect_cell(tmp_path, column, value, rule):
    triple = {"effect_measure": "RR", "effect": "1.1", "effect_lower": "0.9", "effect_upper": "1.4", column: value}
    path = write(tmp_path, [row(**triple)])
    assert_problem(problems([path]), path, 2, column, rule)


@pytest.mark.parametrize(("triple", "column", "rule"), [
    (("1.1", "1.2", "1.4"), "effect_lower", "effect_lower (1.2) is above effect (1.1)"),
    (("1.5", "0.9", "1.4"), "effect_upper", "effect_upper (1.4) is below effect (1.5)"),
    (("1.1", "1.1", "1.1"), "effect_upper", "a zero-width CI has no variance"),
    (("1.1", "", "1.4"), "effect_lower", "blank while effect, effect_upper given"),
    (("1.1", "", ""), "effect_upper", "give the effect with both 95% CI bounds or none"),
    (("", "0.9", "1.4"), "effect", "blank while effect_lower, effect_upper given"),
])
def test_inconsistent_effect_triple(tmp_path, triple, column, rule):
    path = write(tmp_path, [row(effect_measure="RR", effect=triple[0], effect_lower=triple[1], effect_upper=triple[2])])
    assert_problem(problems([path]), path, 2, column, rule)


# ---- every rule of measures.datakinds, on a trial table (rule_cases; the study table runs the same) ----

def data_row(cells: dict, **changes: str) -> dict:
    """BASE with its outcome cells replaced by ``cells`` (a continuous outcome when there are no counts)."""
    outcome = BASE["outcome"] if any(cells.get(c) for c in rules.COUNTS) else "days in ICU"
    return row(**rule_cases.blank(**cells), outcome=outcome, **changes)


@pytest.mark.parametrize(("cells", "column", "rule"), rule_cases.RULES)
def test_rule(tmp_path, cells, column, rule):
    path = write(tmp_path, [row(timepoint_days="90"), data_row(cells)])
    assert_problem(problems([path]), path, 3, column, rule)


@pytest.mark.parametrize(("cells", "kinds"), rule_cases.VALID)
def test_valid_outcome_cells_load_with_their_kinds(tmp_path, cells, kinds):
    table = load_trials([write(tmp_path, [data_row(cells)])])
    assert table.rows[0]["poolable"] == kinds and table.warnings == []


def test_outcome_cells_are_typed(tmp_path):
    cells = {**rule_cases.MEDIANS, "mean_trt": "10.2", "sd_trt": "4.1", "effect_measure": "md", "effect": "-1",
             "effect_lower": "-2.5", "effect_upper": "0.5", "effect_adjusted": "YES"}
    loaded = load_trials([write(tmp_path, [data_row(cells)])]).rows[0]
    assert (loaded["n_trt"], loaded["median_trt"], loaded["q1_ctl"], loaded["max_ctl"]) == (62, 9.0, 7.0, 30.0)
    assert isinstance(loaded["n_trt"], int) and isinstance(loaded["median_trt"], float)
    assert (loaded["mean_trt"], loaded["sd_trt"], loaded["mean_ctl"]) == (10.2, 4.1, None)
    assert (loaded["effect_measure"], loaded["effect"], loaded["effect_adjusted"]) == ("MD", -1.0, "yes")
    assert loaded["poolable"] == ("medians", "reported")


@pytest.mark.parametrize(("column", "value", "rule"), [
    ("n_trt", "62.0", "'62.0' is not written as a whole number (write 62)"),
    ("n_ctl", "-63", "-63 is negative"),
    ("mean_trt", "ten", "'ten' is not a number"),
    ("sd_ctl", "inf", "'inf' is not a finite number"),
    ("median_trt", "9,5", "'9,5' is not a number"),
])
def test_bad_arm_summary_cell(tmp_path, column, value, rule):
    cells = {**rule_cases.MEANS, "median_trt": "9", "q1_trt": "6", "q3_trt": "14", column: value}
    path = write(tmp_path, [data_row(cells)])
    assert_problem(problems([path]), path, 2, column, rule)


# ---- other cells -------------------------------------------------------------------

def test_duplicate_trial_outcome_timepoint_in_one_file(tmp_path):
    path = write(tmp_path, [row(), row(), row(timepoint_days="90")])
    found = problems([path])
    assert_problem(found, path, 3, "timepoint_days", f"duplicate of {path} row 2")
    assert len(found) == 1


def test_duplicate_across_files(tmp_path):
    first = write(tmp_path, [row()])
    second = write(tmp_path, [row(trial="Stress-L")], name="stress-l-copy.csv")
    found = problems([first, second])
    assert_problem(found, second, 2, "timepoint_days", f"duplicate of {first} row 2: trial x agent x comparator x outcome x timepoint_days")
    assert_problem(found, second, 2, "trial", "belongs in 'stress-l.csv', not 'stress-l-copy.csv'")


def test_trial_slug_differs_from_file_name(tmp_path):
    path = write(tmp_path, [row()], name="stressl.csv")
    assert_problem(problems([path]), path, 2, "trial", "trial 'STRESS-L' belongs in 'stress-l.csv', not 'stressl.csv'")


def test_trial_spelled_differently_within_a_file(tmp_path):
    path = write(tmp_path, [row(), row(trial="Stress L", timepoint_days="90")])
    assert_problem(problems([path]), path, 3, "trial", "'Stress L' differs from 'STRESS-L' on row 2")


@pytest.mark.parametrize(("value", "rule"), [
    ("1949", "year 1949 is out of range 1950.."),
    (str(datetime.date.today().year + 2), "is out of range 1950.."),
    ("2023a", "'2023a' is not a number"),
    ("", "blank; this column is required"),
])
def test_year(tmp_path, value, rule):
    path = write(tmp_path, [row(year=value)])
    assert_problem(problems([path]), path, 2, "year", rule)


def test_next_year_is_allowed(tmp_path):
    path = write(tmp_path, [row(year=str(datetime.date.today().year + 1))])
    assert load_trials([path]).rows[0]["year"] == datetime.date.today().year + 1


def test_unknown_status(tmp_path):
    path = write(tmp_path, [row(status="reported")])
    assert_problem(problems([path]), path, 2, "status",
                   "'reported' is not an allowed status (allowed: verbatim, derived, missing)")


NO_COUNTS = dict.fromkeys(rules.COUNTS, "")


@pytest.mark.parametrize(("changes", "rule"), [
    ({"status": "missing"}, "is 'missing' but numbers are given; use 'verbatim' or 'derived'"),
    ({**NO_COUNTS, "status": "missing", **rule_cases.EFFECT}, "is 'missing' but numbers are given"),
    ({**NO_COUNTS, "status": "missing", **rule_cases.MEANS}, "is 'missing' but numbers are given"),
    ({**NO_COUNTS, "status": "missing", "events_trt": "48", "events_ctl": "47"}, "is 'missing' but numbers are given"),
    ({**NO_COUNTS, "status": "missing", "n_trt": "62", "n_ctl": "63"}, "is 'missing' but numbers are given"),
    (NO_COUNTS, "is 'verbatim' but no count, arm summary or effect is given; use 'missing'"),
    ({**NO_COUNTS, "status": "derived"}, "is 'derived' but no count, arm summary or effect is given"),
    ({**NO_COUNTS, "effect_measure": "RR", "effect_adjusted": "no"},
     "is 'verbatim' but no count, arm summary or effect"),
])
def test_status_disagrees_with_numbers(tmp_path, changes, rule):
    path = write(tmp_path, [row(**changes)])
    assert_problem(problems([path]), path, 2, "status", rule)


@pytest.mark.parametrize("changes", [
    {**NO_COUNTS, **rule_cases.EFFECT},  # COMBAT-SHINE: only a reported RR, printed: verbatim
    {**NO_COUNTS, **rule_cases.MEDIANS, "outcome": "days in ICU", "status": "derived"},
    {**NO_COUNTS, "status": "missing"},
])
def test_status_agrees_with_numbers(tmp_path, changes):
    table = load_trials([write(tmp_path, [row(**changes)])])
    assert table.rows[0]["status"] == changes.get("status", "verbatim")


def test_agent_class_not_in_list(tmp_path):
    path = write(tmp_path, [row(agent_class="beta1 blocker")])
    assert_problem(problems([path]), path, 2, "agent_class", "is not an allowed agent_class")
    assert_problem(problems([path]), path, 2, "agent_class", "did you mean 'beta-1 blocker'?")


def test_comparator_class_not_in_list(tmp_path):
    path = write(tmp_path, [row(comparator_class="usual care")])
    assert_problem(problems([path]), path, 2, "comparator_class",
                   "'usual care' is not an allowed comparator_class (allowed: placebo, standard care, norepinephrine, "
                   "other catecholamine)")


@pytest.mark.parametrize(("column", "value", "rule"), [
    ("role", "add-on", "'add-on' is not an allowed role (allowed: first-line, added to catecholamines, rescue, "
                       "early start, adjunct)"),
    ("role", "Adjunct", "did you mean 'adjunct'?"),
    ("role", "", "blank; this column is required"),
    ("septic_shock_only", "y", "'y' is not an allowed septic_shock_only (allowed: yes, no)"),
    ("septic_shock_only", "", "blank; this column is required"),
    ("blinding", "double blind", "did you mean 'double-blind'?"),
    ("blinding", "masked", "'masked' is not an allowed blinding (allowed: double-blind, single-blind, open-label "
                           "or blank)"),
])
def test_trial_design_cells(tmp_path, column, value, rule):
    path = write(tmp_path, [row(**{column: value})])
    assert_problem(problems([path]), path, 2, column, rule)


def test_blank_blinding_is_allowed(tmp_path):
    path = write(tmp_path, [row(blinding="")])
    assert load_trials([path]).rows[0]["blinding"] is None
    assert None in allowed_values("blinding")


@pytest.mark.parametrize(("value", "rule"), [
    ("0", "timepoint_days must be a positive whole number"),
    ("-28", "timepoint_days must be a positive whole number"),
    ("28.5", "'28.5' is not a whole number"),
    ("day 28", "'day 28' is not a number"),
])
def test_timepoint_not_positive_integer(tmp_path, value, rule):
    path = write(tmp_path, [row(timepoint_days=value)])
    assert_problem(problems([path]), path, 2, "timepoint_days", rule)


def test_blank_timepoint_is_allowed(tmp_path):
    path = write(tmp_path, [row(timepoint_days="")])
    assert load_trials([path]).rows[0]["timepoint_days"] is None


@pytest.mark.parametrize(("column", "value", "rule"), [
    ("first_author", "", "blank; this column is required"),
    ("quote", "  ", "blank; this column is required"),
    ("doi", "doi:10.1001/jama.2023.20134", "does not look like a doi"),
    ("pmid", "0", "pmid must be a positive whole number"),
])
def test_other_cells(tmp_path, column, value, rule):
    path = write(tmp_path, [row(**{column: value})])
    assert_problem(problems([path]), path, 2, column, rule)


# ---- every problem, in every file, before anything is used ----------------------------

def test_every_problem_in_every_file_is_reported(tmp_path):
    first = write(tmp_path, [row(events_trt="-1", effect="2"), row(timepoint_days="90", status="unsure")])
    (tmp_path / "vasst.csv").write_bytes(b"")
    second = tmp_path / "vasst.csv"
    found = problems([first, second])
    assert_problem(found, first, 2, "events_trt", "negative")
    assert_problem(found, first, 2, "effect_lower", "blank while effect given")
    assert_problem(found, first, 3, "status", "'unsure' is not an allowed status")
    assert_problem(found, second, None, None, "empty")
    message = str(InputError(found))
    assert message.startswith(f"{len(found)} problems in the input:")


def test_fixture_directory_reports_each_file(tmp_path):
    """tests/data/bad_inputs/: hand-written broken tables as contributors make them."""
    paths = sorted(FIXTURES.glob("*.csv"))
    assert paths
    found = problems(paths)
    for path in paths:
        assert any(p.file == str(path) for p in found), path


def test_each_fixture_reports_its_defect():
    """The defects tests/data/bad_inputs/README.md lists, each named by file, row and column."""
    found = problems(sorted(FIXTURES.glob("*.csv")))
    vasst, athos, vancs, censer = (FIXTURES / f"{name}.csv" for name in ("vasst", "athos-3", "vancs-ii", "censer"))
    assert_problem(found, vasst, 2, None, "not valid UTF-8: byte 0x96")
    assert_problem(found, athos, 1, "event_ctl", "unknown column; did you mean 'events_ctl'?")  # data columns may be left out
    assert_problem(found, athos, 2, "total_trt", "'163.0' is not written as a whole number (write 163)")
    assert_problem(found, vancs, 2, "effect", "'0.93 [0.55-1.56]' is not a number")
    assert_problem(found, vancs, 3, "events_ctl", "events_ctl (194) exceeds total_ctl (125)")
    assert_problem(found, censer, None, None, "the file is empty")
    assert {p.file for p in found} == {str(p) for p in (vasst, athos, vancs, censer)}
    assert len(found) == 6  # and nothing else: the misspelt data column is an unknown one (data columns may be left out)
