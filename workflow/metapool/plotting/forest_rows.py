"""The content of a forest plot: what each row says and where its marker goes.

`forest_table` reads a pooled result (docs/design.md contract) and returns a table.Table:
RevMan's columns for the measure's kind of data (events / total per arm for binary measures,
mean (SD) / total per arm for continuous ones, none for a generic measure), the rows in drawing
order (`forest_rows`) with every text cell formatted and every interval on the analysis scale
(ln for ratio measures), the arm headings, favours texts and footers. No geometry (widths,
positions) here: table.layout places it.

The measure's name, scale and fixed-effect methods come from metapool.measures.registry
(effects.py); a study's or block's people's-scale numbers from its `natural` block (pooled.json
v2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metapool.engine.subgroups import pooled_across
from metapool.measures import datakinds
from metapool.measures.text import nothing_to_pool as nothing_to_pool_sentence, timepoint_text
from metapool.plotting import axis as axes
from metapool.plotting import effects
from metapool.plotting import marks
from metapool.plotting import table
from metapool.plotting import wording as fmt
from metapool.plotting.effects import POOLED
from metapool.plotting.options import ForestOptions
from metapool.plotting.table import Column, Interval, Row

NOT_POOLED_TEXT = {"not_estimable": "not estimable", "no_data": "no usable data",
                   "skewed": "skewed, not pooled", "other_measure": "other measure",
                   "adjusted_excluded": "adjusted, excluded"}
NO_POOLING_MESSAGE = "No study could be pooled (k = 0)"
SECONDARY_MARK = "\u2020"  # dagger, after the label of a row read from another review's table
SECONDARY_NOTE = f"{SECONDARY_MARK} counts from a published meta-analysis' table (secondary source)"
FACTORIAL = re.compile(r"\[factorial:\s*([^\[\]]*)\]")
TIME_HEADER = ("Time", "point")
# Footnote marks: superscript digits, all in pdf_fonts.BASE_TEXT (the fixed PDF font subset).
SUPERSCRIPTS = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
# Risk of bias (RoB 2): the domains of a study's `rob` block, their column headings and names
ROB_DOMAINS = (("d1", "D1", "randomisation process"),
               ("d2", "D2", "deviations from intended interventions"),
               ("d3", "D3", "missing outcome data"),
               ("d4", "D4", "measurement of the outcome"),
               ("d5", "D5", "selection of the reported result"),
               ("overall", "Overall", "overall risk of bias"))
ROB_HEADING = "Risk of bias"
ROB_LEGEND = (("low", "Low risk"), ("some concerns", "Some concerns"), ("high", "High risk"),
              (None, "Not assessed"))
ROB_NOT_ASSESSED = "Risk of bias: not assessed"
ROB_PAD = 8.0  # the risk-of-bias columns are set apart from the effect column


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


def fixed_fit(fits: dict, options: ForestOptions, measure=None) -> tuple[str, dict | None]:
    """(method, fit): the fixed-effect model asked for, inverse variance when `fits` (a result
    or one subgroup) lacks it; 'auto' prefers the measure's own method (Mantel-Haenszel, Peto)."""
    measure = measure or effects.measure({})
    for method in measure.fixed:
        if options.fixed_method in ("auto", method) and fits.get(f"fixed_{method}"):
            return method, fits[f"fixed_{method}"]
    return "iv", fits.get("fixed_iv")


def columns(measure, level: float = 95, time: bool = False) -> tuple[Column, ...]:
    """RevMan's columns for `measure`: study, its time point (``time``: the studies carry one),
    arm data, the plot, weight, effect [CI]."""
    arm_cols = tuple(Column(c.key, ("", c.header)) for c in datakinds.forest_cells(measure))
    heading = fmt.effect_heading(effects.primary_method(measure), level)
    time_col = (Column("time", TIME_HEADER, "left"),) if time else ()
    return ((Column("study", ("", "Study"), "left"),) + time_col + arm_cols
            + (Column(table.PLOT, (measure.name, heading), "center"),
               Column("weight", ("", "Weight")),
               Column("effect", ("", f"{measure.short} [{level:g}% CI]"))))


