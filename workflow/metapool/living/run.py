"""``run_living``: every living-review analysis of one meta-analysis, as a table of blocks.

Each block is (name, what it needs, compute); a block that cannot be computed is None and
``reasons[name]`` says why. Block field names follow ``tests/data/oracle/extras.json``
(metafor's cumul, leave1out, influence, regtest, trimfill); per-study lists cover the
estimable studies, with their labels in ``study``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np

from metapool.engine.model import fit_random
from metapool.engine.pool import clean
from metapool.engine.study_effects import participants, study_effects
from metapool.engine.tau2 import DEFAULT, Control
from metapool.errors import MetapoolError
from metapool.measures.datakinds import COUNTS
from metapool.living.absolute import absolute_effects, median_control_risk
from metapool.living.cumulative import cumulative
from metapool.living.influence import influence
from metapool.living.leave1out import deletion_fits, leave1out
from metapool.living.smallstudy import egger_lm, egger_rma, harbord
from metapool.living.trimfill import trimfill
from metapool.living.tsa import required_information_size_continuous, trial_sequential_analysis
from metapool.measures import registry

# Cochrane Handbook 13.3.5.4: tests for funnel-plot asymmetry only with at least 10 studies; with
# fewer their power is too low to tell chance from real asymmetry. The default of the analysis
# setting living.small_study_min_k (pipeline.settings.LivingSettings states the same value).
K_MIN_SMALL_STUDY = 10
K_MIN_DELETION = 3  # leave-one-out and influence: every deletion leaves a meta-analysis
SMALL_STUDY_METHODS = "funnel plot, Egger's and Harbord's tests and trim-and-fill"


def small_study_reason(k: int, min_k: int) -> str | None:
    """Why the small-study methods are not run (k < min_k), or None when they are."""
    if k >= min_k:
        return None
    why = (f"with fewer than {K_MIN_SMALL_STUDY} trials they cannot tell small-study effects from chance"
           if min_k == K_MIN_SMALL_STUDY else
           f"the analysis' minimum, living.small_study_min_k; the Handbook advises at least {K_MIN_SMALL_STUDY}")
    return f"k = {k} < {min_k}: {SMALL_STUDY_METHODS} not run (Cochrane Handbook 13.3.5.4: {why})."


@dataclass
class Context:
    """What every block reads: the estimable studies in input order (y, v, labels) and in
    cumulative order (ordered), the studies with counts, and the analysis' settings."""

    studies: list[dict]
    measure: registry.Measure
    yi: np.ndarray
    vi: np.ndarray
    status: list[str]
    labels: list[str]
    ordered: list[int]
    tau2_method: str
    ci_method: str
    control: Control
    trimfill_estimator: str
    tsa: dict
    small_study_min_k: int = K_MIN_SMALL_STUDY
    acr: float | None = None
    acr_source: str = "given"
    idx: np.ndarray = field(init=False)

    def __post_init__(self):
        self.idx = np.flatnonzero(np.isfinite(self.yi) & np.isfinite(self.vi))

    @property
    def k(self) -> int:
        return len(self.idx)

    @property
    def y(self) -> np.ndarray:
        return self.yi[self.idx]

    @property
    def v(self) -> np.ndarray:
        return self.vi[self.idx]

    @property
    def lab(self) -> list[str]:
        return [self.labels[i] for i in self.idx]

    @cached_property
    def deletions(self) -> dict:
        """The full fit and the leave-one-out refits (``deletion_fits``) that two blocks read."""
        return deletion_fits(self.y, self.v, self.tau2_method, self.ci_method, self.control)

    @property
    def counted(self) -> list[int]:
        return [i for i in self.idx if all(self.studies[i].get(c) is not None for c in COUNTS)]


def _cumulative(c: Context) -> dict:
    o = c.ordered
    return {"study": [c.labels[i] for i in o],
            **cumulative(c.yi[o], c.vi[o], c.tau2_method, c.ci_method, c.control)}


def _absolute(c: Context) -> dict:
    fit = fit_random(c.y, c.v, tau2_method=c.tau2_method, ci_method=c.ci_method, control=c.control)
    eff = [c.measure.to_people(fit[f]) for f in ("est", "ci_lb", "ci_ub")]
    if c.measure.code == "MD":
        return {"measure": "MD", "effect": eff[0], "effect_ci_lb": eff[1], "effect_ci_ub": eff[2]}
    return {"measure": c.measure.code, "acr_source": c.acr_source, "effect": eff[0], "effect_ci_lb": eff[1],
            "effect_ci_ub": eff[2], **absolute_effects(*eff, c.acr, c.measure.code)}


