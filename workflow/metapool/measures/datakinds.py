"""The rules for a row's numbers, stated once: the trial tables, the CLI's study table and the
engine's `pool_studies` all check with these functions.

A row holds one kind of outcome data: 2x2 counts (binary), events and person-time per arm (rates),
arm summaries (continuous: n with mean and SD, or a median with its IQR and/or range), and/or a
reported effect with its 95% CI. DATA_KINDS (end of module) is the registry of these kinds.
Values are typed (int, float, str or None); each breach is reported against one column as
``report(column, rule)``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable, Collection, Mapping

import numpy as np

from metapool import bounds
from metapool.measures import registry
from metapool.measures.binary import effect_from_counts
from metapool.measures.continuous import effect_from_means
from metapool.measures.generic import effect_from_ci
from metapool.measures.rates import log_irr

Report = Callable[[str, str], None]

ARMS = ("trt", "ctl")
COUNTS = ("events_trt", "total_trt", "events_ctl", "total_ctl")
ARM_STATS = ("n", "mean", "sd", "median", "q1", "q3", "min", "max")
PTIME = ("ptime_trt", "ptime_ctl")
RATES = ("events_trt", "ptime_trt", "events_ctl", "ptime_ctl")
CONTINUOUS = tuple(f"{stat}_{arm}" for arm in ARMS for stat in ARM_STATS)
REPORTED = ("effect_measure", "effect", "effect_lower", "effect_upper", "effect_adjusted")
NUMBERS = COUNTS + PTIME + CONTINUOUS + REPORTED[1:4]
DATA_COLUMNS = COUNTS + PTIME + CONTINUOUS + REPORTED
WHOLE = COUNTS + ("n_trt", "n_ctl")
YES_NO = ("yes", "no")
KINDS = ("counts", "rates", "means", "medians", "reported")


def _given(values: Mapping, column: str) -> bool:
    return values.get(column) is not None


def _number(x) -> bool:
    return not isinstance(x, bool) and isinstance(x, (int, float)) and math.isfinite(x)


def _show(x) -> str:
    """A number in a message as people write it: 2 (not 2.0), 1.08; floats by repr otherwise."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x) if isinstance(x, float) else str(x)


def check_types(values: Mapping, report: Report) -> set[str]:
    """Whole numbers for counts and n, finite numbers elsewhere; the columns that failed."""
    bad = set()
    for column in NUMBERS:
        x = values.get(column)
        if x is None:
            continue
        if column in WHOLE:
            if not (_number(x) and float(x).is_integer() and x >= 0):
                report(column, f"{x!r} is not a non-negative whole number")
                bad.add(column)
        elif not _number(x):
            report(column, f"{x!r} is not a finite number")
            bad.add(column)
    return bad


def check_counts(values: Mapping, report: Report) -> None:
    """Totals >= 1, events <= total; per arm a total needs its events; events in both arms or
    neither, and with events, totals in both arms or neither (events without totals are allowed:
    the counts are then not usable)."""
    for arm in ARMS:
        events, total = values.get(f"events_{arm}"), values.get(f"total_{arm}")
        if total is not None and total < 1:
            report(f"total_{arm}", "total is 0; an arm needs at least 1 patient")
        if total is not None and events is None:
            report(f"events_{arm}", f"blank while total_{arm} is given; a total needs its events "
                                    "(give the events or leave the total blank)")
        if events is not None and total is not None and total >= 1 and events > total:
            report(f"events_{arm}", f"events_{arm} ({_show(events)}) exceeds total_{arm} ({_show(total)})")
    given = {arm: _given(values, f"events_{arm}") for arm in ARMS}
    if given["trt"] != given["ctl"]:
        blank, other = ("ctl", "trt") if given["trt"] else ("trt", "ctl")
        if values.get(f"total_{blank}") is None:  # else already reported as a total without events
            report(f"events_{blank}", f"blank while events_{other} is given; give events for both arms or neither")
    elif given["trt"]:
        totals = {arm: _given(values, f"total_{arm}") for arm in ARMS}
        if totals["trt"] != totals["ctl"]:
            blank, other = ("ctl", "trt") if totals["trt"] else ("trt", "ctl")
            report(f"total_{blank}", f"blank while total_{other} is given; give totals for both arms or neither")