def column_order(measure=None) -> tuple[str, ...]:
    return tuple(c.key for c in columns(measure or effects.measure({})))


COLUMN_ORDER = column_order()


class Forest:
    """What every row of one forest plot needs: the result, its measure, model, arms, notes."""

    def __init__(self, result: dict, options: ForestOptions):
        self.result = result
        self.options = options
        self.measure = effects.measure(result)
        self.cells = datakinds.forest_cells(self.measure)
        self.level = (result.get("settings") or {}).get("level", 95)
        self.studies = result.get("studies") or []
        self.across = pooled_across(result)
        self.timepoints = any("timepoint_days" in s for s in self.studies)  # workflow results carry it
        self.arms = arms(self.studies, options)
        self.notes: list[str] = []  # footnote texts in order of first use
        self.marks = [self._mark(s) for s in self.studies]

    def _mark(self, study: dict) -> str:
        marks = []
        dagger = SECONDARY_MARK if secondary(study) else ""
        for note in study_notes(study, self.measure, self.arms, self.level) + population_notes(study):
            if note not in self.notes:
                self.notes.append(note)
            marks.append(str(self.notes.index(note) + 1).translate(SUPERSCRIPTS))
        return dagger + ",".join(marks)

    @property
    def few(self) -> bool:
        """k of 2 up to options.fixed_when_few: the fixed-effect diamond is drawn beside the
        random-effects one, with a footer saying why (Cochrane Handbook 10.10.4.3)."""
        k = self.result.get("k") or 0
        return self.options.fixed_when_few is not None and 2 <= k <= self.options.fixed_when_few

    @property
    def show_fixed(self) -> bool:
        return (self.options.show_fixed or self.few) and effects.primary_method(self.measure) is None

    @property
    def rob(self) -> bool:
        """Risk-of-bias columns are drawn: asked for, and at least one study assessed."""
        return self.options.show_rob and any(s.get("rob") for s in self.studies)

    def primary(self, fits: dict) -> dict | None:
        """The model drawn as 'the' estimate of `fits`: random effects, or the measure's
        fixed-effect method when that is its only model (Peto)."""
        return effects.primary_fit(fits, self.measure)


def forest_table(result: dict, options: ForestOptions) -> table.Table:
    """The forest plot of `result` as a table: RevMan's columns, rows, arm headings, footers."""
    f = Forest(result, options)
    title = result.get("title") or result.get("analysis")
    keys = [c.key for c in f.cells]
    half = len(keys) // 2
    spans = (((f.arms.treatment, keys[0], keys[half - 1]), (f.arms.control, keys[half], keys[-1]))
             if keys else ())
    cols = columns(f.measure, f.level, f.timepoints)
    if f.rob:
        cols += tuple(Column(key, ("", heading), "center", min_width=2 * marks.ROB_RADIUS + 2.0,
                             pad_before=ROB_PAD if key == ROB_DOMAINS[0][0] else 0.0)
                      for key, heading, _ in ROB_DOMAINS)
        spans += ((ROB_HEADING, ROB_DOMAINS[0][0], ROB_DOMAINS[-1][0]),)
    return table.Table(
        title=str(title) if options.show_title and title else None,
        columns=cols, rows=tuple(_rows(f)),
        favours=(f.arms.favours_treatment, f.arms.favours_control),
        footers=tuple(_footer_lines(f)), spans=spans,
        axis=(axes.from_limits(*options.xlim, log_scale=f.measure.log_scale)
              if options.xlim is not None else None),
        drawn=f.primary(result) is not None or (not f.across and bool(result.get("k"))),
        max_label_width=options.max_label_width,
        log_scale=f.measure.log_scale, axis_limit=effects.axis_limit(f.measure),
        legend=ROB_LEGEND if f.rob else (), legend_title=f"{ROB_HEADING}:" if f.rob else "",
        style=table.FOREST)