def _tsa_ris(c: Context) -> float | None:
    """The fixed-effect RIS for a continuous outcome (None: the dichotomous RIS from acr, rrr)."""
    if c.measure.kind != "continuous":
        return None
    sds = [c.studies[i].get(f"sd_{arm}") for i in c.idx for arm in ("trt", "ctl")]
    sd = c.tsa.get("sd") or float(np.median([s for s in sds if s is not None]))
    return required_information_size_continuous(c.tsa["difference"], sd, c.tsa["alpha"], c.tsa["beta"])


def _tsa(c: Context) -> dict:
    order = [i for i in c.ordered if participants(c.studies[i], c.status[i]) is not None]
    res = trial_sequential_analysis(
        c.yi[order], c.vi[order], [participants(c.studies[i], c.status[i]) for i in order],
        [c.labels[i] for i in order], c.acr, c.tsa["rrr"], c.tsa["alpha"], c.tsa["beta"], "DL", c.control,
        measure=c.measure.code, ris_fixed=_tsa_ris(c))
    res["excluded"] = [c.labels[i] for i in c.ordered if i not in order]
    res["acr_source"] = c.acr_source
    return res


def _tsa_needs(c: Context) -> str | None:
    if not c.measure.tsa:
        return f"Trial sequential analysis is defined here for RR, OR, RD and MD, not {c.measure.code}."
    if not any(participants(c.studies[i], c.status[i]) is not None for i in c.ordered):
        return "Trial sequential analysis needs trials with known numbers of participants."
    if c.measure.kind == "continuous":
        if not c.tsa.get("difference"):
            return "Trial sequential analysis of a mean difference needs the difference to detect (living.tsa.difference)."
        return None
    if c.acr is None or not 0 < c.acr < 1 or not 0 < c.tsa["rrr"] < 1:
        return ("Trial sequential analysis needs an assumed control risk strictly between 0 and 1 and a "
                "relative risk reduction in (0, 1).")
    return None


def _needs_k(minimum: int, what: str) -> Callable[[Context], str | None]:
    return lambda c: None if c.k >= minimum else f"{what} needs at least {minimum} studies; {c.k} estimable."


def _small_study(c: Context) -> str | None:
    return small_study_reason(c.k, c.small_study_min_k)


def _harbord_needs(c: Context) -> str | None:
    if c.measure.kind != "binary":
        return "Harbord's test is for binary outcomes (2x2 counts)."
    n = len(c.counted)
    return None if n >= c.small_study_min_k else (
        f"Not run: {n} studies with 2x2 counts; Harbord's test needs at least {c.small_study_min_k} "
        "(Cochrane Handbook 13.3.5.4).")


def small_study_block(c: Context) -> dict:
    """living.json's "small_study": whether the funnel plot, Egger's and Harbord's tests and
    trim-and-fill run (k >= min_k), and why not."""
    reason = small_study_reason(c.k, c.small_study_min_k)
    return {"run": reason is None, "k": c.k, "min_k": c.small_study_min_k, "reason": reason}


def _absolute_needs(c: Context) -> str | None:
    if not c.measure.absolute:
        return f"Absolute effects apply to RR, OR, RD (per 1,000) and MD (in units), not {c.measure.code}."
    if c.k < 1:
        return "No estimable study."
    if c.measure.kind == "binary" and c.acr is None:
        return "No assumed control risk (no trial with counts and none given)."
    return None


BLOCKS: tuple[tuple[str, Callable[[Context], str | None], Callable[[Context], dict]], ...] = (
    ("cumulative", _needs_k(1, "A cumulative meta-analysis"), _cumulative),
    ("leave1out", _needs_k(K_MIN_DELETION, "Leave-one-out analysis"),
     lambda c: {"study": c.lab, **leave1out(c.y, c.v, fits=c.deletions)}),
    ("influence", _needs_k(K_MIN_DELETION, "Influence analysis"),
     lambda c: {"study": c.lab, **influence(c.y, c.v, c.tau2_method, c.ci_method, fits=c.deletions)}),
    ("egger_rma", _small_study, lambda c: egger_rma(c.y, c.v, c.tau2_method, c.ci_method, c.control)),
    ("egger_lm", _small_study, lambda c: egger_lm(c.y, c.v)),
    ("harbord", _harbord_needs,
     lambda c: harbord(*([c.studies[i][key] for i in c.counted] for key in COUNTS))),
    ("trimfill", _small_study,
     lambda c: {"study": c.lab, **trimfill(c.y, c.v, c.tau2_method, c.ci_method, c.trimfill_estimator,
                                           control=c.control)}),
    ("absolute", _absolute_needs, _absolute),
    ("tsa", _tsa_needs, _tsa),
)
"""(block, why it cannot be computed or None, compute), in output order."""


