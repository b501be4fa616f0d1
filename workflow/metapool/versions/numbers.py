"""Numbers for people: analysis-scale values shown on the people's scale (registry ``to_people``)."""

from __future__ import annotations

from metapool.measures import registry
from metapool.measures.text import ratio
from metapool.rounding import decimals

DASH = "-"


def measure(code: str | None) -> registry.Measure:
    """The registry entry of ``code`` (RR when a state names none, as the engine's default)."""
    return registry.get(code or registry.DEFAULT)


def name(code: str | None) -> str:
    """'risk ratio', 'mean difference' (lower case, for inside a sentence)."""
    return measure(code).name.lower()


def null_text(code: str | None) -> str:
    """The null on the people's scale: '1' for ratios, '0' for differences."""
    return f"{measure(code).null:g}"


def value(code: str | None, x: float | None) -> str:
    """An analysis-scale value on the people's scale: ratios '0.85' (as on the forest plots),
    risk differences three decimals, other differences two; '-' when missing."""
    m = measure(code)
    y = m.to_people(x)
    if y is None:
        return DASH
    if m.log_scale:
        return ratio(y)
    return decimals(y, 3 if m.kind == "binary" else 2)


def interval(code: str | None, lo: float | None, hi: float | None) -> str:
    """'0.71 to 0.95', or 'not estimable' when a limit is missing."""
    if lo is None or hi is None:
        return "not estimable"
    return f"{value(code, lo)} to {value(code, hi)}"


def estimate(state: dict | None) -> str:
    """'RR 0.85 (95% CI 0.71 to 0.95; 95% PI 0.60 to 1.20)' of a state; 'not estimable' (k = 0); for
    an analysis kept apart by subgroup each subgroup's: 'by subgroup: x: RR 0.85 (...); y: ...'."""
    if state and state.get("subgroups") is not None:
        parts = [f"{group}: {estimate({'measure': state.get('measure'), **sub})}"
                 for group, sub in state["subgroups"].items() if sub.get("k")]
        return "by subgroup, no total: " + ("; ".join(parts) if parts else "nothing pooled")
    if not state or state.get("est") is None:
        return "not estimable (no pooled estimate)"
    code = state.get("measure")
    ci = interval(code, state["ci_lb"], state["ci_ub"])
    text = f"{measure(code).short} {value(code, state['est'])} (95% CI {ci}"
    if state.get("pi_lb") is not None and state.get("pi_ub") is not None:
        text += f"; 95% PI {interval(code, state['pi_lb'], state['pi_ub'])}"
    return text + ")"


def tau2(x: float | None) -> str:
    """tau^2 (analysis scale): '0', '<0.0001', else four decimals; '-' when missing."""
    if x is None:
        return DASH
    if x == 0:
        return "0"
    return "<0.0001" if x < 0.0001 else decimals(x, 4)


def count(x: float | None) -> str:
    """A number of participants: '5,483'; '-' when unknown."""
    return DASH if x is None else f"{x:,.0f}"


def plain(x) -> str:
    """A data field's value as written in a report: '-' for missing, numbers as stored."""
    if x is None:
        return DASH
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float) and x.is_integer():
        return f"{int(x)}"
    return str(x)
