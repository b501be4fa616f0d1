"""Proposed certainty of the evidence (GRADE) for one analysis, from explicit rules.

Evidence from randomised trials starts at high (GRADE Handbook 5.1) and loses levels per domain
(GRADE Handbook 5.2; 0, 1 "serious" or 2 "very serious"); the level never falls below very low.
Each rule below states what it reads and its thresholds (GradeRules, grade_config.py):

- Risk of bias (5.2.1; Cochrane Handbook v5.1 Table 12.2.d): shares of random-effects weight by
  RoB 2 overall judgment. Two levels when more than rob_very_serious_weight (0.5) comes from
  results at high risk; one when more than rob_serious_weight (0.5) comes from results not at
  low risk (some concerns or high), or (rob_interpretation) when excluding the high-risk trials
  changes whether the 95% CI includes no effect. Results not assessed count towards neither
  share; when no trial is assessed there is no downgrade, the reason says "risk of bias not
  assessed" and the certainty is provisional (also when only some are assessed).
- Inconsistency (5.2.2; Guyatt et al. 2011 J Clin Epidemiol 64:1294): one level when I^2 is
  above inconsistency_i2 (50%), or (inconsistency_prediction) the prediction interval includes
  no effect while the CI does not. Not assessable with one trial.
- Indirectness (5.2.4): the reviewers' judgment stated in the config (levels and reason); none
  stated means no downgrade, "not judged", and a provisional certainty.
- Imprecision (5.2.3; Guyatt et al. 2011 J Clin Epidemiol 64:1283, GRADE 6): (a) the 95% CI
  includes no effect (a bound on the null counts) or crosses a minimal important difference
  (strictly inside the CI; GradeRules.mid, RR 0.75 / 1.25 by default); (b) the participants
  are fewer than the trial sequential analysis' required information size (the optimal
  information size). One level when (a) or (b) holds, two when both do. imprecision_null false
  drops "includes no effect" from (a) (GRADE 6's reading for a CI around no effect that
  excludes every important effect).
- Publication bias (5.2.5; Cochrane Handbook 13.3.5.4): with at least publication_bias_min_k
  (10) trials, one level when Egger's test (living.json egger_rma) has p below
  publication_bias_p (0.10); with fewer, "not assessable (k < 10)".

The reviewers' final judgment of a domain (Judgments.final) replaces the proposed downgrade
only with its stated reason; the result keeps both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from metapool.appraisal import rob2
from metapool.appraisal.grade_config import DOMAIN_NAMES, DOMAINS, GradeRules, Judgment, Judgments
from metapool.engine import restrict
from metapool.measures import registry

__all__ = ["GradeRules", "Judgments", "Judgment", "Rating", "DomainRating", "Certainty", "grade_certainty",
           "LEVELS", "SYMBOLS", "level_after", "DOMAINS", "DOMAIN_NAMES"]

LEVELS = ("high", "moderate", "low", "very low")
SYMBOLS = {"high": "\u2295\u2295\u2295\u2295", "moderate": "\u2295\u2295\u2295\u25ef",
           "low": "\u2295\u2295\u25ef\u25ef", "very low": "\u2295\u25ef\u25ef\u25ef"}
START = "high"  # randomised trials (GRADE Handbook 5.1)
NOT_ASSESSED_ROB = "risk of bias not assessed"
NOT_JUDGED_INDIRECTNESS = "indirectness not judged"


@dataclass(frozen=True)
class Rating:
    """Levels down for one domain and why (numbers: what the rule read)."""

    downgrade: int
    reason: str
    numbers: Mapping | None = None


@dataclass(frozen=True)
class DomainRating:
    """One domain: the proposed rating, the final one (the reviewers' where they stated one)."""

    domain: str
    proposed: Rating
    final: Rating
    overridden: bool

    def to_dict(self) -> dict:
        return {"downgrade": self.final.downgrade, "reason": self.final.reason,
                "proposed": {"downgrade": self.proposed.downgrade, "reason": self.proposed.reason},
                "final": {"downgrade": self.final.downgrade, "reason": self.final.reason},
                "overridden": self.overridden, "numbers": dict(self.proposed.numbers or {})}


@dataclass(frozen=True)
class Certainty:
    """The certainty of one analysis: proposed by the rules, final after the reviewers' judgments."""

    proposed_level: str
    final_level: str
    domains: tuple[DomainRating, ...]
    provisional: bool
    provisional_reasons: tuple[str, ...]
    rules: GradeRules

    @property
    def level(self) -> str:
        return self.final_level

    @property
    def symbols(self) -> str:
        return SYMBOLS[self.final_level]

    def reasons(self) -> list[str]:
        """One line per domain that loses levels in the final rating ('Imprecision (\u22122): ...'),
        then why the certainty is provisional, if it is."""
        lines = [f"{DOMAIN_NAMES[d.domain]} (\u2212{d.final.downgrade}): {d.final.reason}"
                 for d in self.domains if d.final.downgrade]
        if self.provisional:
            lines.append("Provisional: " + "; ".join(self.provisional_reasons) + ".")
        return lines

    def to_dict(self) -> dict:
        """pooled.json's `certainty` block."""
        return {"start": START, "level": self.level, "symbols": self.symbols,
                "proposed_level": self.proposed_level, "proposed_symbols": SYMBOLS[self.proposed_level],
                "final_level": self.final_level, "provisional": self.provisional,
                "provisional_reasons": list(self.provisional_reasons),
                "domains": {d.domain: d.to_dict() for d in self.domains},
                "reasons": self.reasons(), "rules": self.rules.to_dict()}


def level_after(downgrades: int) -> str:
    """The level of randomised evidence after this many levels lost (very low at most)."""
    return LEVELS[min(max(downgrades, 0), len(LEVELS) - 1)]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _num(x: float) -> str:
    return f"{x:.2f}"


# ---- risk of bias ---------------------------------------------------------------------------

def weight_shares(studies: Sequence[dict]) -> dict:
    """Share of the random-effects weight by RoB 2 overall judgment, over the pooled studies."""
    pooled = [s for s in studies if s.get("weight_random") is not None]
    total = sum(s["weight_random"] for s in pooled)
    shares = dict.fromkeys(rob2.LEVELS, 0.0)
    for s in pooled:
        shares[rob2.overall(s.get("rob"))] += s["weight_random"] / total if total else 0.0
    assessed = sum(rob2.overall(s.get("rob")) != rob2.NOT_ASSESSED for s in pooled)
    return {"weight_low": shares[rob2.LOW], "weight_some_concerns": shares[rob2.SOME_CONCERNS],
            "weight_high": shares[rob2.HIGH], "weight_not_assessed": shares[rob2.NOT_ASSESSED],
            "trials": len(pooled), "trials_assessed": assessed}


def _includes_null(lb: float | None, ub: float | None) -> bool | None:
    """Whether a CI on the analysis scale (null 0) includes no effect; None without one."""
    return None if lb is None or ub is None else lb <= 0.0 <= ub


def _interpretation_changes(pooled: dict) -> bool | None:
    """Whether excluding high-risk trials (engine.restrict "exclude_high_risk") changes whether
    the 95% CI includes no effect."""
    block = restrict.block(pooled, "exclude_high_risk")
    excluded = (block or {}).get("random")
    random = pooled.get("random") or {}
    if not excluded or excluded.get("ci_lb") is None:
        return None
    return _includes_null(excluded["ci_lb"], excluded["ci_ub"]) != _includes_null(random["ci_lb"], random["ci_ub"])


def risk_of_bias(pooled: dict, rules: GradeRules) -> Rating:
    """Risk-of-bias rating from the weight shares by overall judgment (module docstring)."""
    s = weight_shares(pooled["studies"])
    if s["trials_assessed"] == 0:
        return Rating(0, f"{NOT_ASSESSED_ROB} (no RoB 2 assessment of any of the {s['trials']} trials): "
                         "not downgraded; provisional", s)
    not_low = s["weight_some_concerns"] + s["weight_high"]
    shares = (f"{_pct(s['weight_low'])} of the weight from trials at low risk, {_pct(s['weight_some_concerns'])} "
              f"some concerns, {_pct(s['weight_high'])} high")
    if s["weight_not_assessed"]:
        shares += f", {_pct(s['weight_not_assessed'])} not assessed (provisional)"
    changes = _interpretation_changes(pooled) if rules.rob_interpretation else None
    if s["weight_high"] > rules.rob_very_serious_weight:
        return Rating(2, f"{shares}: most information is from results at high risk of bias "
                         f"(> {_pct(rules.rob_very_serious_weight)})", s)
    if not_low > rules.rob_serious_weight:
        return Rating(1, f"{shares}: most information is from results with some concerns or at high risk "
                         f"(> {_pct(rules.rob_serious_weight)})", s)
    if changes:
        return Rating(1, f"{shares}: excluding the trials at high risk changes whether the 95% CI "
                         "includes no effect", {**s, "interpretation_changes": True})
    return Rating(0, f"{shares}: most information is from results at low risk of bias", s)


# ---- inconsistency --------------------------------------------------------------------------

def inconsistency(pooled: dict, rules: GradeRules) -> Rating:
    """Inconsistency rating from I^2 and the prediction interval (module docstring)."""
    r = pooled.get("random") or {}
    if (r.get("k") or 0) < 2 or r.get("I2") is None:
        return Rating(0, "not assessable: a single trial", {"I2": None})
    numbers = {"I2": r["I2"], "pi_lb": r.get("pi_lb"), "pi_ub": r.get("pi_ub")}
    i2 = f"I\u00b2 = {r['I2']:.0f}%"
    if r["I2"] > rules.inconsistency_i2:
        return Rating(1, f"{i2} (> {rules.inconsistency_i2:g}%): substantial heterogeneity", numbers)
    pi = _includes_null(r.get("pi_lb"), r.get("pi_ub"))
    if rules.inconsistency_prediction and pi and not _includes_null(r["ci_lb"], r["ci_ub"]):
        return Rating(1, f"{i2}, but the prediction interval includes no effect while the 95% CI does not",
                      numbers)
    tail = "" if pi is not None else "; no prediction interval (k < 3)"
    return Rating(0, f"{i2} (\u2264 {rules.inconsistency_i2:g}%){tail}", numbers)


# ---- indirectness ---------------------------------------------------------------------------

def indirectness(judgments: Judgments) -> Rating:
    """The reviewers' stated indirectness, or no downgrade and 'not judged'."""
    if judgments.indirectness is None:
        return Rating(0, f"{NOT_JUDGED_INDIRECTNESS}: no judgment stated for this analysis; provisional")
    return Rating(judgments.indirectness.downgrade, judgments.indirectness.reason)


# ---- imprecision ----------------------------------------------------------------------------

def _ci_clause(measure: registry.Measure, lb: float, ub: float, null_in: bool, crossed: list[float],
               mid: tuple[float, float] | None) -> str:
    """What the CI includes: no effect, and which minimal important differences it crosses."""
    ci = f"95% CI {_num(lb)} to {_num(ub)}"
    null = f"no effect ({measure.short} {measure.null:g})"
    if not mid:
        return f"{ci} {'includes' if null_in else 'excludes'} {null}; no minimal important difference set " \
               f"for {measure.short}"
    mids = f"the minimal important difference ({' and '.join(f'{measure.short} {t:g}' for t in crossed)})"
    if null_in and crossed:
        return f"{ci} includes {null} and crosses {mids}"
    if crossed:
        return f"{ci} excludes {null} but crosses {mids}"
    within = f"minimal important difference ({measure.short} {mid[0]:g} or {mid[1]:g})"
    return f"{ci} {'includes' if null_in else 'excludes'} {null} and crosses no {within}"


def _ois_clause(tsa: Mapping | None, short: bool) -> str:
    """Participants against the trial sequential analysis' required information size."""
    if tsa is None:
        return "required information size not available (no trial sequential analysis)"
    left_out = len(tsa.get("excluded") or ())
    counted = f" (trials without arm sizes not counted: {left_out})" if left_out else ""
    if short:
        return (f"{tsa['patients']:,.0f} participants{counted}, fewer than the required information size of "
                f"{tsa['ris']:,.0f} (trial sequential analysis)")
    return (f"{tsa['patients']:,.0f} participants{counted} reach the required information size of "
            f"{tsa['ris']:,.0f} (trial sequential analysis)")


def imprecision(pooled: dict, living: Mapping | None, rules: GradeRules) -> Rating:
    """Imprecision rating from the CI (null, MID) and the required information size (module docstring)."""
    measure = registry.get(pooled.get("measure", registry.DEFAULT))
    r = pooled.get("conclusion") or pooled["random"]  # the declared interval (engine.conclusion)
    lb, ub = measure.to_people(r["ci_lb"]), measure.to_people(r["ci_ub"])
    mid = rules.mid_for(measure.code)
    null_in = bool(_includes_null(r["ci_lb"], r["ci_ub"]))
    crossed = [t for t in (mid or ()) if lb < t < ub]
    tsa = (living or {}).get("tsa") if rules.imprecision_ois else None
    short = tsa is not None and tsa["patients"] < tsa["ris"]
    wide = (null_in and rules.imprecision_null) or bool(crossed)
    clauses = [_ci_clause(measure, lb, ub, null_in, crossed, mid)]
    if null_in and not rules.imprecision_null and not crossed:
        clauses[0] += " (no effect alone is not counted: imprecision_null is false)"
    if rules.imprecision_ois:
        clauses.append(_ois_clause(tsa, short))
    numbers = {"ci_lb": lb, "ci_ub": ub, "null": measure.null, "mid": list(mid) if mid else None,
               "includes_null": null_in, "crosses_mid": crossed,
               "patients": tsa["patients"] if tsa else None, "ris": tsa["ris"] if tsa else None}
    return Rating(int(wide) + int(short), "; ".join(clauses), numbers)


# ---- publication bias -----------------------------------------------------------------------

def publication_bias(pooled: dict, living: Mapping | None, rules: GradeRules) -> Rating:
    """Publication-bias rating from Egger's test when k >= publication_bias_min_k (module docstring)."""
    k = pooled.get("k") or 0
    if k < rules.publication_bias_min_k:
        return Rating(0, f"not assessable (k < {rules.publication_bias_min_k})", {"k": k, "egger_p": None})
    egger = (living or {}).get("egger_rma")
    if not egger:
        why = ((living or {}).get("reasons") or {}).get("egger_rma", "Egger's test not computed")
        return Rating(0, f"not assessable: {why}", {"k": k, "egger_p": None})
    p = egger["p"]
    numbers = {"k": k, "egger_p": p}
    if p < rules.publication_bias_p:
        return Rating(1, f"Egger's test P = {p:.3f} (< {rules.publication_bias_p:g}, k = {k}): "
                         "funnel-plot asymmetry suggests small-study effects", numbers)
    return Rating(0, f"Egger's test P = {p:.2f} (\u2265 {rules.publication_bias_p:g}, k = {k}): "
                     "no evidence of small-study effects", numbers)


# ---- the certainty --------------------------------------------------------------------------

def _final(domain: str, proposed: Rating, judgments: Judgments) -> tuple[Rating, bool]:
    """The reviewers' final judgment where stated (it always carries a reason), else the proposal."""
    stated = judgments.final.get(domain)
    if stated is None:
        return proposed, False
    return Rating(stated.downgrade, f"reviewers' judgment: {stated.reason}"), True


def grade_certainty(pooled: dict, living: Mapping | None = None, rules: GradeRules | None = None,
                    judgments: Judgments | Mapping | None = None) -> Certainty | None:
    """The certainty of one analysis; None when nothing is pooled (k = 0).

    pooled: the pooled.json dict (studies carry `rob` blocks or None; absent is not assessed);
    living: the living.json dict (egger_rma, tsa); the risk-of-bias restriction is read from
    pooled["restricted"] (engine.restrict); judgments: Judgments or its config mapping.
    """
    if not pooled.get("random"):
        return None
    rules = rules or GradeRules()
    if not isinstance(judgments, Judgments):
        judgments = Judgments.from_mapping(judgments)
    proposed = {
        "risk_of_bias": risk_of_bias(pooled, rules),
        "inconsistency": inconsistency(pooled, rules),
        "indirectness": indirectness(judgments),
        "imprecision": imprecision(pooled, living, rules),
        "publication_bias": publication_bias(pooled, living, rules),
    }
    domains = []
    for name in DOMAINS:
        final, overridden = (proposed[name], False) if name == "indirectness" else \
            _final(name, proposed[name], judgments)
        domains.append(DomainRating(name, proposed[name], final, overridden))
    provisional = []
    shares = proposed["risk_of_bias"].numbers
    if shares["weight_not_assessed"] > 0 or shares["trials_assessed"] < shares["trials"]:
        provisional.append(NOT_ASSESSED_ROB if shares["trials_assessed"] == 0 else
                           f"risk of bias not assessed for {shares['trials'] - shares['trials_assessed']} "
                           f"of {shares['trials']} trials")
    if judgments.indirectness is None:
        provisional.append(NOT_JUDGED_INDIRECTNESS)
    return Certainty(
        proposed_level=level_after(sum(d.proposed.downgrade for d in domains)),
        final_level=level_after(sum(d.final.downgrade for d in domains)),
        domains=tuple(domains), provisional=bool(provisional), provisional_reasons=tuple(provisional),
        rules=rules)
