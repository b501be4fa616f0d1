"""The RoB 2 tool's domains, judgments and overall algorithm, per result (Sterne et al. 2019 BMJ
366:l4898 (RoB 2); Higgins et al. 2019, Revised Cochrane risk-of-bias tool for randomized trials
(RoB 2), full guidance document: reaching an overall risk-of-bias judgement).

Overall: low only if every domain is low; high if any domain is high; some concerns if any
domain has some concerns and none is high. The guidance also lets assessors judge a result at
high risk when several domains have some concerns "in a way that substantially lowers
confidence in the result" (Sterne et al. 2019); that is a judgment, never the
algorithm's proposal, and is accepted here only with at least two some-concerns domains.

A result without an assessment is "not assessed" in every domain: nothing is inferred.
Pure Python (used while Snakemake parses the workflow).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DOMAINS = ("d1", "d2", "d3", "d4", "d5")
DOMAIN_NAMES = {
    "d1": "Randomisation process",
    "d2": "Deviations from intended interventions",
    "d3": "Missing outcome data",
    "d4": "Measurement of the outcome",
    "d5": "Selection of the reported result",
}
COLUMNS = DOMAINS + ("overall",)
COLUMN_LABELS = {**{d: d.upper() for d in DOMAINS}, "overall": "Overall"}
LOW, SOME_CONCERNS, HIGH = "low", "some concerns", "high"
JUDGMENTS = (LOW, SOME_CONCERNS, HIGH)
NOT_ASSESSED = "not assessed"
LEVELS = JUDGMENTS + (NOT_ASSESSED,)  # display order: best first, not assessed last
MIN_CONCERNS_FOR_HIGH = 2  # "some concerns for multiple domains" (Sterne et al. 2019)


def _checked(domains: Sequence[str]) -> tuple[str, ...]:
    values = tuple(domains)
    if len(values) != len(DOMAINS):
        raise ValueError(f"RoB 2 has {len(DOMAINS)} domains; got {len(values)} judgments")
    for value in values:
        if value not in JUDGMENTS:
            raise ValueError(f"unknown RoB 2 judgment {value!r}; choose one of {', '.join(JUDGMENTS)}")
    return values


def overall_from_domains(domains: Sequence[str]) -> str:
    """The overall judgment RoB 2's algorithm proposes from the five domain judgments (D1-D5):
    high if any domain is high, else some concerns if any has some concerns, else low
    (Sterne et al. 2019 BMJ 366:l4898)."""
    values = _checked(domains)
    if HIGH in values:
        return HIGH
    if SOME_CONCERNS in values:
        return SOME_CONCERNS
    return LOW


def allowed_overall(domains: Sequence[str]) -> tuple[str, ...]:
    """Every overall judgment RoB 2 allows for these domains: the algorithm's, plus high when at
    least two domains have some concerns and none is high (Sterne et al. 2019)."""
    values = _checked(domains)
    proposed = overall_from_domains(values)
    if proposed == SOME_CONCERNS and values.count(SOME_CONCERNS) >= MIN_CONCERNS_FOR_HIGH:
        return (SOME_CONCERNS, HIGH)
    return (proposed,)


def is_consistent(domains: Sequence[str], overall: str) -> bool:
    """Whether `overall` is a judgment RoB 2 allows for the five domain judgments."""
    return overall in allowed_overall(domains)


def judgments(rob: Mapping | None) -> dict[str, str]:
    """Domain and overall judgments of one result ({"d1": ..., "overall": ...}); every one is
    "not assessed" when the result has no assessment (rob is None)."""
    if rob is None:
        return dict.fromkeys(COLUMNS, NOT_ASSESSED)
    return {c: rob.get(c) or NOT_ASSESSED for c in COLUMNS}


def overall(rob: Mapping | None) -> str:
    """The overall judgment of one result, "not assessed" without an assessment."""
    return judgments(rob)["overall"]
