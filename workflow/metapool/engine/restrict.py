"""Sensitivity analyses that restrict an analysis to some of its trials: the random-effects model
refitted on the trials a restriction keeps (Cochrane Handbook 10.14), at the main analysis' settings
(``pool_random``: the random-effects block of ``pool_studies`` alone).

Population and design (the review's indirect populations and open-label trials), the kind of
source (``primary_only``: leaves out rows read from another review's table) and risk of bias
(RoB 2 overall judgment; GRADE Handbook 5.2.1: restrict to results at low risk when the risk of
bias varies). A block is not computed, and its note says why, when no pooled trial records what
the restriction reads (e.g. no RoB assessment), when it keeps every pooled trial (the main
analysis), or when it keeps none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from metapool.engine.pool import pool_random
from metapool.engine.study_effects import POOLED


def _rob(s: dict) -> str | None:
    return (s.get("rob") or {}).get("overall")


@dataclass(frozen=True)
class Restriction:
    """name (config key), label (for people), keeps(study), known(study): the study records what
    keeps reads."""

    name: str
    label: str
    keeps: Callable[[dict], bool]
    known: Callable[[dict], bool] = lambda s: True
    unknown: str = ""


RESTRICTIONS = {r.name: r for r in (
    Restriction("septic_shock_only", "trials in septic shock only", lambda s: s.get("septic_shock_only") == "yes"),
    Restriction("blinded", "double-blind trials only", lambda s: s.get("blinding") == "double-blind"),
    Restriction("primary_only", "counts from primary sources only", lambda s: s.get("source_kind") == "primary",
                lambda s: s.get("source_kind") is not None, "no pooled trial records its kind of source"),
    Restriction("low_risk_only", "trials at low risk of bias only", lambda s: _rob(s) == "low",
                lambda s: _rob(s) is not None, "risk of bias is not assessed for any pooled trial"),
    Restriction("exclude_high_risk", "excluding trials at high risk of bias", lambda s: _rob(s) != "high",
                lambda s: _rob(s) is not None, "risk of bias is not assessed for any pooled trial"),
)}
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


def restrictions(studies: Sequence[dict], main: dict, names: Sequence[str], **pool_kwargs) -> list[dict]:
    """Every named restriction of RESTRICTIONS, in the order given."""
    return [restricted(studies, main, RESTRICTIONS[n], **pool_kwargs) for n in names]


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