def forest_rows(result: dict, options: ForestOptions) -> list[Row]:
    """All table rows in drawing order: groups with their studies and subtotals, then totals."""
    return _rows(Forest(result, options))


def footer_lines(result: dict, options: ForestOptions) -> list[str]:
    """Lines under the axis: heterogeneity, tests, method, footnotes, the engine's notes."""
    return _footer_lines(Forest(result, options))


def _rows(f: Forest) -> list[Row]:
    rows: list[Row] = []
    subgroups = f.result.get("subgroups")
    marks = {id(s): m for s, m in zip(f.studies, f.marks)}
    if subgroups:
        fits = {g["group"]: g for g in subgroups.get("groups") or []}
        for name in _group_order(subgroups, f.studies):
            members = [s for s in f.studies if s.get("group") == name]
            fit = fits.get(name) or {}
            rows.append(Row("group", {"study": fmt.capitalised(str(name))},
                            style="bold", span=True, set_off="gap"))
            rows.extend(_study_row(f, s, marks[id(s)]) for s in members)
            if f.primary(fit) is None:  # an empty subgroup: its rows say why, no subtotal
                continue
            rows.extend(_pooled_rows(f, "subtotal", "Subtotal", fit, members))
            rows.extend(Row(kind, {"study": line}, small=True, span=True, muted=True)
                        for kind, line in (("group_heterogeneity", fmt.heterogeneity(f.primary(fit))),
                                           ("group_effect", fmt.overall_effect(f.primary(fit)))) if line)
    else:
        rows.extend(_study_row(f, s, m) for s, m in zip(f.studies, f.marks))
    primary = f.primary(f.result)
    if not f.across:
        pass  # kept apart by subgroup: no total (a footer says why)
    elif primary is None:
        rows.append(Row("message", {table.PLOT: _no_estimate_message(f)}, style="bold"))
    else:
        rows.extend(_pooled_rows(f, "overall", "Total", f.result, f.studies))
        if f.options.prediction_interval:
            rows.extend(_prediction_rows(f, primary))
        rows.extend(_bayes_rows(f))
    return rows


def _shown_bayes(f: Forest) -> dict | None:
    """The Bayesian block when the forest plot shows it (pooled.json bayes.shown: k in range)."""
    b = f.result.get("bayes")
    return b if b and b.get("shown") and f.across else None


def bayes_label(b: dict) -> str:
    """'Bayesian random effects (half-normal(0.5) prior on tau)'."""
    p = b["prior"]
    return f"Bayesian random effects ({p['family']}({p['scale']:g}) prior on tau)"


def _bayes_rows(f: Forest) -> list[Row]:
    """The Bayesian posterior median with its 95% credible interval (diamond) and the 95%
    predictive interval of a new trial's effect (bar), engine.bayes."""
    b = _shown_bayes(f)
    if b is None:
        return []
    m, n = f.measure, b["natural"]
    rows = [Row("bayes", {"study": f"{bayes_label(b)}, 95% CrI",
                          "effect": fmt.effect_ci(n["mu_median"], n["mu_lb"], n["mu_ub"], m.log_scale)},
                style="bold", interval=Interval("diamond", "bayes", b["mu_median"], b["mu_lb"], b["mu_ub"],
                                                total=True))]
    if f.options.prediction_interval:
        rows.append(Row("bayes_prediction", {"study": "Bayesian prediction interval (a new trial)",
                                             "effect": fmt.effect_ci(None, n["pred_lb"], n["pred_ub"], m.log_scale)},
                        interval=Interval("bar", "bayes", None, b["pred_lb"], b["pred_ub"], total=False)))
    return rows


def _probability(p: float) -> str:
    return "<0.001" if p < 0.001 else (">0.999" if p > 0.999 else f"{p:.3f}".rstrip("0").rstrip("."))


