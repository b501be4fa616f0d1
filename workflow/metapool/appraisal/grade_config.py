"""What the certainty rules of grade.py read from the configuration.

GradeRules (config `grade:`): the thresholds, the same for every analysis (defaults justified
below and in grade.py). Judgments (config `analyses.<name>.grade:`): what the reviewers state
for one analysis: indirectness (levels and reason) and their final judgment of any domain,
which may differ from the proposed downgrade only with a stated reason. Both parse plain mappings (YAML) and report every problem at once as
metapool.errors.Problem (file = the config, column = the key path).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

from metapool.errors import InputError, Problem
from metapool.measures import registry

DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
DOMAIN_NAMES = {
    "risk_of_bias": "Risk of bias",
    "inconsistency": "Inconsistency",
    "indirectness": "Indirectness",
    "imprecision": "Imprecision",
    "publication_bias": "Publication bias",
}
MAX_DOWNGRADE = 2  # serious (1) or very serious (2), GRADE Handbook 5.2
# Imprecision may lose three levels ("extremely serious", GRADE guidance 34 and 35, J Clin
# Epidemiol 2022 150:216 and 150:225): the reviewers' stated judgment only (appraisal.imprecision).
MAX_DOWNGRADE_OF = {"imprecision": 3}
# Minimal important differences on the people's scale: a relative change of 25% for ratio
# measures ("an RR of under 0.75 or over 1.25 as a rough guide", Guyatt et al. 2011 J Clin
# Epidemiol 64:1283, GRADE 6). Difference measures (RD, MD, SMD) have none by default: their
# MID is in the outcome's units and has to be stated.
DEFAULT_MID = MappingProxyType({code: (0.75, 1.25) for code, m in registry.MEASURES.items() if m.log_scale})


@dataclass(frozen=True)
class GradeRules:
    """Thresholds of the proposed certainty (grade.py documents each rule).

    rob_serious_weight: downgrade risk of bias one level when more than this share of the
      random-effects weight comes from results not at low risk (some concerns or high), i.e.
      when "most information" is not from results at low risk (Cochrane Handbook v5.1 Table
      12.2.d; GRADE Handbook 5.2.1).
    rob_very_serious_weight: two levels when more than this share comes from results at high
      risk (most information from results whose bias "substantially lowers confidence").
    rob_interpretation: one level also when excluding the high-risk trials changes whether the
      95% CI includes no effect ("the proportion of information from results at high risk of
      bias is sufficient to affect the interpretation of results").
    inconsistency_i2: one level when I^2 (percent) is above this ("may represent substantial
      heterogeneity", Cochrane Handbook 10.10.2; Guyatt et al. 2011 J Clin Epidemiol 64:1294).
    inconsistency_prediction: one level also when the prediction interval includes no effect
      while the CI does not.
    mid: measure code -> (lower, upper) minimal important differences on the people's scale.
    imprecision_null: a 95% CI that includes no effect counts as imprecise. GRADE 6 would not
      rate down a CI around no effect that excludes every important effect once the optimal
      information size is met; set false for that reading (then only MID crossings and the
      information size count).
    imprecision_ois: compare the participants with the trial sequential analysis' required
      information size (the optimal information size, GRADE 6).
    publication_bias_p: one level when Egger's test p is below this (Egger et al. 1997 BMJ
      315:629 used 0.10: the test has low power). The test runs only with at least
      living.small_study_min_k trials (Cochrane Handbook 13.3.5.4: 10), the living-review setting.
    """

    rob_serious_weight: float = 0.5
    rob_very_serious_weight: float = 0.5
    rob_interpretation: bool = True
    inconsistency_i2: float = 50.0
    inconsistency_prediction: bool = True
    mid: Mapping[str, tuple[float, float]] = field(default_factory=lambda: DEFAULT_MID)
    imprecision_null: bool = True
    imprecision_ois: bool = True
    publication_bias_p: float = 0.10

    @classmethod
    def from_mapping(cls, values: Mapping | None, where: str = "config/config.yaml",
                     key: str = "grade") -> "GradeRules":
        """GradeRules from a mapping of the fields above (unset keys keep their defaults);
        `mid` maps a measure code to [lower, upper] or {relative_change: 0.25}, and is merged
        over the defaults (null removes a measure's MID). InputError lists every problem."""
        values = dict(values or {})
        problems: list[Problem] = []
        out: dict = {}
        known = {f.name: f for f in fields(cls)}
        for name, value in values.items():
            path = f"{key}.{name}"
            if name in MOVED:
                problems.append(Problem(where, None, path, MOVED[name]))
            elif name not in known:
                problems.append(Problem(where, None, path, f"unknown rule; known: {', '.join(known)}"))
            elif name == "mid":
                out["mid"] = _mid(value, where, path, problems)
            else:
                parsed = _scalar(name, value, known[name].default, where, path, problems)
                if parsed is not None:
                    out[name] = parsed
        if problems:
            raise InputError(problems)
        return cls(**out)

    def mid_for(self, measure: str) -> tuple[float, float] | None:
        """The (lower, upper) MID of a measure on the people's scale, None when none is set."""
        return self.mid.get(registry.get(measure).code)

    def to_dict(self) -> dict:
        """The rules as plain JSON values (recorded with every certainty)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["mid"] = {code: list(pair) for code, pair in sorted(self.mid.items())}
        return out


MOVED = {"publication_bias_min_k": "moved: the small-study methods' minimum number of trials is the "
                                   "living-review setting living.small_study_min_k (default 10)"}
_RANGES = {
    "rob_serious_weight": (0.0, 1.0), "rob_very_serious_weight": (0.0, 1.0),
    "inconsistency_i2": (0.0, 100.0), "publication_bias_p": (0.0, 1.0),
}


def _scalar(name: str, value, default, where: str, path: str, problems: list[Problem]):
    """A boolean or number rule, checked against its range."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        problems.append(Problem(where, None, path, f"{value!r} is not true or false"))
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append(Problem(where, None, path, f"{value!r} is not a number"))
        return None
    lo, hi = _RANGES[name]
    if not lo <= value <= hi:
        problems.append(Problem(where, None, path, f"{value!r} is outside {lo:g} to {hi:g}"))
        return None
    return float(value)


def _mid(value, where: str, path: str, problems: list[Problem]) -> Mapping[str, tuple[float, float]]:
    """Per-measure MIDs merged over DEFAULT_MID."""
    out = dict(DEFAULT_MID)
    if not isinstance(value, Mapping):
        problems.append(Problem(where, None, path, "a mapping of measure code to [lower, upper] or "
                                                    "{relative_change: r}"))
        return MappingProxyType(out)
    for code, spec in value.items():
        where_code = f"{path}.{code}"
        try:
            measure = registry.get(code)
        except ValueError as err:
            problems.append(Problem(where, None, where_code, str(err)))
            continue
        if spec is None:
            out.pop(measure.code, None)
            continue
        pair = _mid_pair(measure, spec)
        if isinstance(pair, str):
            problems.append(Problem(where, None, where_code, pair))
        else:
            out[measure.code] = pair
    return MappingProxyType(out)


def _mid_pair(measure: registry.Measure, spec) -> tuple[float, float] | str:
    """(lower, upper) from [lower, upper] or {relative_change: r} (ratio measures: 1 - r, 1 + r),
    or the rule broken."""
    if isinstance(spec, Mapping) and set(spec) == {"relative_change"}:
        r = spec["relative_change"]
        if not measure.log_scale:
            return f"relative_change applies to ratio measures only; give [lower, upper] for {measure.code}"
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not 0 < r < 1:
            return f"relative_change {r!r} must be a number strictly between 0 and 1"
        return (1.0 - r, 1.0 + r)
    if (not isinstance(spec, (list, tuple)) or len(spec) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) for v in spec)):
        return "give [lower, upper] (two numbers) or {relative_change: r}"
    lo, hi = float(spec[0]), float(spec[1])
    null = measure.null
    if measure.log_scale and lo <= 0:
        return f"{lo:g} is not a positive ratio"
    if not lo < null < hi:
        return f"[{lo:g}, {hi:g}] must lie either side of the null ({null:g})"
    return (lo, hi)


