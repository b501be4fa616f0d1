"""The effect axis of interval columns: its range and ticks, and clipping of intervals to it.

Values are on the analysis scale, where the null is always 0 (metapool.measures.registry).
Ratio measures (RR, OR, Peto OR, RoM, HR) get a log axis labelled on the ratio scale,
symmetric around 1 and taken from a ladder of half-widths (2, 5, 10, 20, 50, 100-fold), each
with readable ticks; study confidence limits count only up to 10-fold, further out they end in
arrows (as in RevMan); nothing is wider than 0.01 to 100. Differences (RD, MD, SMD) get a
linear axis symmetric around 0 from a ladder of nice half-widths (1, 2, 5 x 10^n; at most 1
for a risk difference), ticks at the half-width, its half and 0; study confidence limits count
up to LINEAR_REACH times the largest value that must fit. The range must hold every pooled
interval, prediction interval and study point estimate.
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
LINEAR_STEPS = (1.0, 2.0, 5.0)  # linear half-widths: these times a power of ten
LINEAR_REACH = 3.0  # linear axis: study CI limits count up to 3 times the must-fit extent
LINEAR_FLOOR = 1e-6  # narrowest linear half-width (all values 0)


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
    """'0.5', '1', '10', '-2.5' (shortest exact decimal)."""
    return f"{rr:g}"


def for_measure(log_scale: bool, must_fit: list[float], should_fit: list[float],
                limit: float | None = None) -> Axis:
    """The axis of a measure: `choose` (log) or `choose_linear` (differences; `limit` caps
    the half-width, 1 for a risk difference)."""
    if log_scale:
        return choose(must_fit, should_fit)
    return choose_linear(must_fit, should_fit, limit)


def linear_rung(need: float) -> float:
    """Smallest half-width 1, 2 or 5 x 10^n holding `need` (1 when need is 0)."""
    if need <= 0:
        return 1.0
    need = max(need, LINEAR_FLOOR)
    power = 10.0 ** math.floor(math.log10(need))
    for step in LINEAR_STEPS + (10.0,):
        half = step * power
        if need <= half * (1 + 1e-9):
            return float(f"{half:.12g}")
    return 10.0 * power


def choose_linear(must_fit: list[float], should_fit: list[float],
                  limit: float | None = None) -> Axis:
    """Symmetric linear axis: the smallest rung holding |must_fit|, and |should_fit| up to
    LINEAR_REACH times that; never wider than `limit` when given."""
    must = max((abs(v) for v in must_fit), default=0.0)
    reach = LINEAR_REACH * must if must > 0 else math.inf
    need = max([must] + [min(abs(v), reach) for v in should_fit])
    half = linear_rung(need)
    if limit is not None:
        half = min(half, limit)
    return linear_axis(-half, half)


def linear_axis(lower: float, upper: float) -> Axis:
    """A linear axis [lower, upper] with ticks at 0, the rung's half-width and its half
    (those inside the limits)."""
    half = linear_rung(max(-lower, upper))
    ticks = [v for v in (-half, -half / 2, 0.0, half / 2, half)
             if lower - 1e-9 * half <= v <= upper + 1e-9 * half]
    return Axis(lower, upper, tuple((v, tick_label(v + 0.0)) for v in ticks))


def choose(must_fit: list[float], should_fit: list[float]) -> Axis:
    """Smallest ladder rung holding |ln RR| of `must_fit`, and of `should_fit` up to 10-fold."""
    need = max([abs(v) for v in must_fit] + [min(abs(v), STUDY_CI_REACH) for v in should_fit],
               default=0.0)
    for upper, ticks in LADDER:
        if need <= math.log(upper) * (1 + 1e-9):
            break
    return _axis(1.0 / upper, upper, ticks)


def from_limits(lower: float, upper: float, log_scale: bool = True) -> Axis:
    """An axis with user-given limits (people's scale); ticks of the first rung that covers them."""
    if not log_scale:
        if not lower < 0 < upper:
            raise ValueError(f"xlim must satisfy lower < 0 < upper, got ({lower}, {upper})")
        return linear_axis(float(lower), float(upper))
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
