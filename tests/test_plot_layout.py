"""The forest plot's row model and layout, checked without rendering."""

import math

import pytest

from metapool.plotting import axis as axes
from metapool.plotting import wording as fmt
from metapool.plotting.forest_plot import build_layout
from metapool.plotting.options import ForestOptions
from metapool.plotting.forest_rows import COLUMN_ORDER, arms, footer_lines, forest_rows
from examples import example_result, synthetic_studies
from metapool.engine.pool import pool_studies


def fit(est, lo, hi, k=3, **extra):
    """A random-effects block of the JSON contract with the given RR and interval."""
    block = {"tau2_method": "REML", "ci_method": "hksj", "k": k, "est": math.log(est),
             "se": 0.1, "se_wald": 0.09, "stat": 1.23, "df": k - 1, "ci_lb": math.log(lo),
             "ci_ub": math.log(hi), "pval": 0.2345, "tau2": 0.0213, "tau2_ci_lb": 0.0,
             "tau2_ci_ub": 0.5, "I2": 32.4, "I2_ci_lb": 0.0, "I2_ci_ub": 90.0, "H2": 1.5,
             "Q": 5.871, "Qp": 0.2093, "pi_lb": None, "pi_ub": None,
             "natural": {"est": est, "ci_lb": lo, "ci_ub": hi, "pi_lb": None, "pi_ub": None}}
    block.update(extra)
    return block


def study(name, status, counts=(None, None, None, None), rr=None, w=None, **meta):
    """A study entry of the JSON contract; rr: its (est, ci_lb, ci_ub) risk ratio (people's scale),
    which a `reported` study also carries as its reported block."""
    ev_t, n_t, ev_c, n_c = counts
    natural = ({"est": rr[0], "ci_lb": rr[1], "ci_ub": rr[2]} if rr else
               {"est": None, "ci_lb": None, "ci_ub": None})
    entry = {"study": name, "label": f"{name} label", "status": status, "events_trt": ev_t,
             "total_trt": n_t, "events_ctl": ev_c, "total_ctl": n_c,
             "weight_random": w, "weight_fixed": w, "agent": "iloprost", "comparator": "placebo",
             "natural": natural, "group": None, "converted": None,
             "reported": ({"measure": "RR", **natural, "adjusted": False} if status == "reported" else None)}
    entry.update(meta)
    return entry


def hand_result(**overrides):
    """A pooled.json dict written by hand after docs/design.md (numbers chosen, not fitted)."""
    studies = [
        study("A", "counts", (10, 100, 20, 100), (0.5, 0.25, 1.0), 41.234),
        study("B", "reported", (48, None, 47, None), (1.08, 0.8, 1.5), 58.766),
        study("C", "not_estimable", (0, 12, 0, 11)),
        study("D", "no_data"),
    ]
    random = fit(0.8, 0.4, 1.6, k=2, pi_lb=None, pi_ub=None)
    result = {"measure": "RR", "measure_name": "Risk ratio", "log_scale": True, "k": 2, "k_total": 4,
              "settings": {"tau2_method": "REML", "ci_method": "hksj", "level": 95},
              "studies": studies, "random": random,
              "fixed_iv": {"k": 2, "Q": 5.871, "Qp": 0.2093, "I2": 32.4,
                           "natural": {"est": 0.85, "ci_lb": 0.6, "ci_ub": 1.2}},
              "fixed_mh": None, "fixed_peto": None, "subgroups": None, "notes": ["A note from the engine."],
              "analysis": "hand", "title": "Hand-made result"}
    result.update(overrides)
    return result


# hand_result pools k = 2 trials, where the fixed-effect diamond is drawn beside the random-effects
# one by default (ForestOptions.fixed_when_few; test_few_trials_add_the_fixed_effect_diamond): the
# tests of everything else draw the random-effects model alone.
ONE_MODEL = ForestOptions(fixed_when_few=None)


def kinds(rows):
    return [r.kind for r in rows]


