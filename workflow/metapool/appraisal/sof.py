"""Summary of findings: one row per analysis (Guyatt et al. 2011 J Clin Epidemiol 64:383, GRADE 1;
Guyatt et al. 2013 J Clin Epidemiol 66:158 and 66:173, GRADE 12 and 13; Cochrane Handbook ch. 14).

A row holds the engine's numbers unchanged (the pooled random-effects estimate on the people's
scale, living.json's absolute effects per 1,000, the certainty) and the texts people read:
outcome, participants (trials), relative effect (95% CI) with the measure named, assumed risk
and corresponding risk per 1,000 with its 95% CI, the difference per 1,000 (for a difference
measure, the difference in its units), the certainty with its symbols and the reason for every
level lost. Rendering (TSV, Markdown, HTML) is in sof_render.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

from metapool.appraisal.grade import SYMBOLS, Certainty
from metapool.engine.study_effects import participants as study_participants
from metapool import rounding
from metapool.measures import registry

DASH = "\u2014"
PER = 1000
# The GRADE definitions of the four levels (Balshem et al. 2011 J Clin Epidemiol 64:401; GRADE Handbook 5)
DEFINITIONS = {
    "high": "We are very confident that the true effect lies close to that of the estimate of the effect.",
    "moderate": "We are moderately confident in the effect estimate: the true effect is likely to be close to "
                "the estimate of the effect, but there is a possibility that it is substantially different.",
    "low": "Our confidence in the effect estimate is limited: the true effect may be substantially different "
           "from the estimate of the effect.",
    "very low": "We have very little confidence in the effect estimate: the true effect is likely to be "
                "substantially different from the estimate of effect.",
}


@dataclass(frozen=True)
class SofRow:
    """One analysis in the summary-of-findings table. Numbers are the engine's, unrounded; the
    people's scale throughout (ratios exponentiated); None where not available."""

    analysis: str
    outcome: str
    measure: str
    measure_name: str
    trials: int
    trials_selected: int
    participants: int | None
    trials_without_arm_sizes: int
    est: float | None
    ci_lb: float | None
    ci_ub: float | None
    acr: float | None
    acr_source: str | None
    assumed_per_1000: float | None
    corresponding_per_1000: float | None
    corresponding_ci_lb: float | None
    corresponding_ci_ub: float | None
    rd_per_1000: float | None
    rd_ci_lb: float | None
    rd_ci_ub: float | None
    certainty: str | None
    symbols: str | None
    proposed_certainty: str | None
    provisional: bool
    reasons: tuple[str, ...]
    imprecision_rule: str | None = None  # the imprecision rule with this row's thresholds (a footnote)
    interval: str | None = None  # which interval the row's relative effect is (pooled.json's conclusion)
    timepoints: tuple[str, ...] = ()  # "VASST: 28 d" per pooled trial (inputs.trials.timepoint_text)

    def to_dict(self) -> dict:
        """The row's numbers and its texts (texts under "text")."""
        return {**asdict(self), "reasons": list(self.reasons), "timepoints": list(self.timepoints),
                "text": texts(self)}

    @classmethod
    def from_dict(cls, values: Mapping) -> "SofRow":
        """The row back from :meth:`to_dict` (as stored in pooled.json's "sof")."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: (tuple(v) if k in ("reasons", "timepoints") else v) for k, v in values.items() if k in names})


def whole(x: float) -> int:
    """Round half up to a whole number (per-1,000 figures are read as counts of people;
    metapool.rounding, the one rounding path)."""
    return rounding.whole(x)


def participants(pooled: dict) -> tuple[int | None, int]:
    """Participants of the pooled trials (sum of both arms' totals) and how many pooled trials give
    no arm sizes (their participants are not counted)."""
    pooled_trials = [s for s in pooled.get("studies", []) if s.get("weight_random") is not None]
    sizes = [study_participants(s, s["status"]) for s in pooled_trials]
    known = [n for n in sizes if n is not None]
    return (int(sum(known)) if known else None), len(sizes) - len(known)


def timepoints(pooled: dict) -> tuple[str, ...]:
    """Each pooled trial's time point, 'VASST: 28 d' (the analysis may mix 28-, 90-day and ICU mortality)."""
    from metapool.measures.text import timepoint_text

    return tuple(f"{s.get('trial') or s.get('study')}: {timepoint_text(s)}" for s in pooled.get("studies", [])
                 if s.get("weight_random") is not None and ("timepoint_days" in s))


def _certainty_fields(certainty: Certainty | Mapping | None) -> dict:
    if certainty is None:
        return {"certainty": None, "symbols": None, "proposed_certainty": None, "provisional": False, "reasons": (),
                "imprecision_rule": None}
    if isinstance(certainty, Certainty):
        certainty = certainty.to_dict()
    rule = (((certainty.get("domains") or {}).get("imprecision") or {}).get("numbers") or {}).get("rule")
    return {"certainty": certainty["level"], "symbols": certainty["symbols"],
            "proposed_certainty": certainty["proposed_level"], "provisional": bool(certainty["provisional"]),
            "reasons": tuple(certainty["reasons"]), "imprecision_rule": rule}


def _people_scale(block: Mapping) -> tuple:
    """Estimate and 95% interval on the people's scale of a block with ``natural``."""
    natural = block.get("natural") or {}
    return tuple(natural.get(k) for k in ("est", "ci_lb", "ci_ub"))


def interval_note(conclusion: Mapping | None) -> str | None:
    """The SoF footnote naming the declared interval (engine.conclusion), without numbers."""
    if not conclusion:
        return None
    note = f"Relative effect: the {conclusion['method']}"
    if conclusion["source"] == "bayes":
        note += ", the declared interval with this few trials (the frequentist random-effects CI is unreliable)"
    if conclusion["widened"]:
        note += "; widened to contain the fixed-effect interval, which it was narrower than"
    return note + "."


ABSOLUTE_FROM_EFFECT = ("corresponding_per_1000", "corresponding_ci_lb", "corresponding_ci_ub", "rd_per_1000",
                        "rd_ci_lb", "rd_ci_ub")


def _absolute(measure: registry.Measure, absolute: Mapping | None, conclusion: Mapping) -> dict:
    """The living block's absolute effects; when the declared interval is not the random-effects
    CI they were computed from (Bayesian, or widened), the corresponding risks and differences
    recomputed from it at the same assumed control risk."""
    from metapool.living.absolute import absolute_effects

    people = tuple(conclusion["natural"].get(k) for k in ("est", "ci_lb", "ci_ub"))
    if (not absolute or absolute.get("acr") is None or None in people
            or (conclusion["source"] == "random" and not conclusion["widened"])):
        return dict(absolute or {})
    fresh = absolute_effects(*people, absolute["acr"], measure.code)
    return {**absolute, **{key: fresh[key] for key in ABSOLUTE_FROM_EFFECT}}


def sof_row(pooled: dict, living: Mapping | None = None, certainty: Certainty | Mapping | None = None) -> SofRow:
    """The summary-of-findings row of one analysis from its pooled.json and living.json dicts;
    certainty defaults to pooled["certainty"] (None: not graded)."""
    measure = registry.get(pooled.get("measure", registry.DEFAULT))
    random = pooled.get("random") or {}
    conclusion = pooled.get("conclusion") if random else None
    people = _people_scale(conclusion or random)
    absolute = (living or {}).get("absolute") if measure.absolute else None
    if conclusion:
        absolute = _absolute(measure, absolute, conclusion)
    n, unknown = participants(pooled)
    absolute_keys = ("acr", "acr_source", "assumed_per_1000", "corresponding_per_1000", "corresponding_ci_lb",
                     "corresponding_ci_ub", "rd_per_1000", "rd_ci_lb", "rd_ci_ub")
    return SofRow(
        analysis=pooled.get("analysis", ""), outcome=pooled.get("title") or pooled.get("analysis", ""),
        measure=measure.code, measure_name=measure.name, trials=pooled.get("k", 0),
        trials_selected=pooled.get("k_total", pooled.get("k", 0)), participants=n, trials_without_arm_sizes=unknown,
        est=people[0], ci_lb=people[1], ci_ub=people[2],
        **{key: (absolute or {}).get(key) for key in absolute_keys},
        **_certainty_fields(certainty if certainty is not None else pooled.get("certainty")),
        interval=interval_note(conclusion),
        timepoints=timepoints(pooled),
    )


# ---- texts ----------------------------------------------------------------------------------

def number(x: float) -> str:
    """A ratio or difference with two decimals ('1.08'); two significant digits below 0.01, whole
    numbers from 100 ('305')."""
    if 0 < abs(x) < 0.01:
        return f"{x:.2g}"
    return rounding.decimals(x, 0 if abs(x) >= 100 else 2)  # as the forest plot prints it (wording.ratio)


def participants_text(row: SofRow) -> str:
    """'756 (5 RCTs)', with the trials whose arm sizes are not reported, e.g. '756 (5 RCTs; 2 without arm sizes)'."""
    trials = f"{row.trials} RCT{'s' * (row.trials != 1)}"
    if row.trials == 0:
        return f"no trial with usable data ({row.trials_selected} selected)"
    if row.participants is None:
        return f"arm sizes not reported ({trials})"
    extra = f"; {row.trials_without_arm_sizes} without arm sizes" if row.trials_without_arm_sizes else ""
    return f"{row.participants:,} ({trials}{extra})"


def relative_text(row: SofRow) -> str:
    """'RR 1.00 (0.75 to 1.32)'; a dash for a difference measure (its effect is absolute)."""
    if row.trials == 0:
        return DASH
    if row.est is None:
        return "not estimable"
    if not registry.get(row.measure).log_scale:
        return DASH
    return f"{registry.get(row.measure).short} {number(row.est)} ({number(row.ci_lb)} to {number(row.ci_ub)})"


def per_1000(x: float | None) -> str:
    return DASH if x is None else f"{whole(x):,} per 1,000"


def corresponding_text(row: SofRow) -> str:
    """'253 per 1,000 (191 to 335)'."""
    if row.corresponding_per_1000 is None:
        return DASH
    return (f"{per_1000(row.corresponding_per_1000)} ({whole(row.corresponding_ci_lb):,} to "
            f"{whole(row.corresponding_ci_ub):,})")


def _more_fewer(x: float, unit: str = "") -> str:
    """'1 fewer', '81 more' (GRADE summary-of-findings wording)."""
    if x == 0:
        return "no difference"
    return f"{whole(abs(x)):,}{unit} {'fewer' if x < 0 else 'more'}"


def _higher_lower(x: float) -> str:
    return "no difference" if x == 0 else f"{number(abs(x))} {'lower' if x < 0 else 'higher'}"


def difference_text(row: SofRow) -> str:
    """'1 fewer per 1,000 (63 fewer to 81 more)'; for a difference measure its pooled value,
    e.g. 'MD 2.10 higher (0.50 lower to 4.70 higher)' or 'RD 12 more per 1,000 (...)'."""
    measure = registry.get(row.measure)
    if row.rd_per_1000 is not None and measure.log_scale:
        return (f"{_more_fewer(row.rd_per_1000)} per 1,000 ({_more_fewer(row.rd_ci_lb)} to "
                f"{_more_fewer(row.rd_ci_ub)})")
    if row.est is None or measure.log_scale:
        return DASH
    if measure.kind == "binary":  # a risk difference: per 1,000
        return (f"{measure.short} {_more_fewer(PER * row.est)} per 1,000 ({_more_fewer(PER * row.ci_lb)} to "
                f"{_more_fewer(PER * row.ci_ub)})")
    return f"{measure.short} {_higher_lower(row.est)} ({_higher_lower(row.ci_lb)} to {_higher_lower(row.ci_ub)})"


def certainty_text(row: SofRow) -> str:
    """'⊕⊕◯◯ Low (provisional)'; 'not graded' without a certainty."""
    if row.certainty is None:
        return "not graded"
    text = f"{SYMBOLS[row.certainty]} {row.certainty[0].upper()}{row.certainty[1:]}"
    return text + (" (provisional)" if row.provisional else "")


def texts(row: SofRow) -> dict[str, str]:
    """Every display cell of the row."""
    return {"outcome": row.outcome, "participants": participants_text(row), "relative": relative_text(row),
            "assumed": per_1000(row.assumed_per_1000), "corresponding": corresponding_text(row),
            "difference": difference_text(row), "certainty": certainty_text(row)}
