"""Options of the per-analysis forest plot."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class ForestOptions:
    """What the forest plot shows; every field has a default, so `{}` is a valid options dict.
    Whether there is a total is not an option: the result says (pooled.json "pool_subgroups").

    treatment_label / control_label: arm headings; default the shared `agent` / `comparator`
        of the studies, capitalised, else "Treatment" / "Control".
    favours_treatment / favours_control: texts under the axis; default "Favours <arm>".
    show_fixed: a fixed-effect diamond next to each random-effects one.
    fixed_when_few: with 2 to this many trials the fixed-effect diamond is drawn anyway, with a
        footer saying why (random-effects CIs are unreliable with few trials); None: never.
    fixed_method: "auto" (the measure's own method, Mantel-Haenszel or Peto, when the result
        has it, else inverse variance), "mh" or "iv".
    prediction_interval: the prediction-interval bar (drawn only when the result has one).
    show_title: the analysis title above the table.
    xlim: (lower, upper) limits of the axis on the people's scale instead of the automatic
        range: 0 < lower < 1 < upper for ratio measures, lower < 0 < upper for differences.
    max_label_width: study labels wider than this (points) wrap onto more lines.
    show_rob: risk-of-bias traffic lights (RoB 2 domains D1-D5 and Overall) right of the effect
        column, with their legend; a line "Risk of bias: not assessed" when no study is.
    """

    treatment_label: str | None = None
    control_label: str | None = None
    favours_treatment: str | None = None
    favours_control: str | None = None
    show_fixed: bool = False
    fixed_when_few: int | None = 4
    fixed_method: str = "auto"
    prediction_interval: bool = True
    show_title: bool = True
    xlim: tuple[float, float] | None = None
    max_label_width: float = 190.0
    show_rob: bool = True

    def __post_init__(self):
        if self.fixed_method not in ("auto", "mh", "iv"):
            raise ValueError(f"fixed_method must be auto, mh or iv, not {self.fixed_method!r}")

    @classmethod
    def coerce(cls, value: "ForestOptions | dict | None") -> "ForestOptions":
        """Options from an instance, a dict of field values (unknown keys are an error) or None."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown forest option(s): {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
        if value.get("xlim") is not None:
            value = {**value, "xlim": tuple(value["xlim"])}
        return cls(**value)