def test_rows_in_order_with_every_cell():
    rows = forest_rows(hand_result(), ONE_MODEL)
    assert kinds(rows) == ["study"] * 4 + ["overall"]
    a, b, c, d, total = rows
    assert a.cells == {"study": "A label", "ev_t": "10", "n_t": "100", "ev_c": "20", "n_c": "100",
                       "weight": "41.2%", "effect": "0.50 [0.25, 1.00]"}
    assert b.cells == {"study": "B label\u00b9", "ev_t": "48", "n_t": "-", "ev_c": "47", "n_c": "-",
                       "weight": "58.8%", "effect": "1.08 [0.80, 1.50]"}
    assert c.cells["effect"] == "not estimable" and c.interval is None and c.cells["weight"] == ""
    assert (c.cells["ev_t"], c.cells["n_c"]) == ("0", "11")
    assert d.cells["effect"] == "no usable data" and d.interval is None
    assert [d.cells[k] for k in ("ev_t", "n_t", "ev_c", "n_c")] == ["-"] * 4
    # totals are blank: B is pooled without arm totals
    assert total.cells == {"study": "Total (95% CI)", "ev_t": "", "n_t": "", "ev_c": "", "n_c": "",
                           "weight": "100.0%", "effect": "0.80 [0.40, 1.60]"}
    assert total.style == "bold"
    assert a.interval.kind == "box" and a.interval.weight == 41.234
    assert a.interval.est == pytest.approx(math.log(0.5))
    assert (a.interval.lo, a.interval.hi) == pytest.approx((math.log(0.25), 0.0))
    assert total.interval.kind == "diamond" and total.interval.total


def test_totals_summed_when_every_pooled_study_has_counts():
    result = hand_result()
    result["studies"][1] = study("B", "counts", (5, 50, 6, 60), (1.2, 0.4, 3.6), 58.766)
    total = forest_rows(result, ONE_MODEL)[-1]
    # C (double zero, counts known) is summed too, as RevMan does; D (no data) is not
    assert [total.cells[k] for k in ("ev_t", "n_t", "ev_c", "n_c")] == ["15", "162", "26", "171"]


def test_prediction_row_only_when_the_result_has_one():
    result = hand_result(random=fit(0.8, 0.4, 1.6, pi_lb=-1.2, pi_ub=0.9))
    result["random"]["natural"].update(pi_lb=0.3, pi_ub=2.46)
    rows = forest_rows(result, ONE_MODEL)
    assert kinds(rows)[-2:] == ["overall", "prediction"]
    assert rows[-1].cells == {"study": "Prediction interval", "effect": "[0.30, 2.46]"}
    assert rows[-1].interval.kind == "bar"
    assert kinds(forest_rows(result, ForestOptions(prediction_interval=False)))[-1] == "overall"
    assert "prediction" not in kinds(forest_rows(hand_result(), ONE_MODEL))


def test_fixed_effect_row_uses_mantel_haenszel_when_available():
    mh = {"k": 2, "natural": {"est": 0.9, "ci_lb": 0.7, "ci_ub": 1.1}}
    rows = forest_rows(hand_result(fixed_mh=mh), ForestOptions(show_fixed=True))
    random_row, fixed_row = rows[-2:]
    assert random_row.cells["study"] == "Total, random effects (95% CI)"
    assert fixed_row.cells["study"] == "Total, fixed effect (95% CI)"
    assert fixed_row.cells["effect"] == "0.90 [0.70, 1.10]" and fixed_row.interval.role == "fixed"
    assert "Fixed effect: Mantel-Haenszel" in footer_lines(hand_result(fixed_mh=mh),
                                                           ForestOptions(show_fixed=True))
    iv = forest_rows(hand_result(), ForestOptions(show_fixed=True))[-1]
    assert iv.cells["effect"] == "0.85 [0.60, 1.20]"
    iv_asked = forest_rows(hand_result(fixed_mh=mh), ForestOptions(show_fixed=True, fixed_method="iv"))
    assert iv_asked[-1].cells["effect"] == "0.85 [0.60, 1.20]"


