"""How an effect is written for people (RevMan conventions): the one number format shared by the
figures (plotting.wording) and the versions (versions.numbers)."""

from __future__ import annotations

DASH = "-"


def ratio(x: float | None) -> str:
    """A risk ratio: two decimals from 0.01 to 100 ('1.08'), whole numbers from 100 ('241'),
    two significant digits from 0.001 to 0.01 ('0.0075'), '<0.001' below (never '0.00')."""
    if x is None:
        return DASH
    if x < 0.001:
        return "<0.001"
    if x < 0.01:
        return f"{x:.2g}"
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.2f}"
