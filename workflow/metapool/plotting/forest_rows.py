"""The content of a forest plot: what each row says and where its marker goes.

`forest_table` reads a pooled result (docs/design.md contract) and returns a table.Table:
the RevMan columns, the rows in drawing order (`forest_rows`) with every text cell formatted
and every interval on the ln RR scale, the arm headings, favours texts and footers. No
geometry (widths, positions) here: table.layout places it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from metapool.plotting import axis as axes
from metapool.plotting import table
from metapool.plotting import wording as fmt
from metapool.plotting.options import ForestOptions
from metapool.plotting.table import Column, Interval, Row

POOLED = ("counts", "counts_corrected", "reported")
NOT_POOLED_TEXT = {"not_estimable": "not estimable", "no_data": "no usable data"}
COUNT_KEYS = ("events_trt", "total_trt", "events_ctl", "total_ctl")
CELL_KEYS = ("study", "ev_t", "n_t", "ev_c", "n_c", "weight", "rr")
# Footnote marks are Latin-1 superscripts: characters past U+00FF would make the PDF embed
# a second subset of the font, which costs as much time as the rest of the PDF.
FOOTNOTES = {
    "reported": ("\u00b9", "\u00b9 Entered from the reported risk ratio and 95% CI (generic inverse "
                              "variance); counts the report does not give are shown as -."),
    "counts_corrected": ("\u00b2", "\u00b2 A zero cell: 0.5 added to every cell of the study's 2x2 table."),
}
NO_POOLING_MESSAGE = "No study could be pooled (k = 0)"


COLUMNS = (
    Column("study", ("", "Study"), "left"),
    Column("ev_t", ("", "Events")),
    Column("n_t", ("", "Total")),
    Column("ev_c", ("", "Events")),
    Column("n_c", ("", "Total")),
    Column(table.PLOT, ("Risk ratio", "IV, random, 95% CI"), "center"),
    Column("weight", ("", "Weight")),
    Column("rr", ("", "RR [95% CI]")),
)
COLUMN_ORDER = tuple(c.key for c in COLUMNS)


@dataclass(frozen=True)
class Arms:
    """Arm headings and the texts under the axis."""

    treatment: str
    control: str
    favours_treatment: str
    favours_control: str


def arms(studies: list[dict], options: ForestOptions) -> Arms:
    """Arm names: the studies' shared agent / comparator, capitalised, else Treatment / Control."""
    def shared(key: str) -> str | None:
        values = {s.get(key) for s in studies}
        return values.pop() if len(values) == 1 and None not in values else None

    agent, comparator = shared("agent"), shared("comparator")
    treatment = options.treatment_label or (fmt.capitalised(agent) if agent else "Treatment")
    control = options.control_label or (fmt.capitalised(comparator) if comparator else "Control")
    return Arms(
        treatment=treatment,
        control=control,
        favours_treatment=options.favours_treatment
        or f"Favours {agent if agent and not options.treatment_label else _lower(treatment)}",
        favours_control=options.favours_control
        or f"Favours {comparator if comparator and not options.control_label else _lower(control)}",
    )


def _lower(name: str) -> str:
    return name.lower() if name in ("Treatment", "Control") else name


def fixed_fit(fits: dict, options: ForestOptions) -> tuple[str, dict | None]:
    """('mh' | 'iv', fit): the fixed-effect model asked for, inverse variance when `fits`
    (a result or one subgroup) lacks it; 'auto' prefers Mantel-Haenszel."""
    method = "mh" if options.fixed_method in ("auto", "mh") and fits.get("fixed_mh") else "iv"
    return method, fits.get(f"fixed_{method}")