def check_rates(values: Mapping, report: Report) -> None:
    """Person-time > 0; per arm a person-time needs its events; person-time in both arms or neither."""
    for arm in ARMS:
        ptime = values.get(f"ptime_{arm}")
        if ptime is not None and ptime <= 0:
            report(f"ptime_{arm}", f"{_show(ptime)} is not positive; person-time must be > 0")
        if ptime is not None and values.get(f"events_{arm}") is None:
            report(f"events_{arm}", f"blank while ptime_{arm} is given; a person-time needs its events")
    given = {arm: _given(values, f"ptime_{arm}") for arm in ARMS}
    if given["trt"] != given["ctl"]:
        blank, other = ("ctl", "trt") if given["trt"] else ("trt", "ctl")
        report(f"ptime_{blank}", f"blank while ptime_{other} is given; give person-time for both arms or neither")


def _arm_given(values: Mapping, arm: str) -> bool:
    return any(_given(values, f"{s}_{arm}") for s in ARM_STATS if s != "n")


def check_arm(values: Mapping, arm: str, report: Report) -> None:
    """One arm's summaries: n >= 1; mean with SD > 0; a median with q1 <= median <= q3 and/or
    min <= median <= max (q1 < q3, min < max, min <= q1, q3 <= max); quantiles need the median."""
    def v(stat):
        return values.get(f"{stat}_{arm}")

    def col(stat):
        return f"{stat}_{arm}"

    if v("n") is not None and v("n") < 1:
        report(col("n"), "n is 0; an arm needs at least 1 patient")
    if (v("mean") is None) != (v("sd") is None):
        have, lack = ("mean", "sd") if v("mean") is not None else ("sd", "mean")
        report(col(lack), f"blank while {col(have)} is given; a mean needs its SD (and an SD its mean)")
    if v("sd") is not None and v("sd") <= 0:
        report(col("sd"), f"{_show(v('sd'))} is not positive; an SD must be > 0")
    for low, high in (("q1", "q3"), ("min", "max")):
        if (v(low) is None) != (v(high) is None):
            have, lack = (low, high) if v(low) is not None else (high, low)
            report(col(lack), f"blank while {col(have)} is given; give {col(low)} and {col(high)} together")
        elif v(low) is not None:
            if v("median") is None:
                report(col("median"), f"blank while {col(low)}/{col(high)} are given; quantiles need the median")
            if not v(low) < v(high):
                report(col(high), f"{col(high)} ({_show(v(high))}) must exceed {col(low)} ({_show(v(low))})")
            elif v("median") is not None and not v(low) <= v("median") <= v(high):
                report(col("median"), f"median ({_show(v('median'))}) lies outside [{col(low)}, {col(high)}] = "
                                      f"[{_show(v(low))}, {_show(v(high))}]")
    if all(v(s) is not None for s in ("min", "q1", "q3", "max")) and (v("min") > v("q1") or v("q3") > v("max")):
        report(col("q1"), f"the IQR [{_show(v('q1'))}, {_show(v('q3'))}] must lie within the range "
                            f"[{_show(v('min'))}, {_show(v('max'))}]")
    if v("median") is not None and v("q1") is None and v("min") is None:
        report(col("median"), "a median needs its IQR (q1, q3) and/or its range (min, max)")


def check_continuous(values: Mapping, report: Report) -> None:
    """Both arms' summaries (check_arm); summaries for both arms or neither, and n for both arms
    or neither (a row with one arm's n is not usable, so say which n is missing; summaries
    without any n are allowed, as with events without totals: the row is then not usable)."""
    for arm in ARMS:
        check_arm(values, arm, report)
    given = {arm: _arm_given(values, arm) for arm in ARMS}
    if given["trt"] != given["ctl"]:
        blank, other = ("ctl", "trt") if given["trt"] else ("trt", "ctl")
        report(f"mean_{blank}", f"no summary for the {blank} arm while the {other} arm has one; "
                                "give both arms or neither")
    n = {arm: _given(values, f"n_{arm}") for arm in ARMS}
    if n["trt"] != n["ctl"]:
        blank, other = ("ctl", "trt") if n["trt"] else ("trt", "ctl")
        report(f"n_{blank}", f"blank while n_{other} is given; give n for both arms or neither")