def _bayes_lines(f: Forest) -> list[str]:
    """The prior, the posterior of tau, the prior-sensitivity result, P(effect < null) and the
    probabilities beyond the minimal important differences."""
    b = _shown_bayes(f)
    if b is None:
        return []
    m, short = f.measure, f.measure.short
    null = f"{m.null:g}"
    p = b["prior"]
    lines = [f"Bayesian random effects: normal-normal model, uniform prior on the mean, {p['family']}({p['scale']:g}) "
             f"prior on tau, computed exactly by quadrature (Rover 2020); posterior median and 95% credible "
             f"interval (CrI); tau {b['tau_median']:.2f} (95% CrI {b['tau_lb']:.2f} to {b['tau_ub']:.2f})"]
    sens = b.get("sensitivity")
    if sens:
        sp, sn = sens["prior"], sens["natural"]
        lines.append(f"Prior sensitivity, {sp['family']}({sp['scale']:g}) prior on tau: {short} "
                     f"{fmt.effect_ci(sn['mu_median'], sn['mu_lb'], sn['mu_ub'], m.log_scale)}; "
                     f"P({short} < {null}) = {_probability(sens['p_mu_below_0'])}")
    probs = f"P({short} < {null}) = {_probability(b['p_mu_below_0'])}"
    mid = b.get("mid")
    if mid:
        lo, hi = (fmt.ratio(mid["lower"]), fmt.ratio(mid["upper"])) if m.log_scale else \
            (f"{mid['lower']:g}", f"{mid['upper']:g}")
        probs += (f"; P({short} < {lo}, the lower minimal important difference) = "
                  f"{_probability(mid['p_below_lower'])}; P({short} > {hi}) = {_probability(mid['p_above_upper'])}")
    else:
        probs += "; no minimal important difference is set for this analysis"
    return lines + [probs]


def nothing_to_pool(result: dict) -> tuple[str, str | None]:
    """(sentence, detail) of an analysis with no trial to pool: how many trials it selects, then
    each trial with its time point and the reason it does not enter (pooled.json study "reason")."""
    studies = result.get("studies") or []
    if not studies:
        return nothing_to_pool_sentence(0), None
    message = nothing_to_pool_sentence(len(studies))
    detail = "; ".join(f"{s.get('label') or s.get('study')}"
                       f"{f' ({timepoint_text(s)})' if 'timepoint_days' in s else ''}: "
                       f"{s.get('reason') or NOT_POOLED_TEXT.get(s.get('status'), 'not estimable')}"
                       for s in studies)
    return message, detail + "."


def _no_estimate_message(f: Forest) -> str:
    """Why there is no pooled estimate: no study could be pooled, or (k > 0) the measure's own
    fixed-effect method was not computed (Peto's method needs 2x2 counts from every study; the
    engine's note says which reason)."""
    k = f.result.get("k") or 0
    method = effects.primary_method(f.measure)
    if not k or method is None:
        return NO_POOLING_MESSAGE
    return f"No {fmt.FIXED_METHODS[method]} estimate (k = {k}): see the notes below"


def _group_order(subgroups: dict, studies: list[dict]) -> list:
    """Groups as the engine lists them, then groups that only non-pooled studies belong to."""
    order = [g["group"] for g in subgroups.get("groups") or []]
    for s in studies:
        if s.get("group") not in order:
            order.append(s.get("group"))
    return order


def study_weight(study: dict, measure=None) -> float | None:
    """Percent weight shown for a study: that of the model drawn (random effects, else fixed)."""
    first, second = (("weight_fixed", "weight_random") if measure is not None
                     and effects.primary_method(measure) else ("weight_random", "weight_fixed"))
    w = study.get(first)
    return study.get(second) if w is None else w


def _arm_number(cell, value) -> str:
    """A summed arm cell (measures.datakinds.ArmCell form `count` or `amount`) as written."""
    return (fmt.count if cell.form == "count" else fmt.number)(value)


def _arm_cells(f: Forest, study: dict) -> dict[str, str]:
    cells = {}
    for c in f.cells:
        if c.form == "mean_sd":
            cells[c.key] = fmt.mean_sd(*effects.arm_mean_sd(study, c.source))
        else:
            cells[c.key] = _arm_number(c, study.get(c.source))
    return cells


