"""Reading outcome tables from CSV: bytes to records, cell parsers, and the count/RR rules.

Shared by the raw trial tables (`metapool.trials`) and the CLI's study table
(`metapool.studytable`), so both apply one set of rules. Everything reports
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
from pathlib import Path
from typing import Callable, Mapping, Sequence

from metapool.errors import Problem

COUNT_COLUMNS = ("events_trt", "total_trt", "events_ctl", "total_ctl")
RR_COLUMNS = ("rr", "rr_lower", "rr_upper")
OUTCOME_COLUMNS = COUNT_COLUMNS + RR_COLUMNS

_BOM = b"\xef\xbb\xbf"
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")

Report = Callable[[str, str], None]  # report(column, rule broken)


@dataclass
class Table:
    """A CSV file split into a header and its non-blank data records.

    records: (spreadsheet row, {column: stripped cell}); fully blank rows are skipped.
    """

    file: str
    header: list[str]
    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message states the rule."""


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
    likely misspelling when one is present), unknown columns when `allowed` is given, and
    an order other than `required` when `ordered`."""
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
    if ordered and not problems and list(header) != list(required):
        first = next(h for h, r in zip(header, required) if h != r)
        problems.append(Problem(file, 1, first, "the columns are not in the required order: "
                                + ", ".join(required)))
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


def parse_positive(text: str) -> float | None:
    """Finite number > 0; None for a blank cell."""
    if text == "":
        return None
    value = _float(text)
    if not math.isfinite(value):
        raise CellError(f"'{text}' is not a finite number")
    if value <= 0:
        raise CellError(f"{text} is not positive; a risk ratio and its bounds must be > 0")
    return value


def parse_outcome_numbers(cells: Mapping[str, str | None], report: Report) -> dict[str, int | float | None]:
    """The four counts and the RR triple of one row, checked together.

    cells maps each column of OUTCOME_COLUMNS to its text (None when the file lacks the
    column). Rules (each breach is reported against one column):
      counts: non-negative whole numbers, totals >= 1, events <= total; per arm a total
        needs its events; events are given in both arms or neither, totals likewise
        (events without totals are allowed: the counts are then not usable for pooling);
      RR: each > 0, all three or none, rr_lower <= rr <= rr_upper and rr_lower < rr_upper.
    Returns typed values (None for blank or unreadable cells).
    """
    values: dict[str, int | float | None] = {}
    for column in COUNT_COLUMNS:
        values[column] = _cell(cells, column, report, _parse_total if column.startswith("total") else _parse_events)
    for column in RR_COLUMNS:
        values[column] = _cell(cells, column, report, parse_positive)
    _check_counts(cells, values, report)
    _check_rr(cells, values, report)
    return values


def _parse_events(text: str) -> int | None:
    """Events: a whole number >= 0."""
    return parse_int(text, 0)


def _parse_total(text: str) -> int | None:
    """Total: a whole number >= 1 (an arm of 0 patients has no risk)."""
    value = parse_int(text, 0)
    if value == 0:
        raise CellError("total is 0; an arm needs at least 1 patient")
    return value


def _cell(cells: Mapping[str, str | None], column: str, report: Report, parse: Callable) -> int | float | None:
    text = cells.get(column)
    if text is None:
        return None
    try:
        return parse(text)
    except CellError as err:
        report(column, str(err))
        return None


def _readable(cells: Mapping[str, str | None], values: Mapping, column: str) -> bool:
    """The column exists and its cell is blank or parsed; rules across cells are checked only
    then (an absent column or an unreadable cell is reported elsewhere)."""
    text = cells.get(column)
    return text is not None and (text == "" or values[column] is not None)


def _check_counts(cells: Mapping[str, str | None], values: Mapping, report: Report) -> None:
    if not all(_readable(cells, values, c) for c in COUNT_COLUMNS):
        return
    for arm in ("trt", "ctl"):
        events, total = values[f"events_{arm}"], values[f"total_{arm}"]
        if total is not None and events is None:
            report(f"events_{arm}", f"blank while total_{arm} is given; a total needs its events "
                                    "(give the events or leave the total blank)")
        if events is not None and total is not None and events > total:
            report(f"events_{arm}", f"events_{arm} ({events}) exceeds total_{arm} ({total})")
    given = {arm: values[f"events_{arm}"] is not None for arm in ("trt", "ctl")}
    if given["trt"] != given["ctl"]:
        blank, other = ("ctl", "trt") if given["trt"] else ("trt", "ctl")
        if values[f"total_{blank}"] is None:  # else already reported as a total without events
            report(f"events_{blank}", f"blank while events_{other} is given; give events for both arms or neither")
    elif given["trt"]:
        totals = {arm: values[f"total_{arm}"] is not None for arm in ("trt", "ctl")}
        if totals["trt"] != totals["ctl"]:
            blank, other = ("ctl", "trt") if totals["trt"] else ("trt", "ctl")
            report(f"total_{blank}", f"blank while total_{other} is given; give totals for both arms or neither")


def _check_rr(cells: Mapping[str, str | None], values: Mapping, report: Report) -> None:
    if not all(_readable(cells, values, c) for c in RR_COLUMNS):
        return
    given = [c for c in RR_COLUMNS if values[c] is not None]
    if 0 < len(given) < 3:
        for column in RR_COLUMNS:
            if values[column] is None:
                report(column, f"blank while {', '.join(given)} given; give rr with both "
                               "95% CI bounds or none of the three")
        return
    if not given:
        return
    rr, lower, upper = (values[c] for c in RR_COLUMNS)
    if lower > rr:
        report("rr_lower", f"rr_lower ({cells['rr_lower']}) is above rr ({cells['rr']})")
    if rr > upper:
        report("rr_upper", f"rr_upper ({cells['rr_upper']}) is below rr ({cells['rr']})")
    if lower == upper:
        report("rr_upper", f"rr_upper equals rr_lower ({cells['rr_lower']}); a zero-width CI has no variance")


def usable_data(values: Mapping[str, int | float | None]) -> str:
    """How a checked row can be pooled: 'counts' (all four counts), else 'reported_rr'
    (rr and both bounds), else 'no_data'."""
    if all(values.get(c) is not None for c in COUNT_COLUMNS):
        return "counts"
    if all(values.get(c) is not None for c in RR_COLUMNS):
        return "reported_rr"
    return "no_data"


def close_match(value: str, choices: Sequence[str]) -> str | None:
    """The choice most like value (case-insensitive), if any is close."""
    lowered = {c.lower(): c for c in choices}
    guess = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[guess[0]] if guess else None
