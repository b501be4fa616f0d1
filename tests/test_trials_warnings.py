"""Warnings (not errors): counts that disagree with the reported RR, OR or RD, or with quoted percentages."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from metapool.inputs.trials import columns, load_trials, quoted_percentages

# STRESS-L day 28: 23/62 vs 16/63 gives RR (23/62)/(16/63) = 1.4607, OR (23 x 47)/(16 x 39) = 1.7324
# and RD 23/62 - 16/63 = 0.11700.
BASE = {
    "trial": "STRESS-L", "first_author": "Whitehouse", "year": "2023", "journal": "JAMA",
    "doi": "", "pmid": "", "agent": "landiolol", "agent_class": "beta-1 blocker",
    "comparator": "standard care", "comparator_class": "standard care", "role": "adjunct",
    "population": "septic shock", "septic_shock_only": "yes", "blinding": "open-label",
    "outcome": "all-cause mortality", "timepoint_days": "28", "events_trt": "23", "total_trt": "62",
    "events_ctl": "16", "total_ctl": "63", "status": "verbatim",
    "quote": '"37.1% (23 of 62) and 25.4% (16 of 63)"', "source": "https://example.org", "source_kind": "primary",
}


def load(tmp_path: Path, **changes: str):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns())
    writer.writerow([{**BASE, **changes}.get(c, "") for c in columns()])
    path = tmp_path / "stress-l.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, load_trials([path])


AGREEING = [("RR", rr, "0.8", "2.6") for rr in ("1.46", "1.47", "1.45", "1.5", "1.4607", "1.462", "1")] + \
    [("OR", o, "0.8", "3.7") for o in ("1.73", "1.74", "1.72", "1.7", "1.7324", "2")] + \
    [("RD", rd, "-0.05", "0.28") for rd in ("0.117", "0.12", "0.11", "0.1170", "0.1", "0")]
DISAGREEING = [("RR", rr, "0.8", "2.6", "RR 1.461") for rr in ("1.48", "1.30", "1.3", "1.463")] + \
    [("OR", o, "0.8", "3.7", "OR 1.732") for o in ("1.76", "1.5", "1.735")] + \
    [("RD", rd, "-0.05", "0.28", "RD 0.117") for rd in ("0.14", "0.119", "0.09")]


@pytest.mark.parametrize(("measure", "effect", "lower", "upper"), AGREEING)
def test_effect_agreeing_within_rounding_is_silent(tmp_path, measure, effect, lower, upper):
    _, table = load(tmp_path, effect_measure=measure, effect=effect, effect_lower=lower, effect_upper=upper)
    assert table.warnings == []


@pytest.mark.parametrize(("measure", "effect", "lower", "upper", "computed"), DISAGREEING)
def test_effect_disagreeing_with_counts_warns_with_both(tmp_path, measure, effect, lower, upper, computed):
    path, table = load(tmp_path, effect_measure=measure, effect=effect, effect_lower=lower, effect_upper=upper)
    assert len(table.warnings) == 1
    warning = table.warnings[0]
    assert (warning.file, warning.row, warning.column) == (str(path), 2, "effect")
    assert f"the counts give {computed} (23/62 vs 16/63)" in warning.message
    assert f"the reported effect is {effect} (95% CI {lower} to {upper})" in warning.message
    assert "differ by more than 1 in the last reported digit" in warning.message
    assert table.rows[0]["poolable"] == ("counts", "reported")


@pytest.mark.parametrize(("measure", "effect", "lower", "upper"), [
    ("HR", "3.1", "1.1", "8.7"),      # a hazard ratio is not computable from the counts
    ("PETO", "3.1", "1.1", "8.7"),    # nor is the check made for the Peto odds ratio
])
def test_measures_the_counts_do_not_give_are_not_checked(tmp_path, measure, effect, lower, upper):
    _, table = load(tmp_path, effect_measure=measure, effect=effect, effect_lower=lower, effect_upper=upper)
    assert table.warnings == []


def test_zero_cells_are_not_checked(tmp_path):
    _, table = load(tmp_path, events_ctl="0", effect_measure="RR", effect="9.9", effect_lower="1.1",
                    effect_upper="20", quote='"23 of 62 and none of 63"')
    assert table.warnings == []


def test_reported_effect_without_totals_is_not_checked(tmp_path):
    """I-MICRO: events but no totals: nothing to compute the RR from."""
    _, table = load(tmp_path, total_trt="", total_ctl="", effect_measure="RR", effect="3", effect_lower="0.8",
                    effect_upper="4", quote='"48 died and 47 died"')
    assert table.warnings == [] and table.rows[0]["poolable"] == ("reported",)


def test_quote_percentage_disagreeing_with_its_own_fraction_warns(tmp_path):
    path, table = load(tmp_path, quote='"40.0% (23 of 62) and 25.4% (16 of 63)"')
    [warning] = table.warnings
    assert (warning.file, warning.row, warning.column) == (str(path), 2, "quote")
    assert "the quote gives 40.0% but 23 of 62 in the quote is 37.1%" in warning.message


def test_quote_percentage_disagreeing_with_events_over_total_warns(tmp_path):
    """A total typed wrong (60, not 62) is caught by the quote's 'n (p%)'."""
    _, table = load(tmp_path, total_trt="60", quote='"23 patients (37.1%) and 16 patients (25.4%)"')
    [warning] = table.warnings
    assert "the quote gives 37.1% but events_trt/total_trt = 23/60 is 38.3%" in warning.message


def test_quote_n_of_m_against_a_different_total_warns(tmp_path):
    _, table = load(tmp_path, total_trt="70")
    messages = [w.message for w in table.warnings]
    assert messages == ["warning: the quote gives 37.1% but events_trt/total_trt = 23/70 is 32.9%"]


def test_unverifiable_percentages_are_silent(tmp_path):
    """I-MICRO: 'n (p%)' with no totals, and percentages in trailing notes, are not checked."""
    _, table = load(tmp_path, total_trt="", total_ctl="",
                    quote='"48 patients (42%) had died ... and 47 (39%)" [note: 114/122 (90%)]')
    assert table.warnings == []


def test_whole_percent_tolerance_is_one_point(tmp_path):
    _, table = load(tmp_path, quote='"23 of 62 (38%)"')  # 37.1 -> 38 is within 1
    assert table.warnings == []
    _, table = load(tmp_path, quote='"23 of 62 (39%)"')
    assert len(table.warnings) == 1


@pytest.mark.parametrize(("quote", "expected"), [
    ('"75 of 163 patients (46%) ... 85 of 158 patients (54%)"', [(75, 163, "46"), (85, 158, "54")]),
    ('"24/155 (15.5%) ... versus 34/155 (21.9%)"', [(24, 155, "15.5"), (34, 155, "21.9")]),
    ('"37.1% (23 of 62) and 25.4% (16 of 63)"', [(23, 62, "37.1"), (16, 63, "25.4")]),
    ('"90 patients [72.0%] and 94 patients [75.2%]" [derived totals: 90/0.720=125]', [(90, None, "72.0"), (94, None, "75.2")]),
    ('"(P = 0.15) 35.4% and 39.3%, respectively; 1.08 (0.80-1.5)"', []),
])
def test_quoted_percentage_patterns(quote, expected):
    assert quoted_percentages(quote) == expected
