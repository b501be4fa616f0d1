"""The CLI's arm-level table (`metapool network ARMS.csv`): one row per arm of a study.

Columns: `study`, `treatment`, and `events,total` (binary outcomes: RR, OR) or `n,mean,sd`
(continuous: MD). Checked like the other inputs (every problem with its file, row and column):
blank names, a study with one arm or the same treatment twice, whole counts with
0 <= events <= total and total >= 1, n >= 1, finite means, SD > 0.
"""

from __future__ import annotations

from pathlib import Path

from metapool.errors import InputError, Problem
from metapool.inputs.csvread import CellError, check_header, parse_int, parse_number, read_table

KEYS = ("study", "treatment")
DATA = {"binary": ("events", "total"), "continuous": ("n", "mean", "sd")}
KIND = {"RR": "binary", "OR": "binary", "MD": "continuous"}


def read_arm_table(path: str | Path, measure: str) -> list[dict]:
    """Rows as {study, treatment, <data columns>} (typed); raises InputError listing every problem."""
    table, problems = read_table(path)
    if table is None:
        raise InputError(problems)
    file, columns = table.file, DATA[KIND[measure]]
    header = check_header(file, table.header, KEYS + columns, allowed=KEYS + columns)
    if header:
        raise InputError(header + problems)
    rows: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in table.records:
        def report(column: str | None, message: str, number: int = number) -> None:
            problems.append(Problem(file, number, column, message))

        for key in KEYS:
            if not cells[key]:
                report(key, f"blank; every arm needs a {key}")
        pair = (cells["study"], cells["treatment"])
        if all(pair) and pair in seen:
            report("treatment", f"'{pair[1]}' repeats row {seen[pair]} of study '{pair[0]}'; "
                                "a study has one arm per treatment")
        seen.setdefault(pair, number)
        row = {"study": cells["study"], "treatment": cells["treatment"], "row": number}
        row.update(_typed(cells, columns, report))
        rows.append(row)
    problems += _single_arm_studies(file, rows)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return rows


def _typed(cells: dict[str, str], columns: tuple[str, ...], report) -> dict:
    """The data cells of one arm, typed and checked (None where unreadable)."""
    out: dict = {}
    for column in columns:
        text = cells[column]
        try:
            if text == "":
                raise CellError("blank; every arm needs its " + column)
            out[column] = parse_int(text, 0) if column in ("events", "total", "n") else parse_number(text)
        except CellError as err:
            report(column, str(err))
            out[column] = None
    if "total" in out and out["total"] is not None and out["total"] < 1:
        report("total", "total is 0; an arm needs at least 1 patient")
    elif "total" in out and None not in (out["events"], out["total"]) and out["events"] > out["total"]:
        report("events", f"events ({out['events']}) exceed total ({out['total']})")
    if "n" in out and out["n"] is not None and out["n"] < 1:
        report("n", "n is 0; an arm needs at least 1 patient")
    if "sd" in out and out["sd"] is not None and out["sd"] <= 0:
        report("sd", f"{out['sd']:g} is not positive; an SD must be > 0")
    return out


def _single_arm_studies(file: str, rows: list[dict]) -> list[Problem]:
    """A study needs at least two arms (reported at its only row)."""
    count: dict[str, list[int]] = {}
    for row in rows:
        if row["study"]:
            count.setdefault(row["study"], []).append(row["row"])
    return [Problem(file, where[0], "study", f"study '{study}' has one arm; a study needs two or more")
            for study, where in count.items() if len(where) == 1]


def treatment_order(file: str, rows: list[dict], reference: str, order: list[str] | None) -> list[str]:
    """The treatment order: `order` as given (it must list every treatment of the file once), or the
    reference first and then the others in order of first appearance. InputError otherwise."""
    present = list(dict.fromkeys(r["treatment"] for r in rows))
    problems = []
    if reference not in present:
        problems.append(Problem(file, None, "treatment", f"--reference '{reference}' is no treatment of the "
                                f"file ({', '.join(present)})"))
    if order is None:
        return [reference] + [t for t in present if t != reference] if not problems else _raise(problems)
    repeated = sorted({t for t in order if order.count(t) > 1})
    missing = [t for t in present if t not in order]
    unknown = [t for t in order if t not in present]
    for what, names in (("repeats", repeated), ("lacks treatments of the file:", missing),
                        ("names treatments the file does not have:", unknown)):
        if names:
            problems.append(Problem(file, None, "treatment", f"--order {what} {', '.join(names)}"))
    return list(order) if not problems else _raise(problems)


def _raise(problems: list[Problem]):
    raise InputError(problems)
