"""Raw trial tables (data/raw/<slug>.csv): read, type and validate them all at once.

The columns, which of them may be blank and the allowed values of status, agent_class
and comparator_class come from workflow/metapool/inputs/trials.schema.yaml; the rules that
involve several cells are documented in data/raw/README.md. Stdlib csv, no pandas:
this runs when Snakemake parses the workflow.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Sequence

from metapool.errors import InputError, Problem
from metapool import bounds
from metapool.measures import datakinds as rules
from metapool.inputs.csvread import (CellWording, Rows, Table, check_header, close_match, load_schema, parse_data,
                                      read_table, schema_cells, schema_columns)
from metapool.measures.datakinds import COUNTS
from metapool.measures.text import STATED_SETTINGS, timepoint_text  # noqa: F401 (re-exported)

SCHEMA_PATH = Path(__file__).resolve().with_name("trials.schema.yaml")


@dataclass
class TrialTable(Rows):
    """Validated rows of every raw table, in file then row order, and the warnings.

    Each row holds every schema column typed (str, int, float; None for a blank cell),
    plus `file` (path as given), `row` (spreadsheet row, header = 1) and `poolable`
    (the kinds of usable data, rules.kinds: "counts", "means", "medians", "reported"; empty
    when the row has none).
    """

    warnings: list[Problem] = field(default_factory=list)


def schema() -> dict:
    """The trial-table row schema (JSON Schema 2020-12) as a dict."""
    return load_schema(SCHEMA_PATH)


def columns() -> tuple[str, ...]:
    """Column names in the required order."""
    return schema_columns(schema())


def required_columns() -> tuple[str, ...]:
    """The columns every trial table has: all but the outcome data of measures.datakinds (a table
    leaves out the data columns it does not use; a blank column and a left-out one read alike)."""
    return tuple(c for c in columns() if c not in rules.DATA_COLUMNS)


def allowed_values(column: str) -> tuple[str, ...]:
    """The schema's enum for a column, e.g. allowed_values("agent_class")."""
    return tuple(schema()["properties"][column]["enum"])


