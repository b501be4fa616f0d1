"""The CLI's study table (`metapool pool FILE.csv`): one row per study.

Columns: `study`, and the four counts `events_trt,total_trt,events_ctl,total_ctl` and/or
`rr,rr_lower,rr_upper` (a row may use either; a row with neither is kept as no data).
Any other column is carried through as text (e.g. a subgroup column for `--by`), except
names the pooled output uses for its own per-study fields (RESERVED). The numbers follow
the same rules as the raw trial tables (metapool.csvread.parse_outcome_numbers).
"""

from __future__ import annotations

from pathlib import Path

from metapool.inputs.csvread import (COUNT_COLUMNS, OUTCOME_COLUMNS, RR_COLUMNS, check_header, close_match,
                              parse_outcome_numbers, read_table)
from metapool.errors import InputError, Problem

STUDY = "study"
RESERVED = ("yi", "vi", "se", "ci_lb", "ci_ub", "weight_fixed", "weight_random", "status")


def read_study_table(path: str | Path) -> list[dict]:
    """Rows as dicts: study (str), the seven numbers (int/float, None when blank or the
    column is absent) and every extra column as a stripped string.

    Raises InputError listing every problem: unreadable file, header problems, cells that
    break the count/RR rules, blank or repeated study names.
    """
    table, problems = read_table(path)
    if table is None:
        raise InputError(problems)
    file = table.file
    header_problems = _header_problems(file, table.header)
    if header_problems:
        raise InputError(header_problems + problems)
    extras = [c for c in table.header if c != STUDY and c not in OUTCOME_COLUMNS]
    rows: list[dict] = []
    first_row: dict[str, int] = {}
    for number, cells in table.records:
        def report(column: str | None, message: str, number: int = number) -> None:
            problems.append(Problem(file, number, column, message))

        study = cells[STUDY]
        if not study:
            report(STUDY, "blank; every row needs a study name")
        elif study in first_row:
            report(STUDY, f"'{study}' repeats row {first_row[study]}; study names must be unique")
        else:
            first_row[study] = number
        numbers = parse_outcome_numbers({c: cells.get(c) for c in OUTCOME_COLUMNS}, report)
        rows.append({STUDY: study, **numbers, **{c: cells[c] for c in extras}})
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return rows


def _header_problems(file: str, header: list[str]) -> list[Problem]:
    """study required; each outcome column set complete if any of it is present, at least one set."""
    present = set(header)
    required = [STUDY]
    for group in (COUNT_COLUMNS, RR_COLUMNS):
        if present & set(group):
            required += group
    problems = check_header(file, header, required)
    if not present & set(OUTCOME_COLUMNS):
        guesses = [f"'{name}' looks like '{close_match(name, OUTCOME_COLUMNS)}'"
                   for name in header if name and close_match(name, OUTCOME_COLUMNS)]
        problems.append(Problem(file, 1, None, "no outcome columns: give " + ", ".join(COUNT_COLUMNS)
                                + " and/or " + ", ".join(RR_COLUMNS)
                                + (f" ({'; '.join(guesses)})" if guesses else "")))
    for name in header:
        if name in RESERVED:
            problems.append(Problem(file, 1, name, "this name is reserved for the pooled output's "
                                                   "per-study fields; rename the column"))
    return problems
