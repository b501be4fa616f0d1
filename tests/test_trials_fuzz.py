"""Malformed bytes never escape either reader as anything but InputError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metapool.errors import InputError
from metapool.measures import datakinds as rules
from metapool.inputs.studytable import read_study_table
from metapool.inputs.trials import columns, load_trials

READERS = {"trials": lambda path: load_trials([path]), "studytable": read_study_table}
TRIAL_HEADER = ",".join(columns()).encode()
STUDY_HEADER = ",".join(("study",) + rules.DATA_COLUMNS + ("group",)).encode()
VALID_TRIAL_CELLS = {
    "trial": "STRESS-L", "first_author": "Whitehouse", "year": "2023", "journal": "JAMA", "agent": "landiolol",
    "agent_class": "beta-1 blocker", "comparator": "standard care", "comparator_class": "standard care",
    "role": "adjunct", "population": "septic shock", "septic_shock_only": "yes", "outcome": "all-cause mortality",
    "timepoint_days": "28", "events_trt": "23", "total_trt": "62", "events_ctl": "16", "total_ctl": "63",
    "status": "verbatim", "quote": '"q"', "source": "https://x.org", "source_kind": "primary"}
VALID_TRIAL_ROW = ",".join(VALID_TRIAL_CELLS.get(c, "") for c in columns()).encode()
VALID_STUDY_ROW = ",".join(["A", "1", "10", "2", "10"] + [""] * (len(rules.DATA_COLUMNS) - 4) + ["x"]).encode()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# cells that stress the parsers: numbers in odd spellings, quotes, separators, control characters
CELL = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "1e3", "1,5", "nan", "inf", "-inf", "1_000", "٣", "²", "0x10",
                     "9" * 400, "9" * 5000, "1" + "0" * 200000, '"', '""', "\r", "\n", "\x00", "\ufeff", "beta-1 blocker", "verbatim"]),
    st.text(max_size=12),
)


def run(reader: str, path: Path):
    """The reader's result, or None when it raised InputError; any other exception fails the test."""
    try:
        return READERS[reader](path)
    except InputError as err:
        assert err.problems and all(str(p) for p in err.problems)
        return None


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes(tmp_path, reader, data):
    path = tmp_path / "stress-l.csv"
    path.write_bytes(data)
    run(reader, path)


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(rows=st.lists(st.lists(CELL, max_size=len(columns()) + 2), max_size=4), crlf=st.booleans())
def test_valid_header_with_garbage_rows(tmp_path, reader, rows, crlf):
    header = TRIAL_HEADER if reader == "trials" else STUDY_HEADER
    newline = "\r\n" if crlf else "\n"
    text = newline.join(",".join(cells) for cells in rows)
    path = tmp_path / "stress-l.csv"
    path.write_bytes(header + newline.encode() + text.encode("utf-8", "surrogatepass"))
    run(reader, path)


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(position=st.floats(0, 1), bad=st.sampled_from([b"\xff", b"\xc3", b"\xe9t\xe9", b"\xed\xa0\x80", b"\x96"]))
def test_invalid_utf8_anywhere_is_an_input_error(tmp_path, reader, position, bad):
    header = TRIAL_HEADER if reader == "trials" else STUDY_HEADER
    body = VALID_TRIAL_ROW if reader == "trials" else VALID_STUDY_ROW
    data = header + b"\n" + body + b"\n"
    cut = int(position * len(data))
    path = tmp_path / "stress-l.csv"
    path.write_bytes(data[:cut] + bad + data[cut:])
    with pytest.raises(InputError) as caught:
        READERS[reader](path)
    assert "not valid UTF-8" in str(caught.value) and "stress-l.csv" in str(caught.value)


@pytest.mark.parametrize("reader", READERS)
def test_valid_fuzz_baselines_load(tmp_path, reader):
    """The rows the fuzzers start from are themselves valid, so the fuzzers test the breakage."""
    header = TRIAL_HEADER if reader == "trials" else STUDY_HEADER
    body = VALID_TRIAL_ROW if reader == "trials" else VALID_STUDY_ROW
    path = tmp_path / "stress-l.csv"
    path.write_bytes(header + b"\n" + body + b"\n")
    assert len(run(reader, path)) == 1
    assert len(body.split(b",")) == len(header.split(b","))


# outcome cells that are each readable, so the fuzzer reaches the rules across cells
NUMBER = st.sampled_from(["", "", "", "0", "1", "2", "3", "5", "10", "62", "-1", "0.5", "1.5", "1e3"])
WORD = {"effect_measure": st.sampled_from(["", "RR", "or", "RD", "PETO", "MD", "SMD", "ROM", "HR", "RRR"]),
        "effect_adjusted": st.sampled_from(["", "yes", "no", "Yes", "maybe"])}
OUTCOME_CELLS = st.fixed_dictionaries({c: WORD.get(c, NUMBER) for c in rules.DATA_COLUMNS})


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(cells=OUTCOME_CELLS)
def test_any_readable_outcome_cells_load_or_are_an_input_error(tmp_path, reader, cells):
    """Every combination of blank and numeric cells meets a rule, never an exception (an arm with
    a range and one quartile once raised TypeError)."""
    if reader == "trials":
        row = {**VALID_TRIAL_CELLS, **cells, "status": "verbatim" if any(cells.values()) else "missing"}
        text = ",".join(columns()) + "\n" + ",".join(row.get(c, "") for c in columns())
    else:
        text = ",".join(("study",) + rules.DATA_COLUMNS) + "\nA," + ",".join(cells[c] for c in rules.DATA_COLUMNS)
    path = tmp_path / "stress-l.csv"
    path.write_text(text + "\n", encoding="utf-8")
    loaded = run(reader, path)
    if loaded is not None:
        row = loaded.rows[0] if reader == "trials" else loaded[0]
        assert set(rules.kinds(row)) <= set(rules.KINDS)