def test_few_trials_add_the_fixed_effect_diamond():
    """With 2 to fixed_when_few (default 4) trials the fixed-effect total is drawn beside the
    random-effects one, and a footer says why (Cochrane Handbook 10.10.4.3); not for k = 1 or
    more trials, nor when switched off."""
    rows = forest_rows(hand_result(), ForestOptions())
    random_row, fixed_row = rows[-2:]
    assert kinds(rows)[-2:] == ["overall", "overall"]
    assert random_row.cells["study"] == "Total, random effects (95% CI)"
    assert random_row.cells["effect"] == "0.80 [0.40, 1.60]" and random_row.cells["weight"] == "100.0%"
    assert fixed_row.cells["study"] == "Total, fixed effect (95% CI)"
    assert fixed_row.cells["effect"] == "0.85 [0.60, 1.20]" and fixed_row.interval.role == "fixed"
    lines = footer_lines(hand_result(), ForestOptions())
    assert "Fixed effect: inverse variance" in lines
    assert ("Few trials (k = 2): the random-effects CI is unreliable with so few trials, so the "
            "fixed-effect estimate is shown beside it (Cochrane Handbook 10.10.4.3)") in lines
    assert not any(l.startswith("Few trials") for l in footer_lines(hand_result(), ONE_MODEL))
    assert kinds(forest_rows(hand_result(k=5), ForestOptions()))[-1:] == ["overall"]
    assert kinds(forest_rows(hand_result(), ForestOptions(fixed_when_few=1)))[-2:] == ["study", "overall"]


def test_subgroups_have_headers_subtotals_and_heterogeneity():
    result = hand_result()
    for s, g in zip(result["studies"], ["beta", "alpha", "beta", "gamma"]):
        s["group"] = g
    result["subgroups"] = {
        "by": "agent_class",
        "groups": [{"group": "beta", "k": 1, "random": fit(0.5, 0.25, 1.0, k=1, Q=0.0, tau2=None, df=None),
                    "fixed_iv": None},
                   {"group": "alpha", "k": 2, "random": fit(1.08, 0.8, 1.5, k=2), "fixed_iv": None},
                   {"group": "gamma", "k": 0, "random": None, "fixed_iv": None}],
        "test": {"Q_between": 2.345, "df": 1, "p": 0.1257, "I2": 100 * 1.345 / 2.345}}
    rows = forest_rows(result, ONE_MODEL)
    # RevMan: per subgroup its heterogeneity and test for overall effect; an empty subgroup (gamma:
    # no study pooled) has its heading and study rows (with their reasons) but no subtotal
    assert kinds(rows) == ["group", "study", "study", "subtotal", "group_heterogeneity", "group_effect",
                           "group", "study", "subtotal", "group_heterogeneity", "group_effect",
                           "group", "study", "overall"]
    assert [r.cells["study"] for r in rows if r.kind == "group"] == ["Beta", "Alpha", "Gamma"]
    beta_total = rows[3]
    assert beta_total.cells["effect"] == "0.50 [0.25, 1.00]"
    assert [beta_total.cells[k] for k in ("ev_t", "n_t", "ev_c", "n_c")] == ["10", "112", "20", "111"]
    assert beta_total.cells["weight"] == "41.2%"
    assert rows[4].cells["study"] == "Heterogeneity: not applicable"
    assert rows[5].cells["study"] == "Test for overall effect: Z = 1.23, P = 0.23"  # one trial: Wald z
    assert rows[9].cells["study"] == ("Heterogeneity: Tau\u00b2 = 0.0213; Q = 5.87, df = 1 (P = 0.21); "
                                      "I\u00b2 = 32%")
    lines = footer_lines(result, ONE_MODEL)
    # I^2 for subgroup differences: (Q - df) / Q = (2.345 - 1) / 2.345 = 57% (Borenstein & Higgins 2013)
    assert "Test for subgroup differences: Q = 2.35, df = 1 (P = 0.13), I\u00b2 = 57%" in lines
    apart = {**result, "pool_subgroups": False}
    assert "overall" not in kinds(forest_rows(apart, ONE_MODEL))
    lines = footer_lines(apart, ONE_MODEL)
    assert lines[0].startswith("No total: the analysis plan keeps the subgroups (by agent class) apart")
    assert not any(l.startswith("Test for overall") or l.startswith("Heterogeneity") for l in lines)


