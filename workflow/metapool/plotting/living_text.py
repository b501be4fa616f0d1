"""Texts shared by the living-review figures: study labels, arm names, numbers, method lines."""

from __future__ import annotations

from metapool.plotting import effects
from metapool.plotting import wording as fmt
from metapool.plotting.options import ForestOptions
from metapool.plotting.forest_rows import arms


def study_labels(pooled: dict) -> dict[str, str]:
    """study id -> the label shown ("Legrand 2025 (I-MICRO)"; the id when there is no label)."""
    return {str(s.get("study")): str(s.get("label") or s.get("study"))
            for s in pooled.get("studies") or []}


def favours(pooled: dict, options: "ForestOptions | dict | None") -> tuple[str, str]:
    """('Favours <treatment>', 'Favours <control>') as on the forest plot (forest_rows.arms)."""
    a = arms(pooled.get("studies") or [], ForestOptions.coerce(options))
    return a.favours_treatment, a.favours_control


def title(pooled: dict) -> str:
    """The analysis title (pooled.json), else the analysis name."""
    return str(pooled.get("title") or pooled.get("analysis") or "")


def tau2_cell(x: float | None) -> str:
    """tau^2 in a table cell: '0', '<0.0001', else four decimals; '-' when missing."""
    if x is None:
        return fmt.DASH
    if x == 0:
        return "0"
    if x < 0.0001:
        return "<0.0001"
    return f"{x:.4f}"


def i2_cell(x: float | None) -> str:
    """I^2 in a table cell: '32%'; '-' when missing."""
    return fmt.DASH if x is None else f"{x:.0f}%"


def method(settings: dict, level: float = 95) -> str:
    """'Random effects, REML; 95% CI by Hartung-Knapp-Sidik-Jonkman' from a block's settings."""
    return fmt.random_method({"tau2_method": settings.get("tau2_method", "REML"),
                              "ci_method": settings.get("ci_method", "hksj")}, level)


def not_pooled(pooled: dict) -> list[str]:
    """Labels of the studies without an estimable effect (not in any living-review analysis)."""
    labels = study_labels(pooled)
    return [labels[str(s.get("study"))] for s in pooled.get("studies") or []
            if s.get("yi") is None or s.get("vi") is None]


def not_pooled_line(pooled: dict) -> str | None:
    """'Not included (no estimable effect): A; B.' or None."""
    names = not_pooled(pooled)
    return f"Not included (no estimable effect): {'; '.join(names)}." if names else None


def integer(x: float) -> str:
    """A count of participants with thousands separators: '5,483'."""
    return f"{x:,.0f}"


def effect_cell(measure, est: float | None, lo: float | None, hi: float | None) -> str:
    """An analysis-scale estimate and CI in a table cell on the people's scale ('0.85 [0.69,
    1.07]', '-3.60 [-11.70, 4.50]'); '-' when any is missing."""
    if None in (est, lo, hi):
        return fmt.DASH
    return fmt.effect_ci(measure.to_people(est), measure.to_people(lo), measure.to_people(hi),
                         measure.log_scale)


def measure(pooled: dict):
    """The analysis' measure (metapool.measures.registry)."""
    return effects.measure(pooled)
