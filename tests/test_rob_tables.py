"""load_rob reads risk-of-bias tables and reports every broken rule as file, row, column, rule."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import jsonschema
import pytest

from metapool.errors import InputError
from metapool.inputs import rob
from metapool.inputs.rob import attach_rob, load_rob, rob_files

from rob_examples import BASE, TEAM, rob_row, write_rob

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("trial,outcome,timepoint_days,d1,d1_support,d2,d2_support,d3,d3_support,d4,d4_support,"
           "d5,d5_support,overall,overall_support,assessor,source").split(",")
PUBLISHED = {"assessor": "Cochrane review (synthetic test row)", "source": "https://example.org/review",
             **{f"{c}_support": f'"Synthetic quoted sentence for {c}." [note: test]'
                for c in ("d1", "d2", "d3", "d4", "d5", "overall")}}
TRIAL_ROWS = [{"trial": "STRESS-L", "outcome": "all-cause mortality", "timepoint_days": 28},
              {"trial": "STRESS-L", "outcome": "all-cause mortality", "timepoint_days": 90}]


def problems_of(paths, **kwargs) -> list:
    table = load_rob(paths, **kwargs)
    with pytest.raises(InputError):
        table.raise_for_problems()
    return table.problems


def assert_problem(found, path, row, column, rule) -> None:
    hits = [p for p in found if p.file == str(path) and p.row == row and p.column == column and rule in p.message]
    assert hits, "\n".join(map(str, found))


# ---- the schema -----------------------------------------------------------------------------

def test_columns_exactly_as_specified():
    assert rob.columns() == tuple(COLUMNS)
    assert rob.schema()["required"] == COLUMNS


def test_schema_is_json_schema_2020_12_and_accepts_a_typed_row(tmp_path):
    jsonschema.Draft202012Validator.check_schema(rob.schema())
    row = load_rob([write_rob(tmp_path, [rob_row()])]).raise_for_problems().rows[0]
    typed = {c: row[c] for c in COLUMNS}
    jsonschema.Draft202012Validator(rob.schema()).validate(typed)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(rob.schema()).validate({**typed, "d1": "unclear"})


def test_schema_ships_as_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert any(fnmatch.fnmatch("rob.schema.yaml", pattern) for pattern in config["metapool.inputs"])
    assert rob.SCHEMA_PATH.parent == Path(rob.__file__).resolve().parent


# ---- a valid table ------------------------------------------------------------------------

def test_valid_rows_are_typed(tmp_path):
    path = write_rob(tmp_path, [rob_row(), rob_row(timepoint_days="90", **PUBLISHED)])
    table = load_rob([path], trial_rows=TRIAL_ROWS).raise_for_problems()
    assert table.ok and len(table) == 2
    first = table.rows[0]
    assert first["timepoint_days"] == 28 and first["d2"] == "some concerns" and first["row"] == 2
    assert first["file"] == str(path)
    assert table.lookup("STRESS-L", "All-cause mortality", 28) is first  # outcome case-insensitive
    assert table.lookup("STRESS-L", "all-cause mortality", 90)["source"] == "https://example.org/review"


def test_high_overall_with_two_some_concerns_is_accepted(tmp_path):
    path = write_rob(tmp_path, [rob_row(d3="some concerns", overall="high")])
    assert load_rob([path]).ok


def test_blank_timepoint_matches_a_blank_trial_timepoint(tmp_path):
    path = write_rob(tmp_path, [rob_row(timepoint_days="")])
    rows = [{"trial": "STRESS-L", "outcome": "all-cause mortality", "timepoint_days": None}]
    table = load_rob([path], trial_rows=rows).raise_for_problems()
    assert table.lookup("STRESS-L", "all-cause mortality", None) is not None


# ---- one broken rule at a time --------------------------------------------------------------

@pytest.mark.parametrize("column", ["d1", "d2", "d3", "d4", "d5", "overall"])
def test_unknown_judgment(tmp_path, column):
    path = write_rob(tmp_path, [rob_row(**{column: "moderate"})])
    assert_problem(problems_of([path]), path, 2, column, "'moderate' is not a RoB 2 judgment")


@pytest.mark.parametrize("value, hint", [("unclear", "RoB 1"), ("Low", "did you mean 'low'?"),
                                         ("high risk", "write 'high'")])
def test_unknown_judgment_hints(tmp_path, value, hint):
    path = write_rob(tmp_path, [rob_row(d1=value)])
    assert_problem(problems_of([path]), path, 2, "d1", hint)


@pytest.mark.parametrize("column", ["d1", "d2", "d3", "d4", "d5", "overall"])
def test_blank_judgment(tmp_path, column):
    path = write_rob(tmp_path, [rob_row(**{column: ""})])
    found = problems_of([path])
    assert_problem(found, path, 2, column, "every domain and the overall result need a judgment")
    assert not [p for p in found if p.column == f"{column}_support"]  # reported once, at the judgment


@pytest.mark.parametrize("column", ["d1", "d2", "d3", "d4", "d5", "overall"])
def test_missing_support_for_a_judgment(tmp_path, column):
    path = write_rob(tmp_path, [rob_row(**{f"{column}_support": ""})])
    assert_problem(problems_of([path]), path, 2, f"{column}_support",
                   f"blank while {column} is '{BASE[column]}'; every judgment needs the sentence behind it")


@pytest.mark.parametrize("column", ["assessor", "source", "trial", "outcome"])
def test_blank_required_text(tmp_path, column):
    path = write_rob(tmp_path, [rob_row(**{column: ""})])
    assert_problem(problems_of([path]), path, 2, column, "blank; this column is required")


@pytest.mark.parametrize("source", ["www.example.org", "Review team", "review team (synthetic)", "ftp://x"])
def test_source_is_a_url_or_review_team(tmp_path, source):
    path = write_rob(tmp_path, [rob_row(source=source)])
    assert_problem(problems_of([path]), path, 2, "source", "is neither a URL")


@pytest.mark.parametrize("value, rule", [("28.0", "not written as a whole number"), ("0", "at least 1"),
                                         ("four weeks", "is not a number")])
def test_timepoint(tmp_path, value, rule):
    path = write_rob(tmp_path, [rob_row(timepoint_days=value)])
    assert_problem(problems_of([path]), path, 2, "timepoint_days", rule)


@pytest.mark.parametrize("domains, overall, algorithm", [
    (("low",) * 5, "some concerns", "low"),
    (("low",) * 5, "high", "low"),
    (("low", "some concerns", "low", "low", "low"), "low", "some concerns"),
    (("low", "some concerns", "low", "low", "low"), "high", "some concerns"),  # only one some-concerns domain
    (("low", "high", "low", "low", "low"), "some concerns", "high"),
    (("high", "some concerns", "some concerns", "low", "low"), "low", "high"),
])
def test_overall_inconsistent_with_domains(tmp_path, domains, overall, algorithm):
    cells = dict(zip(("d1", "d2", "d3", "d4", "d5"), domains), overall=overall)
    path = write_rob(tmp_path, [rob_row(**cells)])
    found = problems_of([path])
    assert_problem(found, path, 2, "overall", f"'{overall}' does not follow from the domains")
    assert_problem(found, path, 2, "overall", f"RoB 2 gives '{algorithm}'")


def test_review_team_source_needs_review_team_assessor(tmp_path):
    path = write_rob(tmp_path, [rob_row(assessor="Smith 2020 (synthetic)")])
    assert_problem(problems_of([path]), path, 2, "assessor", "source is 'review team' but the assessor")


def test_review_team_assessor_needs_review_team_source(tmp_path):
    path = write_rob(tmp_path, [rob_row(source="https://example.org/x")])
    assert_problem(problems_of([path]), path, 2, "source", "the assessor is the review team but source is a URL")


@pytest.mark.parametrize("column", ["d1_support", "overall_support"])
def test_published_support_is_quoted(tmp_path, column):
    path = write_rob(tmp_path, [rob_row(**{**PUBLISHED, column: "Low risk: computer-generated sequence."})])
    assert_problem(problems_of([path]), path, 2, column, "a published assessment is quoted verbatim")


def test_duplicate_result(tmp_path):
    path = write_rob(tmp_path, [rob_row(), rob_row(outcome="All-cause mortality")])
    assert_problem(problems_of([path]), path, 3, "timepoint_days", f"duplicate of {path} row 2")


def test_file_name_is_the_trial_slug(tmp_path):
    path = write_rob(tmp_path, [rob_row()], name="stress.csv")
    assert_problem(problems_of([path]), path, 2, "trial", "belongs in 'stress-l.csv'")


def test_one_trial_per_file(tmp_path):
    path = write_rob(tmp_path, [rob_row(), rob_row(trial="Stress-L", timepoint_days="90")])
    assert_problem(problems_of([path]), path, 3, "trial", "one file holds one trial")


def test_header_rules(tmp_path):
    missing = write_rob(tmp_path, [rob_row()], name="stress-l.csv", header=COLUMNS[:-1])
    assert_problem(problems_of([missing]), missing, 1, "source", "required column is missing")
    (tmp_path / "b").mkdir()
    extra = write_rob(tmp_path / "b", [rob_row()], header=COLUMNS + ["notes"])
    assert_problem(problems_of([extra]), extra, 1, "notes", "unknown column")
    (tmp_path / "c").mkdir()
    order = write_rob(tmp_path / "c", [rob_row()], header=[COLUMNS[1], COLUMNS[0]] + COLUMNS[2:])
    assert_problem(problems_of([order]), order, 1, "outcome", "not in the required order")


@pytest.mark.parametrize("changes, column, rule", [
    ({"trial": "VANISH"}, "trial", "no trial table holds trial 'VANISH'"),
    ({"outcome": "organ failure"}, "outcome", "has no outcome 'organ failure'"),
    ({"timepoint_days": "60"}, "timepoint_days", "at 60 days (its timepoints: 28, 90)"),
])
def test_row_must_assess_a_result_of_the_trial_tables(tmp_path, changes, column, rule):
    name = "vanish.csv" if changes.get("trial") == "VANISH" else "stress-l.csv"
    path = write_rob(tmp_path, [rob_row(**changes)], name=name)
    assert load_rob([path]).ok  # without the trial rows nothing to match against
    assert_problem(problems_of([path], trial_rows=TRIAL_ROWS), path, 2, column, rule)


def test_unreadable_file(tmp_path):
    path = tmp_path / "stress-l.csv"
    path.write_bytes(b"")
    assert_problem(problems_of([path]), path, None, None, "the file is empty")


def test_every_problem_at_once_across_files(tmp_path):
    first = write_rob(tmp_path, [rob_row(d1="unclear", d2_support="", overall="low"),
                                 rob_row(timepoint_days="90", assessor="", source="somewhere")])
    second = write_rob(tmp_path, [rob_row(trial="VANISH", d5="high")], name="vanish.csv")
    found = problems_of([first, second])
    where = {(p.file, p.row, p.column) for p in found}
    assert {(str(first), 2, "d1"), (str(first), 2, "d2_support"), (str(first), 3, "assessor"),
            (str(first), 3, "source"), (str(second), 2, "overall")} <= where
    with pytest.raises(InputError) as caught:
        load_rob([first, second]).raise_for_problems()
    assert f"{len(found)} problems in the input" in str(caught.value)


# ---- not assessed -------------------------------------------------------------------------

def test_a_result_without_a_row_is_not_assessed(tmp_path):
    table = load_rob([write_rob(tmp_path, [rob_row()])]).raise_for_problems()
    studies = [{"study": "a", "trial": "STRESS-L", "outcome": "all-cause mortality", "timepoint_days": 28},
               {"study": "b", "trial": "STRESS-L", "outcome": "all-cause mortality", "timepoint_days": 90},
               {"study": "c", "trial": "VANISH", "outcome": "all-cause mortality", "timepoint_days": 28}]
    attached = attach_rob(studies, table)
    assert attached[0]["rob"]["d2"] == "some concerns" and attached[0]["rob"]["assessor"] == TEAM
    assert set(attached[0]["rob"]) == set(COLUMNS[3:])  # no file paths or row numbers in pooled.json
    assert attached[1]["rob"] is None and attached[2]["rob"] is None  # never inferred from 28 days
    assert "rob" not in studies[0]  # copies, not changed in place


def test_no_tables_means_nothing_assessed(tmp_path):
    table = load_rob(rob_files(tmp_path / "absent")).raise_for_problems()
    assert len(table) == 0
    assert attach_rob([{"trial": "X", "outcome": "y", "timepoint_days": 1}], table)[0]["rob"] is None


def test_the_review_has_no_published_assessment():
    """No quotable published RoB 2 assessment was found for the review's trials: data/rob/ holds
    no table, so every real result is 'not assessed'."""
    assert rob_files(ROOT / "data" / "rob") == []


def test_readme_documents_the_columns_and_rules():
    readme = (ROOT / "data" / "raw" / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Risk-of-bias tables"):]
    for column in COLUMNS:
        if not column.endswith("_support") or column == "overall_support":
            assert f"`{column}`" in section, column
    assert "`d1_support` ... `d5_support`" in section
    for judgment in ("`low`", "`some concerns`", "`high`", "`not assessed`", "`review team`"):
        assert judgment in section