def slugify(name: str) -> str:
    """File stem for a trial: lower case, runs of characters other than [a-z0-9] -> '-', ends stripped."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class OneTrialPerFile:
    """Rule: a file holds one trial, spelled the same on every row, in <slugify(trial)>.csv."""

    def __init__(self, file: str, hint: str):
        self.file = Path(file)
        self.hint = hint
        self.first: tuple[int, str] | None = None

    def check(self, number: int, trial: str, report) -> None:
        """Report (via ``report(column, message)``) a trial in the wrong file or spelled differently."""
        if not slugify(trial):
            report("trial", f"trial '{trial}' has no ASCII letter or digit, so it has no file name (the "
                            "slug keeps a-z and 0-9); add the trial's acronym or registry id in Latin "
                            f"letters, e.g. 'Liu 2019 {trial}', and name the file after it")
        elif slugify(trial) != self.file.stem:
            report("trial", f"trial '{trial}' belongs in '{slugify(trial)}.csv', not '{self.file.name}'; {self.hint}")
        if self.first is None:
            self.first = (number, trial)
        elif trial != self.first[1]:
            report("trial", f"'{trial}' differs from '{self.first[1]}' on row {self.first[0]}; "
                            "one file holds one trial, spelled the same on every row")


def study_label(row: dict) -> str:
    """Forest-plot label, one per trial and never nested parentheses: 'Legrand 2025 (I-MICRO)'; a
    trial named after its first author and year ('Patel 2010 dopamine') is its name; a trial named
    after its first author takes the year after it ('Liu terlipressin (NCT01697410)' -> 'Liu 2018
    terlipressin (NCT01697410)'); a trial name's own bracket becomes a comma ('ATHOS (pilot)' ->
    'Chawla 2014 (ATHOS, pilot)'), a subgroup's a population label after the trial ('SOAP II (septic
    shock subgroup)' -> 'De Backer 2010 (SOAP II), septic shock subgroup')."""
    lead = f"{row['first_author']} {row['year']}"
    trial = str(row["trial"])
    if trial.startswith(lead):
        return trial
    if trial.startswith(f"{row['first_author']} "):
        return f"{lead} {trial[len(str(row['first_author'])) + 1:]}"
    name, bracket, rest = trial.partition(" (")
    if bracket and rest.endswith(")"):
        rest = rest[:-1]
        return f"{lead} ({name}), {rest}" if "subgroup" in rest else f"{lead} ({name}, {rest})"
    return f"{lead} ({trial})"


def trial_files(directory: str | Path) -> list[Path]:
    """The raw tables of a directory (*.csv), sorted by name."""
    return sorted(Path(directory).glob("*.csv"))


def load_trials(paths: Sequence[str | Path]) -> TrialTable:
    """Read and validate every raw table; raise InputError listing every problem in all files.

    Checks the header of each file, every cell against the schema, the rules for the numbers
    (measures.datakinds), that each trial's slug is its file name, that status agrees with the
    numbers, and that trial x outcome x timepoint is unique across files.
    """
    table = TrialTable()
    problems: list[Problem] = []
    for path in paths:
        raw, found = read_table(path)
        if raw is not None:
            rows, in_rows, warned = _typed_rows(raw)
            found = sorted(found + in_rows, key=lambda p: p.row or 0)
            table.rows.extend(rows)
            table.warnings.extend(warned)
        problems.extend(found)
    problems.extend(_duplicates(table.rows))
    problems.extend(_shared_arms(table.rows))
    if problems:
        raise InputError(problems)
    return table


def _typed_rows(raw: Table) -> tuple[list[dict], list[Problem], list[Problem]]:
    """Typed rows of one file, the problems in its header and cells, and the warnings."""
    problems = check_header(raw.file, raw.header, required_columns(), allowed=columns(), ordered=True)
    rows: list[dict] = []
    warnings: list[Problem] = []
    one_trial = OneTrialPerFile(raw.file, "the file name must be the slug of the trial name")
    for number, cells in raw.records:
        def report(column: str | None, message: str, number: int = number) -> None:
            problems.append(Problem(raw.file, number, column, message))

        row = _typed_cells(cells, report)
        trial = row.get("trial")
        if trial:
            one_trial.check(number, trial, report)
        row.update(file=raw.file, row=number, poolable=rules.kinds(row))
        rows.append(row)
        if not problems:
            warnings.extend(_effect_disagreement(row, cells) + _quote_percentages(row))
    return rows, problems, warnings


def _typed_cells(cells: dict[str, str], report) -> dict:
    """Every schema column of one row typed, reporting cells that break the schema."""
    properties = schema()["properties"]
    numbers = parse_data(cells, report)
    row = schema_cells(cells, {c: spec for c, spec in properties.items() if c not in rules.DATA_COLUMNS},
                       WORDING, report)
    row = {c: numbers.get(c) if c in rules.DATA_COLUMNS else row[c] for c in properties}
    _check_status(cells, row, report)
    return row


def _integer(column: str, spec: dict, value: int) -> str | None:
    """year between the schema's minimum and next year; timepoint_days within bounds; else the minimum."""
    if column == "year":
        first, last = spec["minimum"], datetime.date.today().year + 1
        return None if first <= value <= last else f"year {value} is out of range {first}..{last}"
    if "minimum" in spec and value < spec["minimum"]:
        rule = "a positive whole number" if spec["minimum"] == 1 else f"at least {spec['minimum']}"
        return f"{value} is not allowed; {column} must be {rule}"
    if column == "timepoint_days":
        return bounds.timepoint_problem(value)
    return None


def _not_allowed(column: str, spec: dict, text: str) -> str:
    allowed = [value for value in spec["enum"] if value is not None]  # null: the cell may be blank
    guess = close_match(text, allowed)
    hint = f"; did you mean '{guess}'?" if guess else ""
    blank = " or blank" if None in spec["enum"] else ""
    return f"'{text}' is not an allowed {column} (allowed: {', '.join(allowed)}{blank}){hint}"


WORDING = CellWording(blank=lambda column: "blank; this column is required", integer=_integer, enum=_not_allowed,
                      pattern=lambda column, spec, text: f"'{text}' does not look like a {column} (pattern {spec['pattern']})")


def _check_status(cells: dict[str, str], row: dict, report) -> None:
    """status 'missing' exactly when no count, arm summary or reported effect is given."""
    status = row.get("status")
    if status is None:
        return
    numbers = any(cells.get(c, "") != "" for c in rules.NUMBERS)
    if status == "missing" and numbers:
        report("status", "is 'missing' but numbers are given; use 'verbatim' or 'derived'")
    elif status != "missing" and not numbers:
        report("status", f"is '{status}' but no count, arm summary or effect is given; use 'missing'")


def _duplicates(rows: list[dict]) -> list[Problem]:
    """Rows repeating a trial x agent x comparator x outcome x timepoint seen earlier (in any file;
    a multi-arm trial has one row per comparison)."""
    seen: dict[tuple, dict] = {}
    problems = []
    for row in rows:
        if not all(row.get(c) for c in ("trial", "outcome", "agent", "comparator")):
            continue
        key = (slugify(row["trial"]), row["agent"].casefold(), row["comparator"].casefold(),
               row["outcome"].casefold(), row["timepoint_days"])
        if key in seen:
            first = seen[key]
            problems.append(Problem(row["file"], row["row"], "timepoint_days",
                                    f"duplicate of {first['file']} row {first['row']}: "
                                    "trial x agent x comparator x outcome x timepoint_days must be unique"))
        else:
            seen[key] = row
    return problems


CONTROL_ARM = tuple(c for c in rules.DATA_COLUMNS if c.endswith("_ctl"))


def _shared_arms(rows: list[dict]) -> list[Problem]:
    """A multi-arm trial's rows of one outcome and time point with the same comparator share that
    control arm: each must repeat the first such row's control-arm numbers (CONTROL_ARM) exactly.
    Rows that give no control-arm number (no data, or only a reported effect) are not compared."""
    first: dict[tuple, dict] = {}
    problems = []
    for row in rows:
        if not all(row.get(c) for c in ("trial", "outcome", "comparator")):
            continue
        if all(row.get(c) is None for c in CONTROL_ARM):
            continue
        key = (slugify(row["trial"]), row["outcome"].casefold(), row["timepoint_days"], row["comparator"].casefold())
        shared = first.setdefault(key, row)
        for column in CONTROL_ARM:
            if row.get(column) != shared.get(column):
                problems.append(Problem(row["file"], row["row"], column,
                                        f"{column} = {_cell(row.get(column))} but row {shared['row']} "
                                        f"({shared['agent']} vs {shared['comparator']}) gives "
                                        f"{_cell(shared.get(column))}: comparisons of one trial, outcome and "
                                        "time point against the same comparator share its arm and must repeat "
                                        "its numbers identically"))
                break
    return problems


def _cell(value) -> str:
    return "blank" if value is None else str(value)


# ---- warnings: numbers that disagree with each other ---------------------------------

def _effect_disagreement(row: dict, cells: dict[str, str]) -> list[Problem]:
    """Warn when a reported RR, OR or RD, and the same measure from the counts rounded half-up to
    the reported value's decimals, differ by more than 1 in the last reported digit (skipped
    when a cell is zero)."""
    measure = row.get("effect_measure")
    if measure not in ("RR", "OR", "RD") or not all(row[c] is not None for c in COUNTS + ("effect",)):
        return []
    a, n1, c, n2 = (row[k] for k in COUNTS)
    if 0 in (a, c, n1 - a, n2 - c):
        return []
    from_counts = {"RR": (a / n1) / (c / n2), "OR": (a * (n2 - c)) / (c * (n1 - a)), "RD": a / n1 - c / n2}[measure]
    reported = Decimal(cells["effect"])
    unit = Decimal(1).scaleb(reported.as_tuple().exponent)
    rounded = Decimal(repr(from_counts)).quantize(unit, rounding=ROUND_HALF_UP)
    if abs(rounded - reported) <= unit:
        return []
    return [Problem(row["file"], row["row"], "effect",
                    f"warning: the counts give {measure} {from_counts:.3f} ({a}/{n1} vs {c}/{n2}) but the reported "
                    f"effect is {cells['effect']} (95% CI {cells['effect_lower']} to {cells['effect_upper']}); they "
                    "differ by more than 1 in the last reported digit")]


_PCT = r"\s*[(\[]\s*(\d+(?:\.\d+)?)\s*%\s*[)\]]"
_N_OF_M_PCT = re.compile(r"(?<![\d.,/])(\d+)\s*(?:of|/)\s*(\d+)(?:\s+patients)?" + _PCT)
_PCT_N_OF_M = re.compile(r"(?<![\d.,/])(\d+(?:\.\d+)?)\s*%\s*[(\[]\s*(\d+)\s*(?:of|/)\s*(\d+)\s*[)\]]")
_N_PCT = re.compile(r"(?<![\d.,/])(\d+)(?:\s+patients)?" + _PCT)
_TRAILING_NOTES = re.compile(r"(\s*\[[^\[\]]*\])+\s*$")


def quoted_percentages(quote: str) -> list[tuple[int, int | None, str]]:
    """(n, m or None, percent text) for 'n of m (p%)', 'n/m (p%)', 'p% (n of m)' and
    'n (p%)' / 'n patients [p%]' in the quote, ignoring trailing [bracketed notes]."""
    text = _TRAILING_NOTES.sub("", quote)
    found, taken = [], []
    for match in _N_OF_M_PCT.finditer(text):
        found.append((int(match[1]), int(match[2]), match[3]))
        taken.append(match.span())
    for match in _PCT_N_OF_M.finditer(text):
        found.append((int(match[2]), int(match[3]), match[1]))
        taken.append(match.span())
    for match in _N_PCT.finditer(text):
        if not any(start <= match.start() < end for start, end in taken):
            found.append((int(match[1]), None, match[2]))
    return found


def _percent_matches(n: int, m: int, percent: str) -> bool:
    """100 n / m within 1 in the last digit of the quoted percentage."""
    places = len(percent.split(".")[1]) if "." in percent else 0
    return abs(100 * n / m - float(percent)) <= 10.0 ** -places + 1e-9


def _quote_percentages(row: dict) -> list[Problem]:
    """Warn when a percentage in the quote disagrees with its own n of m, or with
    events/total of the one arm whose events equal its n (only when that total is given)."""
    problems = []
    for n, m, percent in quoted_percentages(row["quote"]):
        checks = [(m, f"{n} of {m} in the quote")] if m else []
        arms = [arm for arm in ("trt", "ctl") if row[f"events_{arm}"] == n and row[f"total_{arm}"] is not None]
        totals = {row[f"total_{arm}"] for arm in arms}
        if len(totals) == 1 and m not in totals:
            total = totals.pop()
            checks.append((total, f"events_{arms[0]}/total_{arms[0]} = {n}/{total}"))
        for denominator, what in checks:
            if not _percent_matches(n, denominator, percent):
                problems.append(Problem(row["file"], row["row"], "quote",
                                        f"warning: the quote gives {percent}% but {what} is "
                                        f"{100 * n / denominator:.1f}%"))
    return problems