def control_arms_text(studies: list[dict]) -> str:
    """Which control arms the assumed control risk comes from: 'median control-arm risk of 2 trials
    (VASST, 28 d: 39.1%; VANCS II, 30 d: 57.1%)', each arm's events / total at its own time point."""
    from metapool.measures.text import timepoint_text
    from metapool.rounding import decimals

    arms = "; ".join(f"{s.get('trial') or s['study']}{f', {timepoint_text(s)}' if 'timepoint_days' in s else ''}: "
                     f"{decimals(100 * s['events_ctl'] / s['total_ctl'], 1)}%" for s in studies)
    return f"median control-arm risk of {len(studies)} trial{'s' * (len(studies) != 1)} ({arms})"


def _ordering(studies: list[dict], order) -> list[int]:
    """Indices of the studies in cumulative order: as given, or by a list of labels or indices."""
    if order is None:
        return list(range(len(studies)))
    labels = [s["study"] for s in studies]
    idx = [labels.index(o) if isinstance(o, str) else int(o) for o in order]
    if sorted(idx) != list(range(len(studies))):
        raise ValueError("order must list every study exactly once")
    return idx


def run_living(studies: list[dict], tau2_method: str = "REML", ci_method: str = "hksj", order=None,
               acr: float | None = None, tsa_rrr: float = 0.2, alpha: float = 0.05, beta: float = 0.2,
               trimfill_estimator: str = "L0", control: Control = DEFAULT, measure: str = registry.DEFAULT,
               include_adjusted: bool = True, include_skewed: bool = False,
               tsa_difference: float | None = None, tsa_sd: float | None = None,
               small_study_min_k: int = K_MIN_SMALL_STUDY, validated: bool = False) -> dict:
    """All living-review analyses of ``studies`` (the list-of-dicts input of ``pool_studies``;
    ``validated`` as there).

    order: labels (or indices) giving the cumulative/TSA order (publication year, then trial id,
    in the workflow); None keeps the input order. acr: assumed control risk; None takes the median
    control-arm risk of the estimable trials with counts. tsa_difference, tsa_sd: the mean
    difference a TSA of MD should detect and the SD (None: median arm SD of the trials).
    small_study_min_k: the funnel plot, Egger's and Harbord's tests and trim-and-fill only with at
    least this many estimable studies (Cochrane Handbook 13.3.5.4: 10); "small_study" says whether.
    """
    if isinstance(small_study_min_k, bool) or not isinstance(small_study_min_k, int) or small_study_min_k < 3:
        raise ValueError(f"small_study_min_k {small_study_min_k!r} is not a whole number of at least 3 "
                         "(Egger's regression needs 3 studies)")
    m = registry.get(measure)
    effects = study_effects(studies, m.code, include_adjusted, include_skewed, validated)
    est = effects.pooled
    c = Context(studies=studies, measure=m, yi=effects.yi, vi=effects.vi, status=effects.status,
                labels=[str(s["study"]) for s in studies],
                ordered=[i for i in _ordering(studies, order) if est[i]],
                tau2_method=tau2_method.upper(), ci_method=ci_method.lower(), control=control,
                trimfill_estimator=trimfill_estimator, small_study_min_k=small_study_min_k,
                tsa={"rrr": tsa_rrr, "alpha": alpha, "beta": beta, "difference": tsa_difference, "sd": tsa_sd})
    if acr is not None:
        c.acr = acr
    elif c.counted:
        c.acr = median_control_risk([studies[i]["events_ctl"] for i in c.counted],
                                    [studies[i]["total_ctl"] for i in c.counted])
        c.acr_source = control_arms_text([studies[i] for i in c.counted])
    out: dict = {}
    reasons: dict = {}
    for name, needs, compute in BLOCKS:
        out[name] = None
        why = needs(c)
        if why:
            reasons[name] = why
            continue
        try:
            out[name] = compute(c)
        except (MetapoolError, np.linalg.LinAlgError) as exc:
            reasons[name] = f"Not computed: {exc}."
    out["small_study"] = small_study_block(c)
    out["settings"] = {"measure": m.code, "tau2_method": c.tau2_method, "ci_method": c.ci_method, "k": c.k,
                       "k_total": len(studies), "status": effects.status,
                       "order": [c.labels[i] for i in c.ordered], "trimfill_estimator": trimfill_estimator,
                       "tsa_tau2_method": "DL", "small_study_min_k": small_study_min_k}
    out["reasons"] = reasons
    return clean(out)