def test_footer_lines():
    lines = footer_lines(hand_result(), ONE_MODEL)
    assert lines == [
        "Heterogeneity: Tau\u00b2 = 0.0213; Q = 5.87, df = 1 (P = 0.21); I\u00b2 = 32%",
        "Test for overall effect: t = 1.23 (df = 1), P = 0.23",
        "Random effects, REML; 95% CI by Hartung-Knapp-Sidik-Jonkman; weights and box areas "
        "from the random-effects model",
        "Risk of bias: not assessed",
        rowsmod_footnote(hand_result()["studies"][1]),
        "A note from the engine.",
    ]
    z = hand_result(random=fit(0.8, 0.4, 1.6, df=None, tau2_method="DL", ci_method="z"))
    assert footer_lines(z, ONE_MODEL)[1] == "Test for overall effect: Z = 1.23, P = 0.23"
    assert footer_lines(z, ONE_MODEL)[2].startswith("Random effects, DerSimonian-Laird; 95% CI by Wald z")


def rowsmod_footnote(entry):
    """The footer line of the first footnote, for the study entry `entry` of an RR analysis."""
    from metapool.measures import registry
    from metapool.plotting.forest_rows import study_notes
    note = study_notes(entry, registry.get("RR"), arms([entry], ForestOptions()))[0]
    assert note.startswith("Entered from the reported risk ratio and 95% CI (generic inverse variance)")
    return f"\u00b9 {note}"


@pytest.mark.parametrize("code, name", [("REML", "REML"), ("DL", "DerSimonian-Laird"),
                                        ("PM", "Paule-Mandel"), ("ML", "maximum likelihood"),
                                        ("SJ", "Sidik-Jonkman"), ("HE", "Hedges"),
                                        ("EB", "empirical Bayes")])
def test_method_names(code, name):
    assert fmt.random_method({"k": 3, "tau2_method": code, "ci_method": "hksj"}) == \
        f"Random effects, {name}; 95% CI by Hartung-Knapp-Sidik-Jonkman"


def test_number_formats():
    assert [fmt.ratio(x) for x in (1.0751, 0.0075, 0.0004, 241.3, 99.994)] == \
        ["1.08", "0.0075", "<0.001", "241", "99.99"]
    assert [fmt.p_value(p) for p in (0.2093, 0.0042, 0.0002, None)] == \
        ["P = 0.21", "P = 0.004", "P < 0.001", "P = NA"]
    assert [fmt.tau2(x) for x in (0.0, 0.00002, 0.12345)] == \
        ["Tau\u00b2 = 0", "Tau\u00b2 < 0.0001", "Tau\u00b2 = 0.1235"]
    # one rounding path (metapool.rounding): half away from zero, floating noise below 1e-7 ignored
    assert fmt.percent(41.25) == "41.3%" and fmt.count(None) == "-"
    assert fmt.difference(1.995) == fmt.difference(1.99499999018) == "2.00"
    assert fmt.difference(-0.495) == fmt.difference(-0.49499999018) == "-0.50"


def test_arm_names_from_data_or_options():
    studies = hand_result()["studies"]
    a = arms(studies, ForestOptions())
    assert (a.treatment, a.control) == ("Iloprost", "Placebo")
    assert (a.favours_treatment, a.favours_control) == ("Favours iloprost", "Favours placebo")
    mixed = [dict(s, agent=agent) for s, agent in zip(studies, ["iloprost", "vasopressin"] * 2)]
    a = arms(mixed, ForestOptions())
    assert (a.treatment, a.control, a.favours_treatment) == ("Treatment", "Placebo", "Favours treatment")
    a = arms(mixed, ForestOptions(treatment_label="Vasoactive drug", favours_control="Favours usual care"))
    assert (a.treatment, a.favours_treatment, a.favours_control) == \
        ("Vasoactive drug", "Favours Vasoactive drug", "Favours usual care")


def test_options_reject_unknown_keys():
    with pytest.raises(ValueError, match="unknown forest option"):
        ForestOptions.coerce({"show_fixd": True})
    assert ForestOptions.coerce({"xlim": [0.1, 10]}).xlim == (0.1, 10)