def _study_row(f: Forest, study: dict, mark: str) -> Row:
    status = study.get("status")
    m = f.measure
    label = study.get("label") or str(study.get("study", ""))
    cells = {"study": label + mark, **({"time": timepoint_text(study)} if f.timepoints else {}),
             **_arm_cells(f, study)}
    effect = effects.people(study)
    symbols = rob_symbols(study) if f.rob else None
    if status in POOLED and effect.get("est") is not None:
        weight = study_weight(study, m)
        cells["weight"] = fmt.percent(weight)
        cells["effect"] = fmt.effect_ci(effect["est"], effect["ci_lb"], effect["ci_ub"], m.log_scale)
        interval = Interval("box", "study", m.from_people(effect["est"]),
                            m.from_people(effect["ci_lb"]), m.from_people(effect["ci_ub"]), weight)
        return Row("study", cells, interval=interval, symbols=symbols)
    cells["weight"] = ""
    cells["effect"] = study.get("reason") or NOT_POOLED_TEXT.get(status, "not estimable")
    return Row("study", cells, symbols=symbols)


def rob_symbols(study: dict) -> dict[str, str | None]:
    """Column key -> RoB 2 judgement (marks.ROB_LEVELS; None: not assessed) of a study."""
    rob = study.get("rob") or {}
    return {key: marks.rob_level(rob.get(key)) for key, _, _ in ROB_DOMAINS}


def _arm_totals(f: Forest, studies: list[dict]) -> dict[str, str]:
    """Sums of the summed arm columns (measures.datakinds.ArmCell: binary events and totals,
    continuous totals, rate events and person-time) when every pooled study has them, else
    blanks. Sums run over all studies with the numbers (double-zero studies included, as RevMan does)."""
    summed = [c for c in f.cells if c.summed]
    blank = {c.key: "" for c in f.cells}
    sources = [c.source for c in summed]
    pooled = [s for s in studies if s.get("status") in POOLED]
    complete = [s for s in studies if sources and all(s.get(k) is not None for k in sources)]
    if not pooled or any(s not in complete for s in pooled):
        return blank
    return {**blank, **{c.key: _arm_number(c, sum(s[c.source] for s in complete)) for c in summed}}


def _pooled_rows(f: Forest, kind: str, name: str, fits: dict,
                 studies: list[dict]) -> list[Row]:
    """The primary model's row (and the fixed-effect one when asked) of a subgroup or the
    total; the first total row is set off from the rows above."""
    m = f.measure
    primary = f.primary(fits)
    show_fixed = f.show_fixed and (primary or {}).get("k", 0) >= 2  # one trial: the fixed row repeats it
    shown = [("random", primary)]  # colour role 'random': the primary model's (black) diamond
    if show_fixed:
        shown.append(("fixed", fixed_fit(fits, f.options, m)[1]))
    weight = sum(w for w in (study_weight(s, m) for s in studies if s.get("status") in POOLED)
                 if w is not None)
    rows = []
    for i, (role, fit) in enumerate(shown):
        label = (f"{name} (95% CI)" if not show_fixed else
                 f"{name}, {'random effects' if role == 'random' else 'fixed effect'} (95% CI)")
        cells = {"study": label, **(_arm_totals(f, studies) if i == 0 else {})}
        cells["weight"] = fmt.percent(weight) if i == 0 and primary else ""
        effect = effects.people(fit or {})
        if effect.get("est") is None or effect.get("ci_lb") is None:
            cells["effect"] = "not estimable"
            rows.append(Row(kind, cells, style="bold", set_off=_set_off(kind, rows)))
            continue
        cells["effect"] = fmt.effect_ci(effect["est"], effect["ci_lb"], effect["ci_ub"], m.log_scale)
        interval = Interval("diamond", role, m.from_people(effect["est"]),
                            m.from_people(effect["ci_lb"]), m.from_people(effect["ci_ub"]),
                            total=kind == "overall")
        rows.append(Row(kind, cells, style="bold", interval=interval, set_off=_set_off(kind, rows)))
    return rows