def check_reported(values: Mapping, report: Report) -> None:
    """effect_measure (a registry code), effect and both 95% CI bounds together, effect_adjusted
    yes, no or blank (not stated); lower <= effect <= upper, lower < upper; ratio measures > 0."""
    measure, adjusted = values.get("effect_measure"), values.get("effect_adjusted")
    triple = REPORTED[1:4]
    given = [c for c in triple if _given(values, c)]
    if 0 < len(given) < 3:
        for column in triple:
            if not _given(values, column):
                report(column, f"blank while {', '.join(given)} given; give the effect with both "
                               "95% CI bounds or none of the three")
        return
    if not given:
        for column in ("effect_measure", "effect_adjusted"):
            if values.get(column) is not None:
                report(column, "given without an effect; give effect, effect_lower and effect_upper")
        return
    if measure is None:
        report("effect_measure", "blank while an effect is given; name its measure (e.g. RR, OR, RD, HR, MD)")
    elif str(measure).upper() not in registry.CODES:
        report("effect_measure", f"'{measure}' is not a measure; one of {', '.join(registry.CODES)}")
    if adjusted is not None and adjusted not in YES_NO:
        report("effect_adjusted", f"'{adjusted}' is not yes or no")
    est, lower, upper = (values[c] for c in triple)
    if measure is not None and str(measure).upper() in registry.CODES and registry.get(measure).log_scale:
        for column in triple:
            if values[column] <= 0:
                name = registry.get(measure).name.lower()
                report(column, f"{_show(values[column])} is not positive; {'an' if name[0] in 'aeiou' else 'a'} "
                               f"{name} and its bounds must be > 0")
                return
    if measure is not None and str(measure).upper() == "RD":
        for column in triple:
            why = bounds.rd_problem(values[column])
            if why:
                report(column, why)
                return
    if lower > est:
        report("effect_lower", f"effect_lower ({_show(lower)}) is above effect ({_show(est)}): "
                               "the CI excludes its estimate")
    if est > upper:
        report("effect_upper", f"effect_upper ({_show(upper)}) is below effect ({_show(est)}): "
                               "the CI excludes its estimate")
    if lower == upper:
        report("effect_upper", f"effect_upper equals effect_lower ({_show(lower)}); a zero-width CI has no variance")


def check_kinds(values: Mapping, report: Report) -> None:
    """One outcome type per row: counts or arm summaries, and a reported effect of that type."""
    counts = any(_given(values, c) for c in COUNTS)
    continuous = any(_given(values, c) for c in CONTINUOUS)
    if counts and continuous:
        report("n_trt", "a row holds 2x2 counts (a binary outcome) or arm summaries (a continuous "
                        "outcome), not both")
        return
    measure = values.get("effect_measure")
    if measure is None or str(measure).upper() not in registry.CODES:
        return
    kind = registry.get(measure).kind
    if counts and kind == "continuous":
        report("effect_measure", f"{measure} is a continuous-outcome measure on a row with 2x2 counts")
    if continuous and kind == "binary":
        report("effect_measure", f"{measure} is a binary-outcome measure on a row with arm summaries")


def check_numbers(values: Mapping, report: Report, unreadable: Collection[str] = ()) -> None:
    """Every rule of this module on one row's typed values (columns it lacks count as blank).

    unreadable: columns whose cell could not be read (already reported; their value is None).
    A group of columns (counts, arm summaries, reported effect) with an unreadable or
    mistyped cell is not checked further, since its blanks are not blanks; the other groups
    are, so every problem of a row is reported at once.
    """
    bad = check_types(values, report) | set(unreadable)
    for columns, check in dict.fromkeys((k.columns, k.check) for k in DATA_KINDS.values()):
        if not bad & set(columns):
            check(values, report)
    if not bad:
        check_kinds(values, report)


def has_numbers(values: Mapping) -> bool:
    """Any count, arm summary or reported effect given (status 'missing' iff not)."""
    return any(_given(values, c) for c in NUMBERS)


def arm_kind(values: Mapping, arm: str) -> str | None:
    """'means' (n, mean, SD), 'medians' (n, median and IQR and/or range), or None (not usable)."""
    def v(stat):
        return values.get(f"{stat}_{arm}")

    if v("n") is None:
        return None
    if v("mean") is not None and v("sd") is not None:
        return "means"
    if v("median") is not None and (v("q1") is not None or v("min") is not None):
        return "medians"
    return None


def kinds(values: Mapping) -> tuple[str, ...]:
    """The kinds of usable data a (checked) row holds, in KINDS order."""
    out = []
    if all(_given(values, c) for c in COUNTS):
        out.append("counts")
    if all(_given(values, c) for c in RATES):
        out.append("rates")
    arm = [arm_kind(values, a) for a in ARMS]
    if all(arm):
        out.append("medians" if "medians" in arm else "means")
    if all(_given(values, c) for c in REPORTED[1:4]):
        out.append("reported")
    return tuple(out)


