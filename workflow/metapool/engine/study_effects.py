"""Each study's effect size for one measure: which of its data enter, its (yi, vi) and its status.

A study enters an analysis of measure M with the first kind of data (the registry of data kinds,
measures.datakinds.DATA_KINDS) that it holds and that gives M, in this order: its 2x2 counts (M binary), its arm
summaries (M continuous: means and SDs, or medians converted to them), or a reported effect of M
itself (generic inverse variance); a reported effect of another measure never enters (an RR is
not an OR, a risk difference never becomes a ratio). Status values: docs/design.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metapool.errors import InputError, Problem
from metapool.measures import datakinds as rules
from metapool.measures import registry

POOLED = rules.POOLED


@dataclass
class StudyEffects:
    """Per study (input order): yi, vi (NaN where not pooled), status, and the reported-effect
    and median-conversion blocks (None where they do not apply)."""

    yi: np.ndarray
    vi: np.ndarray
    status: list[str]
    reported: list[dict | None]
    converted: list[dict | None]

    @property
    def pooled(self) -> np.ndarray:
        return np.isfinite(self.yi) & np.isfinite(self.vi)


def study_problems(studies: list[dict]) -> list[Problem]:
    """Every breach of measures.datakinds in the studies' numbers (the rules the CSV readers apply)."""
    problems: list[Problem] = []
    for j, s in enumerate(studies, start=1):
        where = f"study {j} ({s.get('study')!r})"
        rules.check_numbers(s, lambda column, message, where=where: problems.append(Problem(where, None, column, message)))
    return problems


_reported = rules.reported_block


def study_effects(studies: list[dict], measure: str = registry.DEFAULT, include_adjusted: bool = True,
                  include_skewed: bool = False, validated: bool = False) -> StudyEffects:
    """(yi, vi) and status of every study for ``measure`` (measures.datakinds.effect: the registry
    of data kinds); InputError (every problem at once) for impossible numbers (:func:`study_problems`).

    include_adjusted: a reported effect marked adjusted enters (else `adjusted_excluded`).
    include_skewed: a median-reported arm that the skewness test flags is converted anyway
    (else the study is `skewed`, not pooled).
    validated: the studies' numbers were checked by the same rules when they were read (the trial
    tables, inputs.trials), so they are not checked again.
    """
    problems = [] if validated else study_problems(studies)
    if problems:
        raise InputError(problems)
    m = registry.get(measure)
    found = [rules.effect(s, m, rules.kinds(s), include_adjusted=include_adjusted, include_skewed=include_skewed)
             for s in studies]
    return StudyEffects(np.array([e.yi for e in found], dtype=float), np.array([e.vi for e in found], dtype=float),
                        [e.status for e in found], [_reported(s) for s in studies], [e.converted for e in found])


def participants(study: dict, status: str) -> float | None:
    """Patients analysed in both arms for the data the study entered with (None if unknown)."""
    if status in ("counts", "counts_corrected", "not_estimable") or (
            status in ("reported", "other_measure", "adjusted_excluded", "no_data")
            and study.get("total_trt") is not None and study.get("total_ctl") is not None):
        n1, n2 = study.get("total_trt"), study.get("total_ctl")
    else:
        n1, n2 = study.get("n_trt"), study.get("n_ctl")
    return None if n1 is None or n2 is None else float(n1) + float(n2)


def _given(study: dict, *keys: str) -> bool:
    return all(study.get(k) is not None for k in keys)


def _no_data_reason(study: dict, measure: registry.Measure) -> str:
    """Why a study has no usable data for ``measure``: what its row gives and lacks."""
    reported = _reported(study)
    if measure.kind == "rate" and _given(study, "events_trt", "events_ctl") and not _given(study, *rules.PTIME):
        return "person-time not reported"
    if measure.kind == "binary":
        events = _given(study, "events_trt", "events_ctl")
        totals = _given(study, "total_trt", "total_ctl")
        if events and not totals:
            return "arm sizes not reported"
        if totals and not events:
            return "event counts not reported"
        if reported is None and any(study.get(c) is not None for c in rules.COUNTS):
            return "counts of one arm not reported"
    else:
        sizes = _given(study, "n_trt", "n_ctl")
        location = any(study.get(f"{s}_{a}") is not None for s in ("mean", "median") for a in rules.ARMS)
        if location and not sizes:
            medians = any(study.get(f"median_{a}") is not None for a in rules.ARMS)
            return "median and IQR without arm sizes" if medians else "arm sizes not reported"
        if _given(study, "median_trt", "median_ctl") and sizes:
            return "median without IQR or range"
        if _given(study, "mean_trt", "mean_ctl") and sizes:
            return "SDs not reported"
        if sizes and location:
            return "arm summaries incomplete; an arm too small (n < 5) to convert a median"
    if reported is None and study.get("effect") is not None:
        return "effect reported without a 95% CI"
    return "no usable numbers reported"


def reason(study: dict, status: str, measure: str = registry.DEFAULT) -> str | None:
    """Why a study does not enter an analysis of ``measure``, in words a reader of the forest plot
    or pooled.json understands ("arm sizes not reported", "effect reported as OR; this analysis
    pools RR", "skewed: median and IQR", "no events in either arm"); None when it enters. The one
    place that turns a study's status and data into that text."""
    m = registry.get(measure)
    if status in POOLED:
        return None
    reported = _reported(study) or {}
    if status == "not_estimable":
        if m.kind == "rate":
            return "no events in either arm"
        if m.kind != "binary":
            return "not estimable: an SD of zero"
        if study.get("events_trt") == 0 and study.get("events_ctl") == 0:
            return "no events in either arm"
        return "events in every patient of both arms"
    if status == "skewed":
        given = "median and IQR" if _given(study, "q1_trt") or _given(study, "q1_ctl") else "median and range"
        return f"skewed: {given} (not converted to a mean and SD)"
    if status == "other_measure":
        other = reported.get("measure") or "another measure"
        only = f"only {'an' if other[:1] in 'AEFHILMNORSX' else 'a'} {other} is given"
        if m.kind == "binary" and not any(study.get(c) is not None for c in rules.COUNTS):
            return f"counts not reported: {only}"
        if m.kind == "binary" and _given(study, "events_trt", "events_ctl") and not _given(study, "total_trt", "total_ctl"):
            return f"arm sizes not reported: {only}"
        return f"effect reported as {other}; this analysis pools {m.code}"
    if status == "adjusted_excluded":
        return "adjusted effect only; this analysis excludes adjusted effects"
    return _no_data_reason(study, m)