def _set_off(kind: str, rows_before: list[Row]) -> str | None:
    return "gap" if kind == "overall" and not rows_before else None


def _prediction_rows(f: Forest, fit: dict) -> list[Row]:
    """The prediction-interval row, only when the result has one (k >= 3)."""
    m = f.measure
    effect = effects.people(fit)
    if effect.get("pi_lb") is None or effect.get("pi_ub") is None:
        return []
    cells = {"study": "Prediction interval",
             "effect": fmt.effect_ci(None, effect["pi_lb"], effect["pi_ub"], m.log_scale)}
    interval = Interval("bar", "prediction", None, m.from_people(effect["pi_lb"]),
                        m.from_people(effect["pi_ub"]), total=True)
    return [Row("prediction", cells, interval=interval)]


def _fixed_method_line(f: Forest) -> str:
    """'Fixed effect: Mantel-Haenszel', naming the subtotals' method when it differs."""
    groups = (f.result.get("subgroups") or {}).get("groups") or []
    total = fixed_fit(f.result, f.options, f.measure)[0] if f.across else None
    subtotals = {fixed_fit(g, f.options, f.measure)[0] for g in groups}
    methods = ({total} if total else set()) | subtotals
    if len(methods) == 1:
        return f"Fixed effect: {fmt.FIXED_METHODS[methods.pop()]}"
    parts = [f"{fmt.FIXED_METHODS[total]} (total)"] if total else []
    parts += [f"{fmt.FIXED_METHODS[m]} (subtotals)" for m in sorted(subtotals)]
    return "Fixed effect: " + ", ".join(parts)


def _footer_lines(f: Forest) -> list[str]:
    primary = f.primary(f.result)
    method = effects.primary_method(f.measure)
    lines = [] if f.across else [not_pooled_line(f.result)]
    if primary is not None and f.across:
        lines.append(fmt.heterogeneity(primary))
        effect = fmt.overall_effect(primary)
        if effect:
            lines.append(effect)
    if f.result.get("subgroups"):
        test = fmt.subgroup_differences(f.result["subgroups"].get("test"))
        if test:
            lines.append(test)
    model = primary if f.across else _subgroup_model(f)
    if model is not None:
        if method is None:
            described = (fmt.random_method(model, f.level) if f.across or model.get("k", 0) > 1 else
                         f"One trial per subgroup: each subtotal is that trial's estimate and {f.level:g}% CI (Wald z)")
            lines.append(described + "; weights and box areas from the random-effects model")
            groups = [f.primary(g) for g in (f.result.get("subgroups") or {}).get("groups") or ()]
            fits = ([primary] if f.across else []) + groups
            if f.show_fixed and any((fit or {}).get("k", 0) >= 2 for fit in fits):  # a fixed-effect row is drawn
                lines.append(_fixed_method_line(f))
            if f.few and f.across:
                lines.append(f"Few trials (k = {f.result['k']}): the random-effects CI is unreliable with so few "
                             "trials, so the fixed-effect estimate is shown beside it (Cochrane Handbook 10.10.4.3)")
        else:
            lines.append(f"Fixed effect, {fmt.FIXED_METHODS[method]}; {f.level:g}% CI by Wald z; "
                         "weights and box areas from the fixed-effect model")
    lines.extend(_bayes_lines(f))
    conclusion = f.result.get("conclusion")
    if conclusion and primary is not None and f.across:
        lines.append(conclusion["sentence"].rstrip("."))
    if not f.across:  # each subgroup's own declared interval (engine.conclusion), as its SoF row states
        for g in (f.result.get("subgroups") or {}).get("groups") or []:
            if (g.get("conclusion") or {}).get("sentence"):
                said = g["conclusion"]["sentence"].rstrip(".")
                lines.append(f"{g['group'][:1].upper()}{g['group'][1:]}: {said[:1].lower()}{said[1:]}")
    lines.extend(_rob_lines(f))
    if any(secondary(s) for s in f.studies):
        lines.append(SECONDARY_NOTE)
    lines.extend(f"{str(i + 1).translate(SUPERSCRIPTS)} {note}" for i, note in enumerate(f.notes))
    lines.extend(note for note in f.result.get("notes") or () if not _said_in_rows(note, f))
    return lines


