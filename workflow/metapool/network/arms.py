"""Arm-level data -> one block of contrasts per study (the oracle's and netmeta's conventions).

A study's baseline is its arm whose treatment comes first in the treatment order; every other arm
gives one contrast, arm - baseline. Binary data: a study with an arm of 0 events or 0 non-events
gets 0.5 added to the events and the non-events of every arm; a study with no events in any arm,
or only events in every arm, is left out. log OR: y = logit(a/n1) - logit(c/n2), v = 1/a + 1/(n1-a)
+ 1/c + 1/(n2-c); log RR: y = log(a/n1) - log(c/n2), v = 1/a - 1/n1 + 1/c - 1/n2; MD: y = m1 - m2,
v = sd1^2/n1 + sd2^2/n2. Two contrasts of one study covary by the baseline arm's variance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MEASURES = ("RR", "OR", "MD")
BINARY = ("RR", "OR")
CORRECTION = 0.5


@dataclass(frozen=True)
class StudyContrasts:
    """One study's contrasts: `treatments[i]` vs `baseline`, estimates `y` and covariance `V`."""

    study: str
    baseline: str
    treatments: tuple[str, ...]
    y: np.ndarray
    V: np.ndarray
    corrected: bool = False


def group_studies(arms: list[dict]) -> dict[str, list[dict]]:
    """Arms grouped by study (str of the study value), studies in order of first appearance."""
    out: dict[str, list[dict]] = {}
    for arm in arms:
        out.setdefault(str(arm["study"]), []).append(arm)
    return out


def _arm_binary(events: float, total: float, measure: str) -> tuple[float, float]:
    """(log odds or log risk, its variance) of one arm."""
    if measure == "OR":
        return math.log(events / (total - events)), 1 / events + 1 / (total - events)
    return math.log(events / total), 1 / events - 1 / total


def not_estimable(study_arms: list[dict]) -> bool:
    """No events in any arm, or only events in every arm (binary data)."""
    return (all(a["events"] == 0 for a in study_arms)
            or all(a["events"] == a["total"] for a in study_arms))


def needs_correction(study_arms: list[dict]) -> bool:
    """An arm with 0 events or 0 non-events."""
    return any(a["events"] == 0 or a["events"] == a["total"] for a in study_arms)


def arm_effects(study_arms: list[dict], measure: str) -> tuple[list[tuple[float, float]], bool]:
    """Per arm (effect, variance) on the analysis scale, and whether 0.5 was added."""
    if measure == "MD":
        return [(float(a["mean"]), a["sd"] ** 2 / a["n"]) for a in study_arms], False
    corrected = needs_correction(study_arms)
    add = CORRECTION if corrected else 0.0
    return [_arm_binary(a["events"] + add, a["total"] + 2 * add, measure) for a in study_arms], corrected


def study_contrasts(study: str, study_arms: list[dict], measure: str, rank: dict[str, int]) -> StudyContrasts:
    """The contrasts of one (estimable) study vs its baseline arm."""
    ordered = sorted(study_arms, key=lambda a: rank[a["treatment"]])
    effects, corrected = arm_effects(ordered, measure)
    (base_y, base_v), rest = effects[0], effects[1:]
    y = np.array([e - base_y for e, _ in rest])
    V = np.full((len(rest), len(rest)), base_v) + np.diag([v for _, v in rest])
    return StudyContrasts(study, ordered[0]["treatment"], tuple(a["treatment"] for a in ordered[1:]),
                          y, V, corrected)


def build(arms: list[dict], measure: str, order: list[str]) -> tuple[list[StudyContrasts], list[str]]:
    """Every estimable study's contrasts (input order) and the studies left out (not estimable)."""
    rank = {t: i for i, t in enumerate(order)}
    studies, dropped = [], []
    for study, study_arms in group_studies(arms).items():
        if measure in BINARY and not_estimable(study_arms):
            dropped.append(study)
            continue
        studies.append(study_contrasts(study, study_arms, measure, rank))
    return studies, dropped
