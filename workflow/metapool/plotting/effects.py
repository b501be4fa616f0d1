"""Reading effects out of a pooled result for the figures, whatever the measure.

The measure, its name, scale (log or linear), null and fixed-effect methods come from
metapool.measures.registry (the one table of measures). A study's or block's numbers on the
people's scale are its `natural` block (pooled.json v2, docs/design.md; a study's `effect` is
the input column of a reported effect, a number); analysis-scale values (`yi`, `est`, ...) are
read as they are.
"""

from __future__ import annotations

from metapool.measures import datakinds, registry

# statuses whose study enters pooling (the registry of data kinds)
POOLED = frozenset(datakinds.POOLED)
# measures whose only model is a fixed-effect one (RevMan: Peto odds ratio, fixed effect)
FIXED_ONLY = {"PETO": "peto"}


def measure(result: dict) -> registry.Measure:
    """The result's measure (RR when it does not say: results before pooled.json v2)."""
    return registry.get(result.get("measure") or registry.DEFAULT)


def registry_get(code: str | None) -> registry.Measure | None:
    """The measure of `code`, None when it is missing or unknown."""
    try:
        return registry.get(code) if code else None
    except ValueError:
        return None


def measure_name(code: str | None) -> str:
    """The registry's name of `code` ('Odds ratio'), else the code itself."""
    m = registry_get(code)
    return m.name if m else str(code or "effect")


def people(block: dict | None) -> dict:
    """A study's or block's estimate and limits on the people's scale ({} when absent)."""
    if not block:
        return {}
    return block.get("natural") or {}


def primary_method(m: registry.Measure) -> str | None:
    """The fixed-effect method that is the measure's model (Peto), None for random effects."""
    return FIXED_ONLY.get(m.code)


def primary_fit(fits: dict, m: registry.Measure) -> dict | None:
    """The fit drawn as the estimate of `fits` (a result or one subgroup)."""
    method = primary_method(m)
    return fits.get(f"fixed_{method}") if method else fits.get("random")


def axis_limit(m: registry.Measure) -> float | None:
    """Largest half-width of a linear axis: 1 for a risk difference, else none."""
    return 1.0 if m.code == "RD" else None


def arm_mean_sd(study: dict, arm: str) -> tuple[float | None, float | None]:
    """Mean and SD of an arm ('trt' / 'ctl'): as given, else as converted from medians."""
    mean, sd = study.get(f"mean_{arm}"), study.get(f"sd_{arm}")
    converted = (study.get("converted") or {}).get(arm) or {}
    if (mean is None or sd is None) and converted and not converted.get("skewed"):
        mean, sd = converted.get("mean"), converted.get("sd")
    return mean, sd