def _subgroup_model(f: Forest) -> dict | None:
    """The fit that names the method of a forest kept apart by subgroup: a subgroup with two or more
    trials (its random-effects method), else any subgroup's (one trial each)."""
    fits = [f.primary(g) for g in (f.result.get("subgroups") or {}).get("groups") or ()]
    fits = [fit for fit in fits if fit is not None]
    return next((fit for fit in fits if fit.get("k", 0) > 1), fits[0] if fits else None)


def not_pooled_line(result: dict) -> str:
    """Why a forest kept apart by subgroup has no total, and what its weights are."""
    by = str((result.get("subgroups") or {}).get("by") or "subgroup").replace("_", " ")
    return (f"No total: the analysis plan keeps the subgroups (by {by}) apart, so each has its own estimate; "
            "weights are percent of the subgroup.")


def _said_in_rows(note: str, f: Forest) -> bool:
    """An engine note the plot already says: a study's reason (its row) or the plan's (not_pooled_line)."""
    return (not f.across and note.startswith("Not pooled across subgroups")) or any(
        note == f"{s.get('study')}: not pooled ({s.get('reason')})." for s in f.studies if s.get("reason"))


def _rob_lines(f: Forest) -> list[str]:
    """The domain legend (or 'not assessed') and the restriction to low risk of bias."""
    if not f.options.show_rob:
        return []
    lines = []
    if f.rob:
        lines.append("Risk of bias (RoB 2): " + "; ".join(f"{heading} {name}" for _, heading, name
                                                          in ROB_DOMAINS[:-1])
                     + "; Overall judgement.")
    else:
        lines.append(ROB_NOT_ASSESSED)
    return lines + _restricted_lines(f)


def _restricted_lines(f: Forest) -> list[str]:
    """The restricted sensitivity analyses (engine.restrict): one line per computed one, one line
    listing those not computed with why."""
    lines, skipped = [], []
    blocks = [(None, b) for b in f.result.get("restricted") or ()]
    for g in (f.result.get("subgroups") or {}).get("groups") or () if not f.across else ():
        blocks += [(g["group"], b) for b in g.get("restricted") or ()]
    for group, b in blocks:
        if group and b.get("random") is None and _said_already(b, f):
            continue
        b = {**b, "label": f"{group}, {b['label']}" if group else b["label"]}
        random = b.get("random")
        if random is None:
            skipped.append(f"{b['label']} ({b['note']})")
            continue
        effect = random.get("natural") or {}
        estimate = (f"{f.measure.short} " + fmt.effect_ci(effect["est"], effect["ci_lb"], effect["ci_ub"],
                                                         f.measure.log_scale)
                    if effect.get("est") is not None and effect.get("ci_lb") is not None else "not estimable")
        lines.append(f"Sensitivity, {b['label']}: {estimate} (k = {random['k']}; leaves out "
                     f"{', '.join(b['excluded'])}).")
    if skipped:
        lines.append("Sensitivity analyses not computed: " + "; ".join(skipped) + ".")
    return lines


def _said_already(b: dict, f: Forest) -> bool:
    """A subgroup's restriction not computed for a reason the figure already gives: it would keep
    every trial (the subgroup's own estimate), or risk of bias is not assessed (a footer says so)."""
    note = str(b.get("note") or "")
    return "the same as the main analysis" in note or ("not assessed" in note and not f.rob)


def _arms_phrase(which: list[str], a: Arms) -> str:
    if len(which) == 2:
        return "both arms"
    return f"the {a.treatment if which == ['trt'] else a.control} arm"


def secondary(study: dict) -> bool:
    """The row's numbers were read from another review's table (trial-table `source_kind`)."""
    return study.get("source_kind") == "secondary"


