"""The GRADE imprecision rule, written once: a 95% CI against its thresholds, and the optimal
information size (OIS), to the levels the certainty loses.

Guidance followed:
- GRADE guidance 34 (Zeng et al. 2022 J Clin Epidemiol 150:216, "update on rating imprecision
  using a minimally contextualized approach"): the CI against the threshold(s) of interest is the
  primary criterion for systematic reviews and guidelines alike; a CI that appreciably crosses
  the thresholds may lose two (or three) levels; the OIS is applied when the CI does not cross
  the thresholds, and a sample size far below it may lose more than one level.
- GRADE 6 (Guyatt et al. 2011 J Clin Epidemiol 64:1283): the OIS is the sample size of one
  adequately powered trial; a CI that includes appreciable benefit or harm (rough guide RR 0.75
  and 1.25) is imprecise even when the OIS is met.
- Core GRADE 2 (Guyatt et al. 2025 BMJ 389:e081904): rate down when the CI crosses the minimal
  important difference (MID) for benefit or harm.
- GRADE guidance 35 (Schunemann et al. 2022 J Clin Epidemiol 150:225): one, two or three levels
  for serious, very serious and extremely serious imprecision (the fully contextualized approach).

Thresholds, on one scale (people's or analysis scale; the order is the same): mid_low < null <
mid_high. A MID is crossed when it lies strictly inside the CI (a bound on a MID does not cross
it); the null is crossed when it lies inside the CI or on a bound (a CI that reaches no effect
does not exclude it). With count_null false (GradeRules.imprecision_null) no effect is not a
threshold (the target is an important effect, Core GRADE 2); without MIDs, only no effect is.

| 95% CI | OIS met or not known | OIS not met |
| --- | --- | --- |
| crosses no threshold | 0 | 1 |
| crosses no effect and/or one MID | 1 | 1 |
| crosses both MIDs: includes an important benefit and an important harm | 2 | 2 |

The OIS is read only when the CI crosses no threshold (GRADE 34): a CI that crosses one already
counts the lack of information, so the two never add. Not stated operationally by the guidance,
and so left to the reviewers' stated judgment (config `grade: final: imprecision:`, up to three
levels): a third level for an extremely wide CI, and a second for a sample "far less" than the OIS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_LEVELS = 2  # this rule's most; GRADE 34/35's third level is the reviewers' stated judgment
GUIDANCE = "GRADE guidance 34, Zeng et al. 2022; GRADE 6, Guyatt et al. 2011"


@dataclass(frozen=True)
class Imprecision:
    """The rule's call: levels lost, the thresholds the CI crosses (ascending), the MIDs among
    them, whether the CI includes no effect, and whether the OIS decided the call."""

    levels: int
    crossed: tuple[float, ...]
    mids_crossed: tuple[float, ...]
    includes_null: bool
    ois_read: bool


def imprecision_levels(ci_lb: float, ci_ub: float, *, null: float, mid: tuple[float, float] | None,
                       ois_met: bool | None, count_null: bool = True) -> Imprecision:
    """Levels lost for imprecision (module docstring's table). ci_lb <= ci_ub, null and mid
    (lower, upper) on the same scale; ois_met None when the OIS is not known (not downgraded)."""
    if math.isnan(ci_lb) or math.isnan(ci_ub) or ci_lb > ci_ub:
        raise ValueError(f"not a confidence interval: {ci_lb!r} to {ci_ub!r}")
    if mid is not None and not mid[0] < null < mid[1]:
        raise ValueError(f"minimal important differences {mid!r} must lie either side of the null {null!r}")
    includes_null = ci_lb <= null <= ci_ub
    mids = tuple(t for t in (mid or ()) if ci_lb < t < ci_ub)
    crossed = tuple(sorted(mids + ((null,) if includes_null and count_null else ())))
    if len(mids) == 2:
        levels, ois_read = MAX_LEVELS, False
    elif crossed:
        levels, ois_read = 1, False
    else:
        levels, ois_read = int(ois_met is False), ois_met is not None
    return Imprecision(levels, crossed, mids, includes_null, ois_read)


def rule_text(short: str, null: float, mid: tuple[float, float] | None, count_null: bool = True,
              ois: bool = True) -> str:
    """The rule in one footnote, with this measure's thresholds, e.g. for RR: 'Imprecision
    (GRADE guidance 34, ...): thresholds RR 1 (no effect) and the minimal important differences
    RR 0.75 and 1.25. Two levels down when ...'."""
    parts = []
    if count_null:
        parts.append(f"{short} {null:g} (no effect)")
    if mid:
        parts.append(f"the minimal important differences {short} {mid[0]:g} and {mid[1]:g}")
    if not parts:
        return (f"Imprecision ({GUIDANCE}): no threshold set for {short} (no minimal important difference, "
                "and no effect not counted)" + (": only the optimal information size is read." if ois else "."))
    head = f"Imprecision ({GUIDANCE}): {'thresholds' if mid else 'threshold'} {' and '.join(parts)}"
    if not mid:
        head += "; no minimal important difference set"
    rules = []
    if mid:
        rules.append("two levels down when the 95% CI crosses both minimal important differences "
                     "(it includes an important benefit and an important harm)")
    one = "one level when it crosses any other threshold" if mid else "one level down when the 95% CI crosses it"
    if ois:
        one += (", or when it crosses none but the participants are fewer than the optimal information size "
                "(the trial sequential analysis' required information size)")
    rules.append(one)
    text = "; ".join(rules)
    return f"{head}. {text[0].upper()}{text[1:]}; none otherwise."