@dataclass(frozen=True)
class Judgment:
    """A domain judgment the reviewers state: levels down (0-2; imprecision 0-3) and the reason."""

    downgrade: int
    reason: str


@dataclass(frozen=True)
class Judgments:
    """What the reviewers state for one analysis: indirectness, and a final judgment per domain
    that replaces the proposed downgrade (each with its reason)."""

    indirectness: Judgment | None = None
    final: Mapping[str, Judgment] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_mapping(cls, values: Mapping | None, where: str = "config/config.yaml",
                     key: str = "analyses.<name>.grade") -> "Judgments":
        """Judgments from {"indirectness": {"downgrade": 1, "reason": ...},
        "final": {"imprecision": {"downgrade": 1, "reason": ...}, ...}}; a judgment without a
        reason, an unknown domain or a downgrade outside 0-2 (imprecision 0-3) is an InputError (all at once)."""
        values = dict(values or {})
        problems: list[Problem] = []
        for name in sorted(set(values) - {"indirectness", "final"}):
            problems.append(Problem(where, None, f"{key}.{name}", "unknown key; known: indirectness, final"))
        indirectness = None
        if values.get("indirectness") is not None:
            indirectness = _judgment(values["indirectness"], where, f"{key}.indirectness", problems)
        final: dict[str, Judgment] = {}
        finals = values.get("final") or {}
        if not isinstance(finals, Mapping):
            problems.append(Problem(where, None, f"{key}.final", "a mapping of domain to {downgrade, reason}"))
            finals = {}
        for domain, spec in finals.items():
            path = f"{key}.final.{domain}"
            if domain == "indirectness":
                problems.append(Problem(where, None, path, "indirectness is the reviewers' judgment already: "
                                                            f"state it under {key}.indirectness"))
            elif domain not in DOMAINS:
                problems.append(Problem(where, None, path, f"unknown domain; known: {', '.join(DOMAINS)}"))
            else:
                judgment = _judgment(spec, where, path, problems, MAX_DOWNGRADE_OF.get(domain, MAX_DOWNGRADE))
                if judgment is not None:
                    final[domain] = judgment
        if problems:
            raise InputError(problems)
        return cls(indirectness, MappingProxyType(final))


def _judgment(spec, where: str, path: str, problems: list[Problem], most: int = MAX_DOWNGRADE) -> Judgment | None:
    """{downgrade: 0 to most (2; imprecision 3), reason: non-blank text}, or None with the problems reported."""
    if not isinstance(spec, Mapping):
        problems.append(Problem(where, None, path, "give {downgrade: 0, 1 or 2, reason: ...}"))
        return None
    found = len(problems)
    for name in sorted(set(spec) - {"downgrade", "reason"}):
        problems.append(Problem(where, None, f"{path}.{name}", "unknown key; known: downgrade, reason"))
    levels = spec.get("downgrade")
    if isinstance(levels, bool) or not isinstance(levels, int) or not 0 <= levels <= most:
        problems.append(Problem(where, None, f"{path}.downgrade",
                                f"{levels!r} is not a number of levels: {', '.join(map(str, range(most)))} or {most}"))
    reason = spec.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.append(Problem(where, None, f"{path}.reason",
                                "a judgment needs its stated reason; without one the proposed rating stands"))
    return None if len(problems) > found else Judgment(levels, reason.strip())