def design_notes(study: dict) -> list[str]:
    """How a multi-arm trial's arms enter (pipeline.multiarm `multi_arm` note) and how a factorial
    trial's arms were collapsed (the `[factorial: ...]` note of its quote)."""
    notes = [f"Multi-arm trial: {study['multi_arm']['note']}"] if study.get("multi_arm") else []
    notes += [f"Factorial trial: {m.strip()}" for m in FACTORIAL.findall(study.get("quote") or "")]
    return notes


def study_notes(study: dict, measure, a: Arms, level: float = 95) -> list[str]:
    """The footnotes a study's row carries (its status, reported and converted blocks, its design)."""
    status = study.get("status")
    reported = study.get("reported") or {}
    notes = []
    if status == "reported":
        name = effects.measure_name(reported.get("measure") or measure.code)
        data = {"binary": "; counts the report does not give are shown as -",
                "continuous": "; means, SDs and totals the report does not give are shown as -",
                "rate": "; events and person-time the report does not give are shown as -"}
        notes.append(f"Entered from the reported {fmt.in_sentence(name)} and {level:g}% CI (generic "
                     f"inverse variance){data.get(measure.kind, '')}.")
    elif status in datakinds.NOTES:
        notes.append(datakinds.NOTES[status])
    elif status == "other_measure":
        name = effects.measure_name(reported.get("measure"))
        given = _reported_text(reported)
        notes.append(f"Only {_article(name)} {fmt.in_sentence(name)} is reported{given}: it cannot enter "
                     f"{_article(measure.name)} {fmt.in_sentence(measure.name)} analysis; not pooled.")
    elif status == "adjusted_excluded":
        notes.append(f"Only an adjusted estimate is reported{_reported_text(reported)}; this "
                     "analysis excludes adjusted estimates: not pooled.")
    if status == "reported" and reported.get("adjusted"):
        notes.append("The reported estimate is adjusted (as the trial reports it), not crude.")
    converted = study.get("converted") or {}
    arms_done = [arm for arm in ("trt", "ctl") if converted.get(arm)
                 and not converted[arm].get("skewed")]
    skewed = [arm for arm in ("trt", "ctl") if (converted.get(arm) or {}).get("skewed")]
    if status == "medians" or (arms_done and status != "skewed"):
        methods = sorted({f"{_scenario(converted[arm].get('scenario'))}; "
                          f"{converted[arm].get('method', 'conversion')}" for arm in arms_done})
        if arms_done:
            notes.append(f"Mean and SD converted from the median ({' / '.join(methods)}) in "
                         f"{_arms_phrase(arms_done, a)}.")
    if status == "skewed" or skewed:
        which = skewed or ["trt", "ctl"]
        notes.append(f"Median-reported data skewed in {_arms_phrase(which, a)} (skewness test): "
                     "not converted to mean and SD, not pooled.")
    return notes + design_notes(study)


def population_notes(study: dict) -> list[str]:
    """A study's population when it is not septic shock only (its trial table's `population`), and
    why it enters instead of its own subgroup or whole trial (pipeline.analyses.one_population)."""
    notes = []
    if study.get("septic_shock_only") == "no" and study.get("population"):
        notes.append(f"Population: {study['population']}.")
    if study.get("population_note"):
        notes.append(study["population_note"])
    return notes


def _scenario(scenario) -> str:
    """What a conversion started from: the engine's scenario number (measures.medians.SCENARIOS:
    1 minimum, median, maximum; 2 q1, median, q3; 3 all five), or a text as given."""
    from metapool.measures.medians import SCENARIOS

    if scenario is None:
        return "median"
    return SCENARIOS.get(scenario, str(scenario)) if isinstance(scenario, int) else str(scenario)


def _article(name: str) -> str:
    return "an" if name[:1].lower() in "aeiou" else "a"


def _reported_text(reported: dict) -> str:
    if reported.get("est") is None:
        return ""
    m = effects.registry_get(reported.get("measure"))
    log_scale = m.log_scale if m else True
    short = m.short if m else str(reported.get("measure") or "")
    return (f" ({short} {fmt.effect_ci(reported['est'], reported.get('ci_lb'), reported.get('ci_ub'), log_scale)})")