def test_axis_range_from_the_data():
    assert axes.choose([math.log(0.8), math.log(1.6)], []).hi == pytest.approx(math.log(2))
    wide = axes.choose([0.1], [math.log(0.001), math.log(3)])  # study CI capped at 10-fold
    assert (math.exp(wide.lo), math.exp(wide.hi)) == pytest.approx((0.1, 10))
    assert [lab for _, lab in wide.ticks] == ["0.1", "0.2", "0.5", "1", "2", "5", "10"]
    assert math.exp(axes.choose([math.log(30)], []).hi) == pytest.approx(50)
    assert math.exp(axes.choose([math.log(1e4)], []).hi) == pytest.approx(100)
    user = axes.from_limits(0.25, 4)
    assert [lab for _, lab in user.ticks] == ["0.5", "1", "2"]
    c = axes.clip(wide, math.log(0.5), math.log(0.001), math.log(3))
    assert c.arrow_lo and not c.arrow_hi and c.lo == wide.lo and c.est_inside


def test_markers_clipped_with_arrows_and_boxes_sized_by_weight():
    result = hand_result()
    result["studies"][0]["natural"] = {"est": 0.5, "ci_lb": 0.001, "ci_ub": 1.0}
    layout = build_layout(result, {})
    a, b = layout.rows[0].marker, layout.rows[1].marker
    assert a.arrow_lo and not a.arrow_hi and a.lo == layout.plot.axis.lo
    assert math.exp(layout.plot.axis.hi) == pytest.approx(10)
    assert b.size == 1.0 and a.size == pytest.approx(math.sqrt(41.234 / 58.766))
    assert layout.rows[-1].marker.kind == "diamond" and layout.rows[-1].marker.size == 1.0


def test_columns_measured_and_disjoint():
    layout = build_layout(example_result(25, subgroups=True, long_name=True), {})
    cols = layout.columns
    assert [c.key for c in cols] == ["study", "time"] + list(COLUMN_ORDER)[1:]
    for left, right in zip(cols, cols[1:]):
        assert left.left + left.width + layout.style.gap - 1e-9 <= right.left
    assert layout.width == pytest.approx(cols[-1].left + cols[-1].width + 12.0)
    long_row = next(r for r in layout.rows if r.kind == "study" and "\n" in r.cells["study"])
    assert long_row.height > layout.rows[-1].height


def test_height_grows_with_rows():
    heights = [build_layout(example_result(k, awkward=False), {}).height for k in (1, 6, 25, 60)]
    assert heights == sorted(heights) and heights[-1] > 3 * heights[1]


def test_nothing_pooled_says_so():
    result = {**pool_studies(synthetic_studies(5)[3:5]), "title": "k = 0"}
    layout = build_layout(result, {})
    assert kinds(layout.rows) == ["study", "study", "message"]
    assert {k: v.replace("\n", " ") for k, v in layout.rows[-1].cells.items()} == {
        "plot": "No study could be pooled (k = 0)"}
    assert not layout.plot.drawn and layout.axis_labels == ()


def test_engine_output_weights_and_statuses():
    result = example_result(6)
    rows = forest_rows(result, ForestOptions())
    statuses = [s["status"] for s in result["studies"]]
    assert statuses == ["counts", "reported", "counts_corrected", "not_estimable", "no_data", "counts"]
    weights = [float(r.cells["weight"].rstrip("%")) for r in rows if r.kind == "study" and r.cells["weight"]]
    assert sum(weights) == pytest.approx(100, abs=0.15)
    assert rows[2].cells["study"].endswith("\u00b2")


def test_conversion_footnote_names_what_the_median_came_with():
    """The engine's converted block gives its scenario as a number (measures.medians.SCENARIOS):
    the footnote says what the mean and SD were converted from, not the number."""
    from metapool.measures.medians import convert_arm
    from metapool.measures import registry
    from metapool.plotting.forest_rows import study_notes

    arm = convert_arm(60, 12.0, q1=8.0, q3=17.0).__dict__
    entry = {"status": "medians", "converted": {"trt": arm, "ctl": arm}}
    (note,) = study_notes(entry, registry.get("MD"), arms([entry], ForestOptions()))
    assert note == ("Mean and SD converted from the median (q1, median, q3; mean: Luo et al. 2018; SD: "
                    "Wan et al. 2014) in both arms.")
