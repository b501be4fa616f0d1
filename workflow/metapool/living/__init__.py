"""Living-review analyses of one meta-analysis: how the evidence moved (cumulative), whether it hangs
on one trial (leave-one-out, influence), small-study effects (Egger, Harbord, trim-and-fill), what it
means per 1,000 patients (absolute effects) and whether it is conclusive yet (trial sequential analysis).

``run_living`` is the single entry point; ``living_to_tsv`` renders its result for people.
Block field names follow ``tests/data/oracle/extras.json`` (metafor's cumul, leave1out, influence,
regtest, trimfill); per-study lists cover the estimable studies, with their labels in ``study``.
"""

from __future__ import annotations

import numpy as np

from metapool.errors import MetapoolError
from metapool.engine.model import fit_random
from metapool.engine.pool import COUNTS, clean, study_effects
from metapool.engine.tau2 import DEFAULT, Control

from metapool.living.absolute import absolute_effects, median_control_risk
from metapool.living.cumulative import cumulative
from metapool.living.influence import influence
from metapool.living.leave1out import leave1out
from metapool.living.smallstudy import egger_lm, egger_rma, harbord
from metapool.living.trimfill import trimfill
from metapool.living.tsa import trial_sequential_analysis
from metapool.living.tsv import living_to_tsv

__all__ = ["run_living", "living_to_tsv", "BLOCKS", "K_MIN_SMALL_STUDY"]

BLOCKS = ("cumulative", "leave1out", "influence", "egger_rma", "egger_lm", "harbord", "trimfill",
          "absolute", "tsa")
K_MIN_SMALL_STUDY = 10  # Cochrane Handbook 13.3.5.4: tests for funnel-plot asymmetry need >= 10 studies
K_MIN_DELETION = 3  # leave-one-out and influence: every deletion leaves a meta-analysis


def _ordering(studies: list[dict], order) -> list[int]:
    """Indices of the studies in cumulative order: as given, or by a list of labels or indices."""
    if order is None:
        return list(range(len(studies)))
    labels = [s["study"] for s in studies]
    idx = [labels.index(o) if isinstance(o, str) else int(o) for o in order]
    if sorted(idx) != list(range(len(studies))):
        raise ValueError("order must list every study exactly once")
    return idx


def _has_counts(study: dict) -> bool:
    return all(study.get(k) is not None for k in COUNTS)


def _patients(study: dict) -> float | None:
    n1, n2 = study.get("total_trt"), study.get("total_ctl")
    return None if n1 is None or n2 is None else float(n1) + float(n2)


def _too_few(k: int, need: int, what: str) -> str:
    return f"{what} needs at least {need} studies; {k} estimable."


