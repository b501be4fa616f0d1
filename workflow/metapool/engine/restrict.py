"""Sensitivity analyses that restrict an analysis to some of its trials: the random-effects model
refitted on the trials a restriction keeps (Cochrane Handbook 10.14), at the main analysis' settings
(``pool_random``: the random-effects block of ``pool_studies`` alone).

A restriction is a rule on one study field: keep the trials whose ``column`` holds one of
``values`` (or, with ``exclude``, none of them). The review declares its rules (populations,
blinding, kind of source, risk of bias: pipeline.settings.RESTRICTION_RULES and config
`restrictions:`); the engine knows no review's vocabulary. A block is not computed, and its note
says why, when no pooled trial records the column (rules with an ``unknown`` note, e.g. no RoB
assessment), when it keeps every pooled trial (the main analysis), or when it keeps none.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Mapping, Sequence

from metapool.engine.pool import pool_random
from metapool.engine.study_effects import POOLED


@dataclass(frozen=True)
class Restriction:
    """name (config key), label (for people), column (a study field; "a.b" reads study["a"]["b"],
    e.g. rob.overall), values (kept, or with ``exclude`` left out), unknown (when given: the note
    of a block not computed because no pooled trial records the column)."""

    name: str
    label: str
    column: str
    values: tuple
    exclude: bool = False
    unknown: str = ""

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(self.values))

    @classmethod
    def of(cls, rule: "Restriction | Mapping") -> "Restriction":
        """A Restriction from itself or from its mapping (the settings' plain form)."""
        return rule if isinstance(rule, cls) else cls(**rule)

    def value(self, s: dict):
        """The study's value of ``column`` (None when it does not record it)."""
        x = s
        for key in self.column.split("."):
            x = (x or {}).get(key)
        return x

    def keeps(self, s: dict) -> bool:
        return (self.value(s) in self.values) != self.exclude

    def known(self, s: dict) -> bool:
        return not self.unknown or self.value(s) is not None


RANDOM = ("k", "est", "se", "ci_lb", "ci_ub", "pval", "tau2", "I2", "pi_lb", "pi_ub", "natural")


def restricted(studies: Sequence[dict], main: dict, r: Restriction, **pool_kwargs) -> dict:
    """The restriction's block: name, label, trials kept and left out (of those the main analysis
    pools), the random-effects numbers (None when not computed) and a note."""
    pooled = [s for s, e in zip(studies, main["studies"]) if e["status"] in POOLED]
    kept = [s for s in pooled if r.keeps(s)]
    dropped = [str(s["study"]) for s in pooled if not r.keeps(s)]
    block = {"restriction": r.name, "label": r.label, "studies": [str(s["study"]) for s in kept],
             "excluded": dropped, "random": None}
    if not pooled:
        return {**block, "note": "nothing is pooled in the main analysis"}
    if not any(r.known(s) for s in pooled):
        return {**block, "note": r.unknown}
    if not dropped:
        return {**block, "note": "every pooled trial qualifies: the same as the main analysis"}
    if not kept:
        return {**block, "note": "no pooled trial qualifies"}
    random = pool_random(kept, **pool_kwargs)
    return {**block, "random": {k: random.get(k) for k in RANDOM}, "note": None}


def restrictions(studies: Sequence[dict], main: dict, rules: Sequence["Restriction | Mapping"],
                 **pool_kwargs) -> list[dict]:
    """Every restriction of ``rules`` (Restriction or its mapping), in the order given."""
    return [restricted(studies, main, Restriction.of(r), **pool_kwargs) for r in rules]


def block(result: dict, name: str) -> dict | None:
    """The restriction ``name`` of a pooled result (its `restricted` list), or None."""
    return next((b for b in result.get("restricted") or () if b["restriction"] == name), None)


def footer_line(b: dict, measure) -> str:
    """'Sensitivity, trials in septic shock only (k = 3): RR 0.91 [0.70, 1.18]' or the note."""
    if b["random"] is None:
        return f"Sensitivity, {b['label']}: not computed ({b['note']})."
    n = b["random"]["natural"]
    short = measure.short
    return (f"Sensitivity, {b['label']} (k = {b['random']['k']}): {short} {n['est']:.2f} "
            f"[{n['ci_lb']:.2f}, {n['ci_ub']:.2f}]; leaves out {', '.join(b['excluded'])}.")
