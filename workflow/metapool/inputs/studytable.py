"""The CLI's study table (`metapool pool FILE.csv`): one row per study.

Columns: `study`, and any of the outcome data groups of measures.datakinds: the 2x2 counts
`events_trt,total_trt,events_ctl,total_ctl`; events and person-time
`events_trt,ptime_trt,events_ctl,ptime_ctl` (rates); arm summaries `n_trt,mean_trt,sd_trt,...` (n, mean,
sd, median, q1, q3, min, max per arm: any of them); a reported effect
`effect_measure,effect,effect_lower,effect_upper` (95% CI) with optional `effect_adjusted`
(yes/no). A row may leave a group blank; a row with no data is kept as no data. Any other column
is carried through as text (e.g. a subgroup column for `--by`), except names the pooled output
uses for its own per-study fields (RESERVED). The numbers follow measures.datakinds, as the trial
tables do.
"""

from __future__ import annotations

from pathlib import Path

from metapool.errors import InputError, Problem
from metapool.measures import datakinds as rules
from metapool.inputs.csvread import check_header, close_match, parse_data, read_table

STUDY = "study"
RESERVED = ("yi", "vi", "se", "ci_lb", "ci_ub", "weight_fixed", "weight_random", "status", "reported", "converted")
GROUPS = tuple(k.together for k in rules.DATA_KINDS.values() if k.together)


def read_study_table(path: str | Path) -> list[dict]:
    """Rows as dicts: study (str), every data column of measures.datakinds (typed, None when blank or
    the column is absent) and every extra column as a stripped string.

    Raises InputError listing every problem: unreadable file, header problems, cells that
    break the rules, blank or repeated study names.
    """
    table, problems = read_table(path)
    if table is None:
        raise InputError(problems)
    file = table.file
    header_problems = _header_problems(file, table.header)
    if header_problems:
        raise InputError(header_problems + problems)
    extras = [c for c in table.header if c != STUDY and c not in rules.DATA_COLUMNS]
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
        numbers = parse_data({c: cells.get(c) for c in rules.DATA_COLUMNS}, report)
        rows.append({STUDY: study, **numbers, **{c: cells[c] for c in extras}})
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return rows


def _header_problems(file: str, header: list[str]) -> list[Problem]:
    """study required; each data kind's header group (measures.datakinds.DataKind.together)
    complete if any of it is present; at least one data column."""
    present = set(header)
    required = [STUDY]
    for group in GROUPS:  # a group partly present, unless another group complete holds those columns
        part = present & set(group)
        if part and not any(set(other) <= present and part <= set(other) for other in GROUPS):
            required += group
    problems = check_header(file, header, required)
    if not present & set(rules.DATA_COLUMNS):
        guesses = [f"'{name}' looks like '{close_match(name, rules.DATA_COLUMNS)}'"
                   for name in header if name and close_match(name, rules.DATA_COLUMNS)]
        problems.append(Problem(file, 1, None, "no outcome columns: give " + ", ".join(rules.COUNTS)
                                + " (or person-time " + ", ".join(rules.PTIME) + " for the totals)"
                                + ", arm summaries (n_trt, mean_trt, sd_trt, ... median_trt, q1_trt, ...) and/or "
                                + ", ".join(rules.REPORTED[:4])
                                + (f" ({'; '.join(guesses)})" if guesses else "")))
    for name in header:
        if name in RESERVED:
            problems.append(Problem(file, 1, name, "this name is reserved for the pooled output's "
                                                   "per-study fields; rename the column"))
    return problems
