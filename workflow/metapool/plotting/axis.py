"""The log risk-ratio axis: its range and ticks, and clipping of intervals to it.

The range is symmetric around RR = 1 and taken from a ladder of half-widths (2, 5, 10, 20,
50, 100-fold), each with readable ticks. It must hold every pooled interval, prediction
interval and study point estimate; study confidence limits count only up to 10-fold, further
out they end in arrows (as in RevMan). Nothing is wider than 0.01 to 100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# (upper limit, ticks) on the RR scale; the lower limit is 1 / upper.
LADDER = (
    (2.0, (0.5, 0.7, 1, 1.5, 2)),
    (5.0, (0.2, 0.5, 1, 2, 5)),
    (10.0, (0.1, 0.2, 0.5, 1, 2, 5, 10)),
    (20.0, (0.05, 0.2, 1, 5, 20)),
    (50.0, (0.02, 0.1, 1, 10, 50)),
    (100.0, (0.01, 0.1, 1, 10, 100)),
)
STUDY_CI_REACH = math.log(10.0)  # study CI limits further out than 10-fold get arrows


@dataclass(frozen=True)
class Axis:
    """Range [lo, hi] in ln RR, ticks as (ln RR, label)."""

    lo: float
    hi: float
    ticks: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class Clipped:
    """An interval (ln RR) clipped to the axis; arrow_* when it ran past that end."""

    est: float | None
    lo: float
    hi: float
    arrow_lo: bool
    arrow_hi: bool
    est_inside: bool


def tick_label(rr: float) -> str:
    """'0.5', '1', '10' (shortest exact decimal)."""
    return f"{rr:g}"


def choose(must_fit: list[float], should_fit: list[float]) -> Axis:
    """Smallest ladder rung holding |ln RR| of `must_fit`, and of `should_fit` up to 10-fold."""
    need = max([abs(v) for v in must_fit] + [min(abs(v), STUDY_CI_REACH) for v in should_fit],
               default=0.0)
    for upper, ticks in LADDER:
        if need <= math.log(upper) * (1 + 1e-9):
            break
    return _axis(1.0 / upper, upper, ticks)


def from_limits(lower: float, upper: float) -> Axis:
    """An axis with user-given limits (RR scale); ticks of the first rung that covers them."""
    if not 0 < lower < 1 < upper:
        raise ValueError(f"xlim must satisfy 0 < lower < 1 < upper, got ({lower}, {upper})")
    need = max(-math.log(lower), math.log(upper))
    ticks = next((t for u, t in LADDER if need <= math.log(u) * (1 + 1e-9)), LADDER[-1][1])
    inside = tuple(t for t in ticks if lower * (1 - 1e-9) <= t <= upper * (1 + 1e-9))
    return _axis(lower, upper, inside)


def _axis(lower: float, upper: float, ticks: tuple[float, ...]) -> Axis:
    return Axis(math.log(lower), math.log(upper),
                tuple((math.log(t), tick_label(t)) for t in ticks))


def clip(axis: Axis, est: float | None, lo: float, hi: float) -> Clipped:
    """Clip [lo, hi] to the axis range, flagging ends that ran past it."""
    return Clipped(
        est=est,
        lo=min(max(lo, axis.lo), axis.hi),
        hi=max(min(hi, axis.hi), axis.lo),
        arrow_lo=lo < axis.lo,
        arrow_hi=hi > axis.hi,
        est_inside=est is None or axis.lo <= est <= axis.hi,
    )
