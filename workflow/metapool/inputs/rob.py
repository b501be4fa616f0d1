"""Risk-of-bias tables (data/rob/<slug>.csv): read, type and validate them all at once.

One row per result (trial x outcome x timepoint) assessed with RoB 2 (Sterne et al. 2019 BMJ
366:l4898): five domain judgments and the overall one, each with the sentence behind it, who
made them and where they were published. The columns, which may be blank and the allowed
judgments come from workflow/metapool/inputs/rob.schema.yaml; the rules across cells are
documented in data/raw/README.md ("Risk-of-bias tables"). A result without a row is
"not assessed": nothing is inferred. Every problem is reported at once as file, spreadsheet
row, column and rule (metapool.errors.Problem), like the trial tables (inputs/trials.py).
Stdlib csv and PyYAML only: this runs when Snakemake parses the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from metapool.appraisal import rob2
from metapool.errors import InputError, Problem
from metapool.inputs.csvread import (CellWording, Rows, Table, check_header, close_match, load_schema, read_table,
                                      schema_cells, schema_columns)
from metapool.inputs.trials import OneTrialPerFile, slugify

SCHEMA_PATH = Path(__file__).resolve().with_name("rob.schema.yaml")
REVIEW_TEAM = "review team"
SUPPORTS = {c: f"{c}_support" for c in rob2.COLUMNS}
ENTRY_COLUMNS = tuple(c for pair in SUPPORTS.items() for c in pair) + ("assessor", "source")
RETIRED = {"unclear": "'unclear' is a RoB 1 judgment; RoB 2 uses 'some concerns'",
           "low risk": "write 'low'", "high risk": "write 'high'"}


@dataclass
class RobTable(Rows):
    """Typed rows of every risk-of-bias table, in file then row order, and every problem found.

    Each row holds every schema column typed (str, int; None for a blank cell) plus `file`
    (path as given) and `row` (spreadsheet row, header = 1).
    """

    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> "RobTable":
        """self when there is no problem, else InputError listing every problem."""
        if self.problems:
            raise InputError(self.problems)
        return self

    def index(self) -> dict[tuple, dict]:
        """Rows by result_key (the first row of a key given twice)."""
        out: dict[tuple, dict] = {}
        for row in self.rows:
            key = _row_key(row)
            if key is not None:
                out.setdefault(key, row)
        return out

    def lookup(self, trial: str, outcome: str, timepoint_days: int | None) -> dict | None:
        """The row assessing this result, or None (not assessed)."""
        return self.index().get(result_key(trial, outcome, timepoint_days))


def schema() -> dict:
    """The risk-of-bias table row schema (JSON Schema 2020-12) as a dict."""
    return load_schema(SCHEMA_PATH)


def columns() -> tuple[str, ...]:
    """Column names in the required order."""
    return schema_columns(schema())


def column_spec(column: str) -> dict:
    """The schema of one column with a local $ref ("#/$defs/...") resolved."""
    spec = dict(schema()["properties"][column])
    ref = spec.pop("$ref", None)
    if ref:
        spec = {**schema()["$defs"][ref.rsplit("/", 1)[-1]], **spec}
    return spec


def rob_files(directory: str | Path) -> list[Path]:
    """The risk-of-bias tables of a directory (*.csv), sorted by name; none when it is absent."""
    return sorted(Path(directory).glob("*.csv"))


def result_key(trial: str, outcome: str, timepoint_days: int | None) -> tuple:
    """What identifies a result: trial slug, outcome (case-insensitive), timepoint."""
    return slugify(trial), outcome.casefold(), timepoint_days


def _row_key(row: dict) -> tuple | None:
    if not row.get("trial") or not row.get("outcome"):
        return None
    return result_key(row["trial"], row["outcome"], row.get("timepoint_days"))


def load_rob(paths: Sequence[str | Path], trial_rows: Sequence[dict] | None = None) -> RobTable:
    """Read and check every risk-of-bias table; the RobTable holds the rows and every problem.

    Checks the header, every cell against the schema (judgments low | some concerns | high),
    a support for every judgment, overall consistent with the domains (rob2.is_consistent),
    assessor and source (a URL, or "review team" exactly when the assessor is the review team;
    a published support is quoted in double quotes), that each trial's slug is its file name,
    and that trial x outcome x timepoint is unique across files. With `trial_rows` (the rows
    of metapool.inputs.trials.load_trials), every row must assess a result those rows hold.
    Call .raise_for_problems() to stop on any problem.
    """
    table = RobTable()
    for path in paths:
        raw, found = read_table(path)
        if raw is not None:
            rows, in_rows = _typed_rows(raw)
            found = sorted(found + in_rows, key=lambda p: p.row or 0)
            table.rows.extend(rows)
        table.problems.extend(found)
    table.problems.extend(_duplicates(table.rows))
    if trial_rows is not None:
        table.problems.extend(_unmatched(table.rows, trial_rows))
    return table


def _typed_rows(raw: Table) -> tuple[list[dict], list[Problem]]:
    """Typed rows of one file and the problems in its header and cells."""
    problems = check_header(raw.file, raw.header, columns(), allowed=columns(), ordered=True)
    rows: list[dict] = []
    one_trial = OneTrialPerFile(raw.file,
                                "the file name is the slug of the trial name, as its trial table's in data/raw/")
    for number, cells in raw.records:
        def report(column: str | None, message: str, number: int = number) -> None:
            problems.append(Problem(raw.file, number, column, message))

        row = _typed_cells(cells, report)
        trial = row.get("trial")
        if trial:
            one_trial.check(number, trial, report)
        _check_supports(cells, row, report)
        _check_overall(row, report)
        _check_provenance(cells, row, report)
        row.update(file=raw.file, row=number)
        rows.append(row)
    return rows, problems


def _blank(column: str) -> str:
    if column in rob2.COLUMNS:
        return "blank; every domain and the overall result need a judgment (a result that was not assessed has no row)"
    return "blank; this column is required"


def _integer(column: str, spec: dict, value: int) -> str | None:
    if "minimum" in spec and value < spec["minimum"]:
        return f"{value} is not allowed; {column} must be at least {spec['minimum']}"
    return None


def _judgment(column: str, spec: dict, text: str) -> str:
    hint = RETIRED.get(text.casefold()) or (f"did you mean '{close_match(text, spec['enum'])}'?"
                                            if close_match(text, spec["enum"]) else "")
    return f"'{text}' is not a RoB 2 judgment (allowed: {', '.join(spec['enum'])})" + (f"; {hint}" if hint else "")


WORDING = CellWording(blank=_blank, integer=_integer, enum=_judgment,
                      pattern=lambda column, spec, text: f"'{text}' is neither a URL (http:// or https://) nor '{REVIEW_TEAM}'")


def _typed_cells(cells: dict[str, str], report) -> dict:
    """Every schema column of one row typed, reporting cells that break the schema."""
    return schema_cells(cells, {column: column_spec(column) for column in columns()}, WORDING, report)


def _check_supports(cells: dict[str, str], row: dict, report) -> None:
    """Every judgment given has the sentence behind it (a blank judgment is reported itself)."""
    for judgment, support in SUPPORTS.items():
        if row.get(judgment) and support in cells and not cells[support]:
            report(support, f"blank while {judgment} is '{row[judgment]}'; every judgment needs the "
                            "sentence behind it (quoted from the publication, or the review team's reasoning)")


def _check_overall(row: dict, report) -> None:
    """The overall judgment is one RoB 2 allows for the domains (rob2.allowed_overall)."""
    domains = [row.get(d) for d in rob2.DOMAINS]
    if row.get("overall") is None or None in domains or rob2.is_consistent(domains, row["overall"]):
        return
    allowed = rob2.allowed_overall(domains)
    given = ", ".join(f"{d.upper()} {j}" for d, j in zip(rob2.DOMAINS, domains) if j != rob2.LOW) \
        or "every domain low"
    also = (f" (or '{rob2.HIGH}' when the some-concerns domains together substantially lower confidence)"
            if rob2.HIGH in allowed and rob2.SOME_CONCERNS in allowed else "")
    rule = {rob2.LOW: "overall is low only if every domain is low",
            rob2.HIGH: "overall is high when any domain is high, or with some concerns in at least two domains",
            rob2.SOME_CONCERNS: "overall has some concerns only when a domain has some concerns and none is high"}
    report("overall", f"'{row['overall']}' does not follow from the domains ({given}): RoB 2 gives "
                      f"'{rob2.overall_from_domains(domains)}'{also}; {rule[row['overall']]}")


def _check_provenance(cells: dict[str, str], row: dict, report) -> None:
    """source 'review team' exactly when the assessor is the review team; a published
    assessment's supports are quoted verbatim (begin with a double quote)."""
    assessor, source = row.get("assessor"), row.get("source")
    if not assessor or not source:
        return
    by_team = assessor.casefold().startswith(REVIEW_TEAM)
    if source == REVIEW_TEAM and not by_team:
        report("assessor", f"source is '{REVIEW_TEAM}' but the assessor '{assessor}' is not; the review "
                           f"team's own judgments name its role, starting '{REVIEW_TEAM}: ...'")
    elif source != REVIEW_TEAM and by_team:
        report("source", f"the assessor is the review team but source is a URL; the review team's own "
                         f"judgments have source '{REVIEW_TEAM}'")
    elif source != REVIEW_TEAM:
        for support in SUPPORTS.values():
            text = cells.get(support)
            if text and not text.startswith('"'):
                report(support, "a published assessment is quoted verbatim: begin with the sentence in "
                                "double quotes (notes may follow in [brackets])")