def forest_table(result: dict, options: ForestOptions) -> table.Table:
    """The forest plot of `result` as a table: RevMan's columns, rows, arm headings, footers."""
    arm = arms(result.get("studies") or [], options)
    title = result.get("title") or result.get("analysis")
    return table.Table(
        title=str(title) if options.show_title and title else None,
        columns=COLUMNS, rows=tuple(forest_rows(result, options)),
        favours=(arm.favours_treatment, arm.favours_control),
        footers=tuple(footer_lines(result, options)),
        spans=((arm.treatment, "ev_t", "n_t"), (arm.control, "ev_c", "n_c")),
        axis=axes.from_limits(*options.xlim) if options.xlim is not None else None,
        drawn=result.get("random") is not None, max_label_width=options.max_label_width,
        style=table.FOREST)


def forest_rows(result: dict, options: ForestOptions) -> list[Row]:
    """All table rows in drawing order: groups with their studies and subtotals, then totals."""
    studies = result.get("studies") or []
    rows: list[Row] = []
    subgroups = result.get("subgroups")
    if subgroups:
        fits = {g["group"]: g for g in subgroups.get("groups") or []}
        for name in _group_order(subgroups, studies):
            members = [s for s in studies if s.get("group") == name]
            fit = fits.get(name) or {}
            rows.append(Row("group", {"study": fmt.capitalised(str(name))},
                            style="bold", span=True, set_off="gap"))
            rows.extend(study_row(s) for s in members)
            rows.extend(_pooled_rows("subtotal", "Subtotal", fit, members, options))
            rows.append(Row("group_heterogeneity",
                            {"study": fmt.heterogeneity(fit.get("random"))},
                            small=True, span=True, muted=True))
    else:
        rows.extend(study_row(s) for s in studies)
    if result.get("random") is None:
        rows.append(Row("message", {table.PLOT: NO_POOLING_MESSAGE}, style="bold"))
    elif options.overall:
        rows.extend(_pooled_rows("overall", "Total", result, studies, options))
        if options.prediction_interval:
            rows.extend(_prediction_rows(result["random"]))
    return rows


def _group_order(subgroups: dict, studies: list[dict]) -> list:
    """Groups as the engine lists them, then groups that only non-pooled studies belong to."""
    order = [g["group"] for g in subgroups.get("groups") or []]
    for s in studies:
        if s.get("group") not in order:
            order.append(s.get("group"))
    return order


def study_weight(study: dict) -> float | None:
    """Percent weight shown for a study: random-effects weight, else fixed-effect weight."""
    w = study.get("weight_random")
    return study.get("weight_fixed") if w is None else w


def study_row(study: dict) -> Row:
    """A study: label (+ footnote mark), counts, weight, RR [95% CI] and a weighted box."""
    status = study.get("status")
    mark = FOOTNOTES.get(status, ("", ""))[0]
    label = study.get("label") or str(study.get("study", ""))
    cells = {"study": label + mark}
    cells.update(zip(CELL_KEYS[1:5], (fmt.count(study.get(k)) for k in COUNT_KEYS)))
    rr = study.get("natural") or {}
    if status in POOLED and rr.get("est") is not None:
        weight = study_weight(study)
        cells["weight"] = fmt.percent(weight)
        cells["rr"] = fmt.ratio_ci(rr["est"], rr["ci_lb"], rr["ci_ub"])
        interval = Interval("box", "study", math.log(rr["est"]), math.log(rr["ci_lb"]),
                            math.log(rr["ci_ub"]), weight)
        return Row("study", cells, interval=interval)
    cells["weight"] = ""
    cells["rr"] = NOT_POOLED_TEXT.get(status, "not estimable")
    return Row("study", cells)


def _arm_totals(studies: list[dict]) -> dict[str, str]:
    """Summed counts per column when every pooled study has all four counts, else blanks.

    Sums run over all studies with four counts (double-zero studies included, as RevMan does).
    """
    pooled = [s for s in studies if s.get("status") in POOLED]
    complete = [s for s in studies if all(s.get(k) is not None for k in COUNT_KEYS)]
    if not pooled or any(s not in complete for s in pooled):
        return {key: "" for key in CELL_KEYS[1:5]}
    return {key: fmt.count(sum(s[k] for s in complete)) for key, k in zip(CELL_KEYS[1:5], COUNT_KEYS)}


