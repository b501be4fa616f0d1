"""The search record (data/search/): every record the search found and what became of it.

``records.csv`` has one row per record (a trial report found in a database, a registry entry, a
trial listed in a published meta-analysis, ...); ``queries.csv``, next to it, lists the queries
that the records' ``query_ids`` name. ``load_search`` reads and checks both and reports every
problem at once (file, spreadsheet row, column, rule), as the trial tables do. The flow through
the PRISMA 2020 stages, one record at a time:

- ``duplicate_of`` set: the same report found again (removed before screening; nothing else filled);
- ``screening``: ``included`` or ``excluded`` (with a ``reason`` from EXCLUSION_REASONS);
- ``eligibility`` (screened in only): ``not sought`` (its report never sought for retrieval;
  ``reason`` from NOT_SOUGHT_REASONS), ``not retrieved`` (sought but not obtained; ``reason`` from
  NOT_RETRIEVED_REASONS), ``excluded`` (``reason`` from EXCLUSION_REASONS) or ``included``;
- an included study that does not report the review's outcome stays included (PRISMA 2020, Page
  et al. 2021 BMJ 372:n71: included studies that contribute to no synthesis are not exclusions)
  and may say why in ``reason`` (NO_SYNTHESIS_REASONS);
- an included record names its trial table, ``data_file`` = ``<slug of trial>.csv`` in the data
  directory, and says whether that table has been added yet (``table_added`` yes/no).

Stdlib only: this runs while Snakemake parses the workflow.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from metapool.errors import InputError, Problem
from metapool.inputs.csvread import CellError, check_header, close_match, parse_int, read_table
from metapool.inputs.trials import slugify, trial_files

COLUMNS = ("record_id", "trial", "study", "citation", "comparison", "pmid", "doi", "registry_id",
           "identified_in", "source", "url", "search", "query_ids", "duplicate_of", "screening",
           "eligibility", "reason", "data_file", "table_added", "note")
QUERY_COLUMNS = ("query_id", "search", "corpus", "query", "date", "note")

# Where a record was found: the PRISMA 2020 identification sources, each with its named sources.
SOURCES = {
    "database": ("PubMed", "PMC", "Virtual Health Library (BVS)"),
    "register": ("ClinicalTrials.gov", "EU Clinical Trials Register"),
    "other": ("published meta-analysis or review", "website", "not named in the search log"),
}
SCREENING = ("included", "excluded")
ELIGIBILITY = ("included", "excluded", "not retrieved", "not sought")
EXCLUSION_REASONS = ("not randomised", "not adults", "not septic shock", "agent out of scope",
                     "comparison out of scope", "duplicate publication")
NOT_RETRIEVED_REASONS = ("could not be sourced",)
NOT_SOUGHT_REASONS = ("not searched for",)
NO_SYNTHESIS_REASONS = ("no mortality reported",)  # an included study in no synthesis, and why
# Reasons that belong to another stage than the one a record names (PRISMA 2020 definitions).
MISPLACED = {
    ("excluded", "no mortality reported"):
        "a study that does not report the outcome is not excluded (PRISMA 2020): set eligibility to "
        "included, keep reason 'no mortality reported', and name its data_file with table_added no",
    ("not retrieved", "not searched for"):
        "a report that was never searched for was not sought for retrieval (PRISMA 2020): set "
        "eligibility to 'not sought'",
}
YES_NO = ("yes", "no")

REQUIRED = ("record_id", "trial", "identified_in", "source", "search")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_REGISTRY = re.compile(r"NCT\d{8}|EudraCT \d{4}-\d{6}-\d{2}|ISRCTN\d{8}|ChiCTR[-A-Za-z0-9]+")
_URL = re.compile(r"https?://\S+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class SearchRecord:
    """The validated records (file order) and queries, and the warnings.

    Each record holds every column (str, None for a blank cell; ``pmid`` int, ``query_ids`` a
    tuple), plus ``row`` (spreadsheet row) and ``study`` filled with ``trial`` when blank.
    """

    records: list[dict] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def queries_path(records_path: str | Path) -> Path:
    """queries.csv, next to records.csv."""
    return Path(records_path).with_name("queries.csv")


def load_search(path: str | Path, data_dir: str | Path | None = None) -> SearchRecord:
    """Read and check records.csv (and queries.csv next to it); raise InputError listing every problem.

    With ``data_dir`` (the trial tables' folder), an included record whose ``table_added`` is yes
    must find its file there; a record saying no while the file is there, and a table that no
    included record names, are warnings (the record is behind the data, the counts are not wrong).
    """
    problems: list[Problem] = []
    queries = _load_queries(queries_path(path), problems)
    result = SearchRecord(queries=queries)
    table, found = read_table(path)
    problems.extend(found)
    if table is not None:
        file = table.file
        problems.extend(check_header(file, table.header, COLUMNS, allowed=COLUMNS, ordered=True))
        if not any(p.row == 1 for p in problems if p.file == file):
            searches = {q["search"] for q in queries}
            known_queries = {q["query_id"] for q in queries}
            for number, cells in table.records:
                result.records.append(_record(file, number, cells, searches, known_queries, problems))
            problems.extend(_links(file, result.records))
            if data_dir is not None:
                problems.extend(_data_files(file, result.records, Path(data_dir), result.warnings))
    if problems:
        raise InputError(problems)
    return result


def _load_queries(path: Path, problems: list[Problem]) -> list[dict]:
    table, found = read_table(path)
    problems.extend(found)
    if table is None:
        return []
    problems.extend(check_header(table.file, table.header, QUERY_COLUMNS, allowed=QUERY_COLUMNS, ordered=True))
    if any(p.row == 1 for p in problems if p.file == table.file):
        return []
    queries, seen = [], {}
    for number, cells in table.records:
        def report(column: str, message: str, number: int = number) -> None:
            problems.append(Problem(table.file, number, column, message))

        q = {c: cells[c] or None for c in QUERY_COLUMNS}
        for column in ("query_id", "search", "corpus", "query"):
            if q[column] is None:
                report(column, "blank; this column is required")
        if q["query_id"] in seen:
            report("query_id", f"'{q['query_id']}' is already used on row {seen[q['query_id']]}; ids must be unique")
        elif q["query_id"]:
            seen[q["query_id"]] = number
        if q["date"] and not _is_date(q["date"]):
            report("date", f"'{q['date']}' is not a date written YYYY-MM-DD (leave it blank when not recorded)")
        queries.append({**q, "row": number})
    return queries


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _record(file: str, number: int, cells: dict[str, str], searches: set[str], known_queries: set[str],
            problems: list[Problem]) -> dict:
    """One record typed, with the problems of its own cells."""
    def report(column: str, message: str) -> None:
        problems.append(Problem(file, number, column, message))

    rec: dict = {c: cells[c] or None for c in COLUMNS}
    for column in REQUIRED:
        if rec[column] is None:
            report(column, "blank; this column is required")
    try:
        rec["pmid"] = parse_int(cells["pmid"], 1)
    except CellError as err:
        report("pmid", f"{err}; a PubMed ID is a positive whole number")
        rec["pmid"] = None
    for column, pattern, what in (("doi", _DOI, "10.NNNN/..."), ("registry_id", _REGISTRY, "NCT12345678 or EudraCT 2012-005159-18"),
                                  ("url", _URL, "http(s)://...")):
        if rec[column] and not pattern.fullmatch(rec[column]):
            report(column, f"'{rec[column]}' does not look like a {column} ({what})")
    _choice(rec, "identified_in", tuple(SOURCES), report)
    if rec["identified_in"] in SOURCES:
        _choice(rec, "source", SOURCES[rec["identified_in"]], report, f"for identified_in '{rec['identified_in']}'")
    if rec["identified_in"] == "register" and not rec["registry_id"]:
        report("registry_id", "blank; a register record needs its registry id")
    if rec["search"] and rec["search"] not in searches:
        report("search", f"'{rec['search']}' is not a search of queries.csv (searches: {', '.join(sorted(searches))})")
    ids = tuple((rec["query_ids"] or "").split())
    for qid in ids:
        if qid not in known_queries:
            report("query_ids", f"'{qid}' is not a query_id of queries.csv")
    rec["query_ids"] = ids
    _decisions(rec, report)
    rec["study"] = rec["study"] or rec["trial"]
    rec["row"] = number
    return rec


def _choice(rec: dict, column: str, allowed: tuple[str, ...], report, context: str = "") -> bool:
    value = rec[column]
    if value is None or value in allowed:
        return value is not None
    guess = close_match(value, allowed)
    hint = f"; did you mean '{guess}'?" if guess else ""
    where = f" {context}" if context else ""
    report(column, f"'{value}' is not an allowed {column}{where} (allowed: {', '.join(allowed)}){hint}")
    rec[column] = None
    return False


def _decisions(rec: dict, report) -> None:
    """The stage columns agree with each other: a duplicate has none; a screened record has a
    decision; every exclusion has its reason; only an included record has a data file."""
    stages = ("screening", "eligibility", "reason", "data_file", "table_added")
    if rec["duplicate_of"]:
        for column in stages:
            if rec[column]:
                report(column, "must be blank for a duplicate (duplicate_of is set): only the record kept is screened")
        return
    if rec["screening"] is None:
        report("screening", "blank; a record that is not a duplicate is screened: included or excluded")
        return
    if not _choice(rec, "screening", SCREENING, report):
        return
    if rec["screening"] == "excluded":
        if rec["eligibility"]:
            report("eligibility", "must be blank: the record was excluded at screening")
        reasons, stage = EXCLUSION_REASONS, "excluded at screening"
    elif rec["eligibility"] is None:
        report("eligibility", "blank; a screened-in record is included, excluded or not retrieved")
        return
    elif not _choice(rec, "eligibility", ELIGIBILITY, report):
        return
    elif (rec["eligibility"], rec["reason"]) in MISPLACED:
        report("eligibility", MISPLACED[rec["eligibility"], rec["reason"]])
        return
    elif rec["eligibility"] == "not retrieved":
        reasons, stage = NOT_RETRIEVED_REASONS, "not retrieved"
    elif rec["eligibility"] == "not sought":
        reasons, stage = NOT_SOUGHT_REASONS, "not sought"
    elif rec["eligibility"] == "excluded":
        reasons, stage = EXCLUSION_REASONS, "excluded at eligibility"
    else:
        reasons, stage = (), "included"
    if stage == "included" and rec["reason"]:
        _choice(rec, "reason", NO_SYNTHESIS_REASONS, report,
                "for an included record (why it enters no synthesis)")
    elif reasons:
        if rec["reason"] is None:
            report("reason", f"blank; a record {stage} needs its reason ({', '.join(reasons)})")
        else:
            _choice(rec, "reason", reasons, report, f"for a record {stage}")
    included = stage == "included"
    for column in ("data_file", "table_added"):
        if included and not rec[column]:
            report(column, "blank; an included record names its trial table (data_file) and whether it has been "
                           "added (table_added yes/no)")
        elif not included and rec[column]:
            report(column, f"must be blank: only an included record has a trial table (this one is {stage})")
    if included and rec["table_added"]:
        _choice(rec, "table_added", YES_NO, report)
    if included and rec["data_file"] and rec["trial"]:
        expected = f"{slugify(rec['trial'])}.csv"
        if rec["data_file"] != expected:
            report("data_file", f"'{rec['data_file']}' is not the table of trial '{rec['trial']}': its file is "
                                f"'{expected}' (the slug of the trial name)")


def _links(file: str, records: list[dict]) -> list[Problem]:
    """Unique record ids; duplicate_of names another record, one that was kept, of the same trial."""
    problems, rows = [], {}
    for rec in records:
        rid = rec["record_id"]
        if rid in rows:
            problems.append(Problem(file, rec["row"], "record_id", f"'{rid}' is already used on row {rows[rid]['row']}"))
        elif rid:
            rows[rid] = rec
    for rec in records:
        target = rec["duplicate_of"]
        if not target:
            continue
        kept = rows.get(target)
        if target == rec["record_id"]:
            message = "a record cannot be a duplicate of itself"
        elif kept is None:
            message = f"'{target}' is not a record_id of this file"
        elif kept["duplicate_of"]:
            message = f"'{target}' is itself a duplicate (of '{kept['duplicate_of']}'); point at the record kept"
        elif kept["trial"] != rec["trial"]:
            message = f"'{target}' is a record of trial '{kept['trial']}', not '{rec['trial']}'"
        else:
            continue
        problems.append(Problem(file, rec["row"], "duplicate_of", message))
    return problems


def _data_files(file: str, records: list[dict], data_dir: Path, warnings: list[Problem]) -> list[Problem]:
    """Included records against the tables in data_dir (missing file: problem; the rest: warnings)."""
    problems = []
    present = {p.name for p in trial_files(data_dir)}
    named = set()
    for rec in records:
        name = rec["data_file"]
        if not name or rec["duplicate_of"] or rec["eligibility"] != "included":
            continue
        named.add(name)
        if rec["table_added"] == "yes" and name not in present:
            problems.append(Problem(file, rec["row"], "data_file",
                                    f"{data_dir / name} does not exist (table_added is yes); add the table or set "
                                    "table_added to no"))
        elif rec["table_added"] == "no" and name in present:
            warnings.append(Problem(file, rec["row"], "table_added",
                                    f"warning: {data_dir / name} exists now; set table_added to yes"))
    for name in sorted(present - named):
        warnings.append(Problem(str(data_dir / name), None, None,
                                f"warning: no included record of {file} names this trial table; add the records "
                                "that found it"))
    return problems
