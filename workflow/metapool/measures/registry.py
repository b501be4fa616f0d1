"""The effect measures: what each is called, its scale, its null and how it is read by people.

One entry per measure, the single source of truth for names, scales, fixed-effect methods and
which living-review analyses apply (metafor escalc measure codes; RevMan / Cochrane Handbook
ch. 6 and 10 names).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

KINDS = ("binary", "rate", "continuous", "generic")


@dataclass(frozen=True)
class Measure:
    """An effect measure.

    code: metafor's escalc code (RR, OR, RD, PETO, IRR, MD, SMD, ROM) or HR (generic only).
    log_scale: pooled on the log scale (ratio measures); the analysis-scale null is always 0.
    kind: the study data it is computed from ("generic": reported estimate and CI only).
    fixed: fixed-effect methods besides inverse variance ("mh", "peto").
    absolute: absolute effects per 1,000 (binary) or the difference in units (MD) apply.
    tsa: trial sequential analysis with a required information size applies.
    """

    code: str
    name: str
    short: str
    kind: str
    log_scale: bool
    fixed: tuple[str, ...] = ()
    absolute: bool = False
    tsa: bool = False

    @property
    def null(self) -> float:
        """The line of no effect on the people's scale: 1 for ratios, 0 for differences."""
        return 1.0 if self.log_scale else 0.0

    def to_people(self, x: float | None) -> float | None:
        """Analysis scale -> people's scale: exp for ratio measures, identity otherwise; inf where exp
        overflows (as R's exp; e.g. a Peto log OR of 660 +- 50 from one table 1/1 vs 0/659)."""
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return None
        if not self.log_scale:
            return float(x)
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf

    def from_people(self, x: float) -> float:
        """People's scale -> analysis scale (log for ratio measures)."""
        return math.log(x) if self.log_scale else float(x)


MEASURES: dict[str, Measure] = {m.code: m for m in (
    Measure("RR", "Risk ratio", "RR", "binary", True, ("mh",), absolute=True, tsa=True),
    Measure("OR", "Odds ratio", "OR", "binary", True, ("mh",), absolute=True, tsa=True),
    Measure("RD", "Risk difference", "RD", "binary", False, ("mh",), absolute=True, tsa=True),
    Measure("PETO", "Peto odds ratio", "Peto OR", "binary", True, ("peto",)),
    Measure("IRR", "Incidence rate ratio", "IRR", "rate", True),
    Measure("MD", "Mean difference", "MD", "continuous", False, absolute=True, tsa=True),
    Measure("SMD", "Std. mean difference", "SMD", "continuous", False),
    Measure("ROM", "Ratio of means", "RoM", "continuous", True),
    Measure("HR", "Hazard ratio", "HR", "generic", True),
)}
CODES = tuple(MEASURES)
DEFAULT = "RR"


def get(code: str) -> Measure:
    """The measure with escalc code ``code`` (case-insensitive); ValueError naming the choices."""
    try:
        return MEASURES[str(code).upper()]
    except KeyError:
        raise ValueError(f"unknown effect measure {code!r}; choose one of {', '.join(CODES)}") from None