def _pooled_rows(kind: str, name: str, fits: dict, studies: list[dict],
                 options: ForestOptions) -> list[Row]:
    """The random-effects row (and the fixed-effect one when asked) of a subgroup or the total;
    the first total row is set off from the rows above."""
    random = fits.get("random")
    fixed = fixed_fit(fits, options)[1]
    shown = [("random", random)] + ([("fixed", fixed)] if options.show_fixed else [])
    weight = sum(w for w in (study_weight(s) for s in studies if s.get("status") in POOLED)
                 if w is not None)
    rows = []
    for role, fit in shown:
        label = (f"{name} (95% CI)" if not options.show_fixed else
                 f"{name}, {'random effects' if role == 'random' else 'fixed effect'} (95% CI)")
        cells = {"study": label, **(_arm_totals(studies) if role == "random" else {})}
        cells["weight"] = fmt.percent(weight) if role == "random" and random else ""
        rr = (fit or {}).get("natural") or {}
        if rr.get("est") is None or rr.get("ci_lb") is None:
            cells["rr"] = "not estimable"
            rows.append(Row(kind, cells, style="bold", set_off=_set_off(kind, rows)))
            continue
        cells["rr"] = fmt.ratio_ci(rr["est"], rr["ci_lb"], rr["ci_ub"])
        interval = Interval("diamond", role, math.log(rr["est"]), math.log(rr["ci_lb"]),
                            math.log(rr["ci_ub"]), total=kind == "overall")
        rows.append(Row(kind, cells, style="bold", interval=interval, set_off=_set_off(kind, rows)))
    return rows


def _set_off(kind: str, rows_before: list[Row]) -> str | None:
    return "gap" if kind == "overall" and not rows_before else None


def _prediction_rows(random: dict) -> list[Row]:
    """The prediction-interval row, only when the result has one (k >= 3)."""
    rr = random.get("natural") or {}
    if rr.get("pi_lb") is None or rr.get("pi_ub") is None:
        return []
    cells = {"study": "Prediction interval", "rr": fmt.ratio_ci(None, rr["pi_lb"], rr["pi_ub"])}
    interval = Interval("bar", "prediction", None, math.log(rr["pi_lb"]), math.log(rr["pi_ub"]),
                        total=True)
    return [Row("prediction", cells, interval=interval)]


def _fixed_method_line(result: dict, options: ForestOptions) -> str:
    """'Fixed effect: Mantel-Haenszel', naming the subtotals' method when it differs."""
    groups = (result.get("subgroups") or {}).get("groups") or []
    total = fixed_fit(result, options)[0] if options.overall else None
    subtotals = {fixed_fit(g, options)[0] for g in groups}
    methods = ({total} if total else set()) | subtotals
    if len(methods) == 1:
        return f"Fixed effect: {fmt.FIXED_METHODS[methods.pop()]}"
    parts = [f"{fmt.FIXED_METHODS[total]} (total)"] if total else []
    parts += [f"{fmt.FIXED_METHODS[m]} (subtotals)" for m in sorted(subtotals)]
    return "Fixed effect: " + ", ".join(parts)


def footer_lines(result: dict, options: ForestOptions) -> list[str]:
    """Lines under the axis: heterogeneity, tests, method, footnotes, the engine's notes."""
    random = result.get("random")
    lines = []
    if random is not None and options.overall:
        lines.append(fmt.heterogeneity(random))
        effect = fmt.overall_effect(random)
        if effect:
            lines.append(effect)
    if result.get("subgroups"):
        test = fmt.subgroup_differences(result["subgroups"].get("test"))
        if test:
            lines.append(test)
    if random is not None:
        level = (result.get("settings") or {}).get("level", 95)
        lines.append(fmt.random_method(random, level)
                     + "; weights and box areas from the random-effects model")
        if options.show_fixed:
            lines.append(_fixed_method_line(result, options))
    statuses = {s.get("status") for s in result.get("studies") or []}
    lines.extend(text for status, (_, text) in FOOTNOTES.items() if status in statuses)
    lines.extend(result.get("notes") or [])
    return lines