def _duplicates(rows: list[dict]) -> list[Problem]:
    """Rows repeating a trial x outcome x timepoint seen earlier (in any file)."""
    seen: dict[tuple, dict] = {}
    problems = []
    for row in rows:
        key = _row_key(row)
        if key is None:
            continue
        if key in seen:
            first = seen[key]
            problems.append(Problem(row["file"], row["row"], "timepoint_days",
                                    f"duplicate of {first['file']} row {first['row']}: RoB 2 assesses each "
                                    "result once; trial x outcome x timepoint_days must be unique"))
        else:
            seen[key] = row
    return problems


def _unmatched(rows: list[dict], trial_rows: Sequence[dict]) -> list[Problem]:
    """Rows assessing a result no trial table holds (a misspelt outcome would otherwise leave the
    real result silently 'not assessed'); reported at the first key column that does not match."""
    keys = {result_key(t["trial"], t["outcome"], t.get("timepoint_days"))
            for t in trial_rows if t.get("trial") and t.get("outcome")}
    problems = []
    for row in rows:
        key = _row_key(row)
        if key is None or key in keys:
            continue
        if not any(k[0] == key[0] for k in keys):
            column, what = "trial", f"no trial table holds trial '{row['trial']}' (data/raw/{key[0]}.csv)"
        elif not any(k[:2] == key[:2] for k in keys):
            outcomes = sorted({k[1] for k in keys if k[0] == key[0]})
            column, what = "outcome", (f"trial '{row['trial']}' has no outcome '{row['outcome']}' "
                                       f"(its outcomes: {', '.join(outcomes)})")
        else:
            times = sorted({str(k[2]) for k in keys if k[:2] == key[:2]})
            column, what = "timepoint_days", (f"trial '{row['trial']}' has no '{row['outcome']}' at "
                                              f"{row.get('timepoint_days')} days (its timepoints: {', '.join(times)})")
        problems.append(Problem(row["file"], row["row"], column,
                                f"{what}; a risk-of-bias row assesses a result of its trial table"))
    return problems


def rob_entry(row: dict | None) -> dict | None:
    """The per-study `rob` block of pooled.json: judgments, supports, assessor and source (None:
    not assessed)."""
    return None if row is None else {c: row[c] for c in ENTRY_COLUMNS}


def attach_rob(studies: Sequence[dict], table: RobTable) -> list[dict]:
    """Copies of study entries (pipeline.analyses.study_entries) with `rob` set from the table,
    None where the result has no row."""
    index = table.index()
    return [{**s, "rob": rob_entry(index.get(result_key(s["trial"], s["outcome"], s.get("timepoint_days"))))}
            for s in studies]
