"""Reading outcome tables from CSV: bytes to records, and cell parsers.

Shared by the raw trial tables (`inputs.trials`) and the CLI's study table
(`inputs.studytable`); the rules for the numbers are `measures.datakinds`, so both apply one set. Everything reports
`metapool.errors.Problem`s (file, 1-based spreadsheet row with the header as row 1,
column, rule) instead of raising on the first error. Stdlib only: this runs while
Snakemake parses the workflow.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import yaml

from metapool.errors import Problem
from metapool.measures import datakinds as rules


_BOM = b"\xef\xbb\xbf"
_BARE_CR = re.compile(r"\r(?!\n)")
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")

Report = Callable[[str, str], None]  # report(column, rule broken)



@lru_cache(maxsize=None)
def load_schema(path: Path) -> dict:
    """A table's row schema (JSON Schema 2020-12 in YAML) as a dict, read once per process."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def schema_columns(schema: dict) -> tuple[str, ...]:
    """Column names in the required order (the order of the schema's properties)."""
    return tuple(schema["properties"])

@dataclass
class Table:
    """A CSV file split into a header and its non-blank data records.

    records: (spreadsheet row, {column: stripped cell}); fully blank rows are skipped.
    """

    file: str
    header: list[str]
    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass
class Rows:
    """Typed rows of a kind of table, in file then row order (iterable, sized)."""

    rows: list[dict] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message states the rule."""


@dataclass(frozen=True)
class CellWording:
    """A table's wording of the schema rules its cells break (inputs.trials, inputs.rob): each
    gives the message of one breach, or for ``integer`` None when the value is allowed."""

    blank: Callable[[str], str]                         # column -> a required cell left blank
    integer: Callable[[str, dict, int], str | None]     # column, spec, value -> out of range?
    enum: Callable[[str, dict, str], str]               # column, spec, text -> not allowed
    pattern: Callable[[str, dict, str], str]            # column, spec, text -> not its form


def schema_cell(column: str, spec: dict, text: str, wording: CellWording) -> str | int | None:
    """One cell read as its JSON-schema property describes it (type, null, enum, pattern; integer
    ranges by ``wording.integer``); CellError with the table's wording of the rule broken."""
    kinds = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
    if text == "":
        if "null" in kinds:
            return None
        raise CellError(wording.blank(column))
    if "integer" in kinds:
        value = parse_int(text)
        problem = wording.integer(column, spec, value)
        if problem:
            raise CellError(problem)
        return value
    if "enum" in spec and text not in spec["enum"]:
        raise CellError(wording.enum(column, spec, text))
    if "pattern" in spec and not re.search(spec["pattern"], text):
        raise CellError(wording.pattern(column, spec, text))
    return text


def schema_cells(cells: dict[str, str], specs: dict[str, dict], wording: CellWording, report) -> dict:
    """schema_cell for every column of ``specs`` the row has (None for the others), each breach
    reported against its column; ``specs``: column -> schema property."""
    row: dict = {}
    for column, spec in specs.items():
        if column not in cells:
            row[column] = None
            continue
        try:
            row[column] = schema_cell(column, spec, cells[column], wording)
        except CellError as err:
            report(column, str(err))
            row[column] = None
    return row