# --- The registry: one entry per kind of study data -------------------------------------------

@dataclass(frozen=True)
class Effect:
    """One study's effect from one kind of data: (yi, vi) (NaN where it does not enter), its
    status (docs/design.md) and its median-conversion block per arm (None if not converted)."""

    status: str
    yi: float = math.nan
    vi: float = math.nan
    converted: dict | None = None


def _arm_mean_sd(study: Mapping, arm: str) -> tuple[float, float, dict | None]:
    """(mean, sd, conversion block or None) of one arm; medians converted (measures.medians)."""
    if arm_kind(study, arm) == "means":
        return float(study[f"mean_{arm}"]), float(study[f"sd_{arm}"]), None
    from metapool.measures.medians import convert_arm

    est = convert_arm(study[f"n_{arm}"], study[f"median_{arm}"], q1=study.get(f"q1_{arm}"),
                      q3=study.get(f"q3_{arm}"), minimum=study.get(f"min_{arm}"), maximum=study.get(f"max_{arm}"),
                      test=False)
    return est.mean, est.sd, dataclasses.asdict(est)


def counts_effect(study: Mapping, m: registry.Measure, **_) -> Effect:
    """A binary measure from the 2x2 counts (measures.binary, escalc add=1/2, to="only0")."""
    y, v, corrected, estimable = effect_from_counts(m.code, *([study[c]] for c in COUNTS))
    if not estimable[0]:
        return Effect("not_estimable")
    return Effect("counts_corrected" if corrected[0] else "counts", y[0], v[0])


def rates_effect(study: Mapping, m: registry.Measure, **_) -> Effect:
    """A rate measure (IRR) from events and person-time per arm (measures.rates, escalc "IRR")."""
    y, v, corrected = log_irr(*([study[c]] for c in RATES))
    if not (np.isfinite(y[0]) and np.isfinite(v[0])):
        return Effect("not_estimable")
    return Effect("rates_corrected" if corrected[0] else "rates", y[0], v[0])


def arms_effect(study: Mapping, m: registry.Measure, include_skewed: bool = False, **_) -> Effect | None:
    """A continuous measure from both arms' means and SDs, medians converted (measures.medians);
    None when an arm is too small to convert (n < 5, as metafor conv.fivenum): no data."""
    try:
        arms = [_arm_mean_sd(study, arm) for arm in ARMS]
    except ValueError:
        return None
    blocks = {arm: a[2] for arm, a in zip(ARMS, arms) if a[2] is not None} or None
    if blocks and any(b["skewed"] for b in blocks.values()) and not include_skewed:
        return Effect("skewed", converted=blocks)
    (m1, sd1, _), (m2, sd2, _) = arms
    y, v = effect_from_means(m.code, [m1], [sd1], [study["n_trt"]], [m2], [sd2], [study["n_ctl"]])
    if not (np.isfinite(y[0]) and np.isfinite(v[0])):
        return Effect("not_estimable", converted=blocks)
    return Effect("medians" if blocks else "means", y[0], v[0], blocks)


def reported_block(study: Mapping) -> dict | None:
    """The reported-effect block of the JSON contract; adjusted is true, false or null (not stated)."""
    if not all(study.get(c) is not None for c in REPORTED[1:4]):
        return None
    adjusted = study.get("effect_adjusted")
    return {"measure": str(study.get("effect_measure") or "").upper() or None, "est": study["effect"],
            "ci_lb": study["effect_lower"], "ci_ub": study["effect_upper"],
            "adjusted": None if adjusted is None else str(adjusted).lower() == "yes"}


def reported_effect(study: Mapping, m: registry.Measure, include_adjusted: bool = True, **_) -> Effect:
    """Generic inverse variance from a reported effect of ``m`` itself and its 95% CI; an effect of
    another measure never enters (`other_measure`), an adjusted one only if include_adjusted."""
    r = reported_block(study)
    if r["measure"] != m.code:
        return Effect("other_measure")
    if r["adjusted"] and not include_adjusted:
        return Effect("adjusted_excluded")
    y, v = effect_from_ci(m.code, [r["est"]], [r["ci_lb"]], [r["ci_ub"]])
    return Effect("reported", y[0], v[0])


