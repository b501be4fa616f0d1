"""How results are written for people (RevMan conventions): the one number format shared by the
figures (plotting.wording) and the versions (versions.numbers), a row's time point, and the
sentence of an analysis with nothing to pool (pooled.json's note and its page)."""

from __future__ import annotations

from metapool.rounding import decimals

DASH = "-"


def ratio(x: float | None) -> str:
    """A risk ratio: two decimals from 0.01 to 100 ('1.08'), whole numbers from 100 ('241'),
    two significant digits from 0.001 to 0.01 ('0.0075'), '<0.001' below (never '0.00'), '>1000'
    above 1,000 (the mirror of '<0.001': a limit on a ratio that far out is not a number to read)."""
    if x is None:
        return DASH
    if x < 0.001:
        return "<0.001"
    if x > 1000:
        return ">1000"
    if x < 0.01:
        return f"{x:.2g}"
    if x >= 100:
        return decimals(x, 0)
    return decimals(x, 2)


STATED_SETTINGS = (("[note: ICU mortality", "ICU"), ("[note: hospital mortality", "hospital"))


def timepoint_text(row: dict) -> str:
    """A row's time point in a column or footnote: '28 d'; without timepoint_days, the setting its
    quote's note states ('ICU', 'hospital' mortality), else 'not stated'."""
    days = row.get("timepoint_days")
    if days is not None:
        return f"{days:g} d" if isinstance(days, (int, float)) else f"{days} d"
    quote = str(row.get("quote") or "")
    return next((text for note, text in STATED_SETTINGS if note in quote), "not stated")


def nothing_to_pool(selected: int) -> str:
    """'Nothing to pool: ...' for an analysis that selects ``selected`` trials and pools none."""
    if not selected:
        return "Nothing to pool: this analysis selects no trial yet."
    if selected == 1:
        return "Nothing to pool: the one trial this analysis selects does not contribute."
    return f"Nothing to pool: none of the {selected} trials this analysis selects contributes."