def run_living(studies: list[dict], tau2_method: str = "REML", ci_method: str = "z", order=None,
                    acr: float | None = None, tsa_rrr: float = 0.2, alpha: float = 0.05, beta: float = 0.2,
                    trimfill_estimator: str = "L0", tsa_tau2_method: str = "DL",
                    control: Control = DEFAULT) -> dict:
    """All living-review analyses of ``studies`` (the list-of-dicts input of ``pool_studies``).

    order: labels (or indices) giving the cumulative/TSA order (publication year, then trial id,
    in the workflow); None keeps the input order. acr: assumed control risk; None takes the median
    control-arm risk of the estimable trials with counts. A block is None where it cannot be
    computed, and ``reasons[block]`` says why. Small-study tests and trim-and-fill need k >= 10.
    """
    tau2_method, ci_method = tau2_method.upper(), ci_method.lower()
    yi, vi, status = study_effects(studies)
    labels = [str(s["study"]) for s in studies]
    est = np.isfinite(yi) & np.isfinite(vi)
    k = int(est.sum())
    idx = np.flatnonzero(est)
    lab = [labels[i] for i in idx]
    y, v = yi[idx], vi[idx]
    counted = [i for i in idx if _has_counts(studies[i])]
    out: dict = {b: None for b in BLOCKS}
    reasons: dict = {}

    ordered = [i for i in _ordering(studies, order) if est[i]]

    def attempt(block: str, compute) -> None:
        """out[block] = compute(); an estimator that fails leaves the block None with the reason."""
        try:
            out[block] = compute()
        except (MetapoolError, np.linalg.LinAlgError) as exc:
            reasons[block] = f"Not computed: {exc}."

    if k >= 1:
        attempt("cumulative", lambda: {"study": [labels[i] for i in ordered],
                                       **cumulative(yi[ordered], vi[ordered], tau2_method, ci_method, control)})
    else:
        reasons["cumulative"] = _too_few(k, 1, "A cumulative meta-analysis")
    if k >= K_MIN_DELETION:
        attempt("leave1out", lambda: {"study": lab, **leave1out(y, v, tau2_method, ci_method, control)})
        attempt("influence", lambda: {"study": lab, **influence(y, v, tau2_method, ci_method, control)})
    else:
        reasons["leave1out"] = _too_few(k, K_MIN_DELETION, "Leave-one-out analysis")
        reasons["influence"] = _too_few(k, K_MIN_DELETION, "Influence analysis")

    if k >= K_MIN_SMALL_STUDY:
        attempt("egger_rma", lambda: egger_rma(y, v, tau2_method, ci_method, control))
        attempt("egger_lm", lambda: egger_lm(y, v))
        attempt("trimfill", lambda: {"study": lab, **trimfill(y, v, tau2_method, ci_method, trimfill_estimator,
                                                                  control=control)})
    else:
        why = (f"Not shown: {k} studies; tests for funnel-plot asymmetry and trim-and-fill need at least "
               f"{K_MIN_SMALL_STUDY} (Cochrane Handbook 13.3.5.4), below which they cannot tell chance from asymmetry.")
        for b in ("egger_rma", "egger_lm", "trimfill"):
            reasons[b] = why
    if len(counted) >= K_MIN_SMALL_STUDY:
        attempt("harbord", lambda: harbord(*([studies[i][key] for i in counted] for key in COUNTS)))
    else:
        reasons["harbord"] = (f"Not shown: {len(counted)} studies with 2x2 counts; Harbord's test needs at least "
                              f"{K_MIN_SMALL_STUDY} (Cochrane Handbook 13.3.5.4).")

    acr_source = "given"
    if acr is None and counted:
        acr = median_control_risk([studies[i]["events_ctl"] for i in counted],
                                  [studies[i]["total_ctl"] for i in counted])
        acr_source = f"median control-arm risk of {len(counted)} trials"

    def absolute() -> dict:
        fit = fit_random(y, v, tau2_method=tau2_method, ci_method=ci_method, control=control)
        rr = [float(np.exp(fit[f])) for f in ("est", "ci_lb", "ci_ub")]
        return {"acr_source": acr_source, "rr": rr[0], "rr_ci_lb": rr[1], "rr_ci_ub": rr[2],
                **absolute_effects(rr[0], rr[1], rr[2], acr)}

    if k >= 1 and acr is not None:
        attempt("absolute", absolute)
    else:
        reasons["absolute"] = "No estimable study, or no assumed control risk (no trial with counts and none given)."

    tsa_idx = [i for i in ordered if _patients(studies[i]) is not None]

    def tsa() -> dict:
        res = trial_sequential_analysis(
            yi[tsa_idx], vi[tsa_idx], [_patients(studies[i]) for i in tsa_idx], [labels[i] for i in tsa_idx],
            acr, tsa_rrr, alpha, beta, tsa_tau2_method, control)
        res["excluded"] = [labels[i] for i in ordered if i not in tsa_idx]
        res["acr_source"] = acr_source
        return res

    if tsa_idx and acr is not None and 0 < acr < 1 and 0 < tsa_rrr < 1:
        attempt("tsa", tsa)
    else:
        reasons["tsa"] = ("Trial sequential analysis needs trials with known numbers randomised, an assumed "
                          "control risk strictly between 0 and 1, and a relative risk reduction in (0, 1).")
    out["settings"] = {"tau2_method": tau2_method, "ci_method": ci_method, "k": k, "k_total": len(studies),
                       "status": status, "order": [labels[i] for i in ordered],
                       "trimfill_estimator": trimfill_estimator, "tsa_tau2_method": tsa_tau2_method}
    out["reasons"] = reasons
    return clean(out)