def read_table(path: str | Path) -> tuple[Table | None, list[Problem]]:
    """Read one CSV file (UTF-8, optional BOM, LF or CRLF) into a Table.

    Returns (None, problems) when the file cannot be read as a table at all: missing,
    empty, not UTF-8, unparsable CSV, header only. Rows whose number of cells differs
    from the header are reported and left out of the table.
    """
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        return None, [Problem(file, None, None, f"cannot read the file: {err.strerror or err}")]
    text, problem = _decode(file, data)
    if problem:
        return None, [problem]
    if not text.strip():
        return None, [Problem(file, None, None, "the file is empty; expected a header row and data rows")]
    reader = csv.reader(io.StringIO(text, newline=""))
    raw: list[list[str]] = []
    try:
        raw.extend(reader)
    except csv.Error as err:
        return None, [Problem(file, len(raw) + 1, None, f"not a readable CSV file: {err} (line {reader.line_num})")]
    bare = _BARE_CR.search(text)
    if bare and not any("\r" in cell for cells in raw for cell in cells):  # outside quotes: it split a row
        line = text.count("\n", 0, bare.start()) + 1
        return None, [Problem(file, None, None, f"a carriage return (CR) without a line feed on line {line} "
                              "ends the row in the middle; remove it or replace it with a space")]
    header = [cell.strip() for cell in raw[0]]
    table = Table(file, header)
    problems: list[Problem] = []
    for index, cells in enumerate(raw[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(file, index, None,
                                    f"the row has {len(cells)} cells but the header has {len(header)} columns "
                                    "(a stray or unquoted comma?)"))
            continue
        bare_cr = [name for name, cell in zip(header, cells) if "\r" in cell]
        for name in bare_cr:
            problems.append(Problem(file, index, name, "a carriage return (CR) inside the cell; it would break "
                                    "the row in every table written from it: remove it or replace it with a space"))
        if bare_cr:
            continue
        table.records.append((index, {name: cell.strip() for name, cell in zip(header, cells)}))
    if not table.records and not problems:
        problems.append(Problem(file, None, None, "the file has a header but no data rows"))
    return table, problems


def _decode(file: str, data: bytes) -> tuple[str, Problem | None]:
    """UTF-8 text of data without a leading BOM, or a Problem naming the first bad byte and its line."""
    start = len(_BOM) if data.startswith(_BOM) else 0
    try:
        return data[start:].decode("utf-8"), None
    except UnicodeDecodeError as err:
        offset = start + err.start
        line = data.count(b"\n", 0, offset) + 1
        return "", Problem(file, line, None,
                           f"not valid UTF-8: byte 0x{data[offset]:02x} at byte offset {offset} "
                           f"(line {line}); save the file as UTF-8")


def check_header(file: str, header: Sequence[str], required: Sequence[str], *,
                 allowed: Sequence[str] | None = None, ordered: bool = False) -> list[Problem]:
    """Problems with a header: blank or repeated names, required columns missing (with the
    likely misspelling when one is present), unknown columns when `allowed` is given, and,
    when `ordered`, columns out of the order of `allowed` (else `required`): a column may be
    left out when it is allowed but not required."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(Problem(file, 1, None, f"header cell {position} is blank; every column needs a name"))
        elif name in seen:
            problems.append(Problem(file, 1, name, "the column appears more than once in the header"))
        seen.add(name)
    missing = [name for name in required if name not in seen]
    known = set(required) | set(allowed or ())
    unknown = [name for name in dict.fromkeys(header) if name and name not in known]
    for name in missing:
        guess = difflib.get_close_matches(name, unknown, n=1, cutoff=0.7)
        hint = f"; '{guess[0]}' looks like a misspelling of it" if guess else ""
        problems.append(Problem(file, 1, name, f"required column is missing{hint}"))
    if allowed is not None:
        for name in unknown:
            guess = difflib.get_close_matches(name, [n for n in allowed if n not in seen], n=1, cutoff=0.7)
            hint = f"did you mean '{guess[0]}'?" if guess else "see the list of allowed columns"
            problems.append(Problem(file, 1, name, f"unknown column; {hint}"))
    declared = list(allowed if allowed is not None else required)
    order = [name for name in declared if name in seen]
    if ordered and not problems and list(header) != order:
        first = next(h for h, r in zip(header, order) if h != r)
        problems.append(Problem(file, 1, first, "the columns are not in the required order: "
                                + ", ".join(declared)))
    return problems


def parse_int(text: str, minimum: int | None = None) -> int | None:
    """Whole number written with digits only; None for a blank cell."""
    if text == "":
        return None
    if not _INT.fullmatch(text):
        value = _float(text)
        if math.isfinite(value) and value == int(value):
            raise CellError(f"'{text}' is not written as a whole number (write {int(value)})")
        raise CellError(f"'{text}' is not a whole number")
    if len(text) > 18:
        raise CellError(f"'{text[:20]}...' has {len(text)} characters; too large for a count or year")
    value = int(text)
    if minimum is not None and value < minimum:
        if value < 0 <= minimum:
            raise CellError(f"{value} is negative; must be 0 or more")
        raise CellError(f"{value} is below the minimum of {minimum}")
    return value


def _float(text: str) -> float:
    """A number written with ASCII digits, '.', an optional sign and exponent, or nan/inf."""
    if _FLOAT.fullmatch(text) or text.strip("+-").lower() in ("nan", "inf", "infinity"):
        return float(text)
    raise CellError(f"'{text}' is not a number")


def parse_number(text: str) -> float | None:
    """A finite number; None for a blank cell."""
    if text == "":
        return None
    value = _float(text)
    if not math.isfinite(value):
        raise CellError(f"'{text}' is not a finite number")
    return value


def parse_whole(text: str) -> int | None:
    """A count or an arm size: a whole number >= 0 (rules.check_counts asks totals >= 1)."""
    return parse_int(text, 0)


def parse_word(text: str) -> str | None:
    """A code such as a measure ('rr' -> 'RR') or yes/no, compared case-insensitively."""
    if text == "":
        return None
    return text.upper() if text.lower() not in rules.YES_NO else text.lower()


PARSERS: dict[str, Callable[[str], object]] = {
    **{c: parse_whole for c in rules.WHOLE},
    **{c: parse_number for c in rules.NUMBERS if c not in rules.WHOLE},
    "effect_measure": parse_word,
    "effect_adjusted": parse_word,
}


def parse_data(cells: Mapping[str, str | None], report: Report) -> dict[str, int | float | str | None]:
    """The outcome data of one row (rules.DATA_COLUMNS; a column the file lacks is None),
    each cell typed, then checked together by rules.check_numbers (a group of cells with an
    unreadable one is not checked further; the others are)."""
    values: dict[str, int | float | str | None] = {}
    unreadable = []
    for column in rules.DATA_COLUMNS:
        text = cells.get(column)
        try:
            values[column] = None if text is None else PARSERS[column](text)
        except CellError as err:
            report(column, str(err))
            values[column] = None
            unreadable.append(column)
    rules.check_numbers(values, report, unreadable)
    return values


def close_match(value: str, choices: Sequence[str]) -> str | None:
    """The choice most like value (case-insensitive), if any is close."""
    lowered = {c.lower(): c for c in choices}
    guess = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[guess[0]] if guess else None