@dataclass(frozen=True)
class ArmCell:
    """One arm column of a forest plot (RevMan's study-data columns).

    key: the column's key; source: the study key it shows (for a `mean_sd` cell, the arm, whose
    mean and SD are shown); header: its heading; form: `count` (a whole number, summed in a total
    row), `amount` (a number, summed in a total row) or `mean_sd` (not summed)."""

    key: str
    source: str
    header: str
    form: str

    @property
    def summed(self) -> bool:
        return self.form in ("count", "amount")


def _cells(*cells: tuple[str, str, str, str]) -> tuple[ArmCell, ...]:
    return tuple(ArmCell(*c) for c in cells)


@dataclass(frozen=True)
class DataKind:
    """A kind of study data.

    name: as in a row's `poolable` (kinds()); columns: the columns it reads; measures: the
    registry kinds of the measures it feeds ("*": a reported effect, any measure it names);
    check: its rules, (values, report) -> None, on a row whose columns of it are readable;
    effect: (study, measure, include_adjusted=, include_skewed=) -> Effect, or None for no data;
    statuses: the statuses of a study that enters with it; notes: the forest-plot footnote of a
    status, where there is one; forest: the forest plot's arm columns of the measures it feeds,
    the treatment arm's first, then the control arm's, as many each; together: the columns a
    table header that has any of them must have all of (a CLI study table; () when the kind's
    columns may come partly, as arm summaries do).
    """

    name: str
    columns: tuple[str, ...]
    measures: tuple[str, ...]
    check: Callable[[Mapping, Report], None]
    effect: Callable[..., Effect | None]
    statuses: tuple[str, ...]
    notes: Mapping[str, str] = dataclasses.field(default_factory=dict)
    forest: tuple[ArmCell, ...] = ()
    together: tuple[str, ...] = ()

    def feeds(self, m: registry.Measure) -> bool:
        """Whether this kind of data can give measure ``m`` (a reported effect: any measure)."""
        return "*" in self.measures or m.kind in self.measures


_ARM_MEANS = _cells(("m_t", "trt", "Mean (SD)", "mean_sd"), ("n_t", "n_trt", "Total", "count"),
                    ("m_c", "ctl", "Mean (SD)", "mean_sd"), ("n_c", "n_ctl", "Total", "count"))

DATA_KINDS: dict[str, DataKind] = {k.name: k for k in (
    DataKind("counts", COUNTS, ("binary",), check_counts, counts_effect, ("counts", "counts_corrected"),
             {"counts_corrected": "A zero cell: 0.5 added to every cell of the study's 2x2 table."},
             _cells(("ev_t", "events_trt", "Events", "count"), ("n_t", "total_trt", "Total", "count"),
                    ("ev_c", "events_ctl", "Events", "count"), ("n_c", "total_ctl", "Total", "count")),
             COUNTS),
    DataKind("rates", RATES, ("rate",), check_rates, rates_effect, ("rates", "rates_corrected"),
             {"rates_corrected": "No events in one arm: 0.5 added to both arms' events."},
             _cells(("ev_t", "events_trt", "Events", "count"), ("pt_t", "ptime_trt", "Person-time", "amount"),
                    ("ev_c", "events_ctl", "Events", "count"), ("pt_c", "ptime_ctl", "Person-time", "amount")),
             RATES),
    DataKind("means", CONTINUOUS, ("continuous",), check_continuous, arms_effect, ("means",), {}, _ARM_MEANS),
    DataKind("medians", CONTINUOUS, ("continuous",), check_continuous, arms_effect, ("medians",), {}, _ARM_MEANS),
    DataKind("reported", REPORTED, ("*",), check_reported, reported_effect, ("reported",), together=REPORTED[:4]),
)}
POOLED = tuple(s for k in DATA_KINDS.values() for s in k.statuses)
NOTES = {status: note for k in DATA_KINDS.values() for status, note in k.notes.items()}


def forest_cells(m: registry.Measure) -> tuple[ArmCell, ...]:
    """The forest plot's arm columns for measure ``m``: those of the first kind of arm data that
    feeds it (none for a measure only reported effects give)."""
    for kind in DATA_KINDS.values():
        if "*" not in kind.measures and kind.feeds(m):
            return kind.forest
    return ()


def effect(study: Mapping, m: registry.Measure, available: Collection[str], **options) -> Effect:
    """A (checked) study's effect for measure ``m`` from the first kind of data, in registry order,
    that it holds (``available``, kinds()) and that feeds ``m``; `no_data` when none does."""
    for kind in DATA_KINDS.values():
        if kind.name in available and kind.feeds(m):
            return kind.effect(study, m, **options) or Effect("no_data")
    return Effect("no_data")
