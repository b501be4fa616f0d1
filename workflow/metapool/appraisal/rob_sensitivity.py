"""Risk-of-bias sensitivity analysis: the random-effects model restricted by RoB 2 overall judgment.

Two restrictions (Cochrane Handbook 10.14, sensitivity analyses; GRADE Handbook 5.2.1, which
suggests restricting the analysis to results at low risk of bias when the risk of bias varies):
  low_only      only results at low risk of bias overall;
  exclude_high  every result except those at high risk (results not assessed stay in).
Each is pooled with pool_studies at the main analysis' settings. A block is not computed, and
its note says why, when no trial is assessed, when the restriction leaves the main analysis
unchanged (all trials low, or none high), or when no trial with an estimable effect is left.
Judgments come from each study's `rob` block (inputs.rob.rob_entry); None is "not assessed".
"""

from __future__ import annotations

from collections.abc import Sequence

from metapool.appraisal import rob2
from metapool.engine.pool import pool_studies
from metapool.errors import MetapoolError
from metapool.measures import registry

RESTRICTIONS = {
    "low_only": "trials at low risk of bias only",
    "exclude_high": "excluding trials at high risk of bias",
}
RANDOM_KEYS = ("tau2_method", "ci_method", "est", "se", "se_wald", "stat", "df", "ci_lb", "ci_ub", "pval",
               "tau2", "tau2_ci_lb", "tau2_ci_ub", "I2", "I2_ci_lb", "I2_ci_ub", "H2", "Q", "Qp",
               "pi_lb", "pi_ub", "rr")
ESTIMABLE = ("counts", "counts_corrected", "reported_rr")


def keeps(restriction: str, judgment: str) -> bool:
    """Whether a result with this overall judgment stays in the restricted analysis."""
    if restriction == "low_only":
        return judgment == rob2.LOW
    if restriction == "exclude_high":
        return judgment != rob2.HIGH
    raise ValueError(f"unknown restriction {restriction!r}; choose one of {', '.join(RESTRICTIONS)}")


def _block(restriction: str, kept: list[str], dropped: list[str], random: dict | None, note: str | None) -> dict:
    """One restriction's result: the estimable trials kept and left out, the random-effects numbers
    (None when not computed; k is then the number of trials kept) and the note."""
    numbers = {key: (random or {}).get(key) for key in RANDOM_KEYS}
    return {"restriction": RESTRICTIONS[restriction], "k": random["k"] if random else len(kept),
            "studies": kept, "excluded": dropped, **numbers, "note": note}


def _estimable(studies: Sequence[dict], **pool_kwargs) -> list[bool]:
    """Which studies have an estimable effect (the main analysis' study statuses)."""
    main = pool_studies(list(studies), **pool_kwargs)
    return [s["status"] in ESTIMABLE for s in main["studies"]]


def restricted(studies: Sequence[dict], restriction: str, estimable: Sequence[bool] | None = None,
               **pool_kwargs) -> dict:
    """The random-effects model over the studies this restriction keeps, or a note saying why not.

    pool_kwargs: the main analysis' pool_studies settings (tau2_method, ci_method, control).
    """
    estimable = list(estimable) if estimable is not None else _estimable(studies, **pool_kwargs)
    labels = [str(s.get("study")) for s in studies]
    overall = [rob2.overall(s.get("rob")) for s in studies]
    pooled = [i for i, e in enumerate(estimable) if e]
    kept = [i for i in pooled if keeps(restriction, overall[i])]
    dropped = [labels[i] for i in pooled if i not in kept]
    kept_labels = [labels[i] for i in kept]
    if all(overall[i] == rob2.NOT_ASSESSED for i in pooled):
        return _block(restriction, kept_labels, dropped, None,
                      "Not computed: no trial with an estimable effect is assessed for risk of bias (RoB 2).")
    if not dropped:
        why = ("every trial is at low risk of bias" if restriction == "low_only"
               else "no trial is at high risk of bias")
        return _block(restriction, kept_labels, [], None, f"Not computed: {why}; the main analysis applies.")
    if not kept:
        why = "no trial is at low risk of bias" if restriction == "low_only" else "every trial is at high risk of bias"
        return _block(restriction, [], dropped, None, f"Not computed: {why}; no trial is left.")
    try:
        result = pool_studies([studies[i] for i in kept], **pool_kwargs)
    except MetapoolError as err:
        return _block(restriction, kept_labels, dropped, None, f"Not computed: {err}.")
    not_assessed = sum(overall[i] == rob2.NOT_ASSESSED for i in pooled)
    note = None
    if not_assessed and restriction == "exclude_high":
        note = f"{not_assessed} trial(s) not assessed for risk of bias are kept."
    elif not_assessed:
        note = f"{not_assessed} trial(s) not assessed for risk of bias are left out."
    return _block(restriction, kept_labels, dropped, result["random"], note)


def rob_sensitivity(studies: Sequence[dict], tau2_method: str = "REML", ci_method: str = "hksj",
                    **pool_kwargs) -> dict:
    """Both restrictions for pooled.json's `rob_sensitivity` block ({"low_only": ..., "exclude_high": ...}).

    studies: the study entries as passed to pool_studies, each with its `rob` block or None.
    """
    settings = {"tau2_method": tau2_method, "ci_method": ci_method, **pool_kwargs}
    estimable = _estimable(studies, **settings)
    return {name: restricted(studies, name, estimable, **settings) for name in RESTRICTIONS}


def _effect(block: dict, measure: str) -> str:
    m = registry.get(measure)
    values = [m.to_people(block.get(k)) for k in ("est", "ci_lb", "ci_ub")]
    return f"{m.short} {values[0]:.2f} [{values[1]:.2f}, {values[2]:.2f}]"


def footer_line(sensitivity: dict | None, measure: str = "RR") -> str:
    """One line for the forest plot's footer, e.g. 'Risk-of-bias sensitivity (random effects):
    low risk only RR 0.91 [0.80, 1.04], k = 3; excluding high risk not computed (no trial is at
    high risk of bias).'"""
    if not sensitivity:
        return "Risk-of-bias sensitivity analysis: not computed."
    blocks = [sensitivity[name] for name in RESTRICTIONS if name in sensitivity]
    notes = {b["note"] for b in blocks}
    if len(notes) == 1 and all(b["est"] is None for b in blocks):
        return f"Risk-of-bias sensitivity analysis: {blocks[0]['note'][0].lower()}{blocks[0]['note'][1:]}"
    short = {"low_only": "low risk only", "exclude_high": "excluding high risk"}
    parts = []
    for name in RESTRICTIONS:
        block = sensitivity.get(name)
        if block is None:
            continue
        if block["est"] is None:
            reason = (block["note"] or "").removeprefix("Not computed: ").rstrip(".")
            parts.append(f"{short[name]} not computed ({reason})")
        else:
            parts.append(f"{short[name]} {_effect(block, measure)}, k = {block['k']}")
    return "Risk-of-bias sensitivity (random effects): " + "; ".join(parts) + "."
