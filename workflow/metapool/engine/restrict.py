"""Sensitivity analyses that restrict an analysis to some of its trials: the random-effects model
refitted on the trials a restriction keeps (Cochrane Handbook 10.14), at the main analysis' settings.

A restriction is (name, what it keeps, a predicate on the study dict). A block is not computed, and
its note says why, when the restriction keeps every trial or leaves no trial with an estimable effect.
"""

from __future__ import annotations

from typing import Callable, Sequence

from metapool.engine.pool import pool_studies
from metapool.engine.study_effects import POOLED

RESTRICTIONS: dict[str, tuple[str, Callable[[dict], bool]]] = {
    "septic_shock_only": ("trials in septic shock only", lambda s: s.get("septic_shock_only") == "yes"),
    "blinded": ("double-blind trials only", lambda s: s.get("blinding") == "double-blind"),
}
RANDOM = ("k", "est", "se", "ci_lb", "ci_ub", "pval", "tau2", "I2", "pi_lb", "pi_ub", "natural")


def restricted(studies: Sequence[dict], main: dict, name: str, label: str, keeps: Callable[[dict], bool],
               **pool_kwargs) -> dict:
    """The restriction's block: label, trials kept and left out (of those the main analysis pools),
    the random-effects numbers (None when not computed) and a note."""
    pooled = [s for s, e in zip(studies, main["studies"]) if e["status"] in POOLED]
    kept = [s for s in pooled if keeps(s)]
    dropped = [str(s["study"]) for s in pooled if not keeps(s)]
    block = {"restriction": name, "label": label, "studies": [str(s["study"]) for s in kept], "excluded": dropped}
    if not pooled:
        return {**block, "random": None, "note": "nothing is pooled in the main analysis"}
    if not dropped:
        return {**block, "random": None, "note": f"every pooled trial qualifies ({label}): the same as the main analysis"}
    if not kept:
        return {**block, "random": None, "note": f"no pooled trial qualifies ({label})"}
    random = pool_studies(kept, **pool_kwargs)["random"]
    return {**block, "random": {k: random.get(k) for k in RANDOM}, "note": None}


def restrictions(studies: Sequence[dict], main: dict, names: Sequence[str], **pool_kwargs) -> list[dict]:
    """Every named restriction of RESTRICTIONS, in the order given."""
    return [restricted(studies, main, n, *RESTRICTIONS[n], **pool_kwargs) for n in names]
