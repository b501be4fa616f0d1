"""Figures for every effect measure (pooled.json v2, docs/design.md): axis, columns, cells,
footnotes, living-review figures and the summary forest plot, on synthetic results."""

import math

import pytest

from examples import example_result, synthetic_living, synthetic_result, text_problems
from metapool.plotting import axis as axes
from metapool.plotting import wording as fmt
from metapool.plotting.cumulative_plot import cumulative_table
from metapool.plotting.forest_plot import build_layout, render
from metapool.plotting.forest_rows import footer_lines, forest_rows, forest_table
from metapool.plotting.leave1out_plot import leave1out_table
from metapool.plotting.living_figures import FIGURES, draw_living_figures
from metapool.plotting.options import ForestOptions
from metapool.plotting.summary_forest import draw_summary, panels

MEASURES = ("RR", "OR", "RD", "PETO", "MD", "SMD", "ROM", "HR")


def test_linear_axis_ladder_is_symmetric_and_nice():
    ax = axes.choose_linear([-3.6, 1.2], [])
    assert (ax.lo, ax.hi) == (-5.0, 5.0)
    assert [lab for _, lab in ax.ticks] == ["-5", "-2.5", "0", "2.5", "5"]
    assert axes.choose_linear([0.07], [0.9]).hi == pytest.approx(0.5)  # CI limits reach 3x
    assert axes.choose_linear([0.3], [2.0], limit=1.0).hi == 1.0  # a risk difference stops at 1
    assert axes.choose_linear([], []).hi == 1.0
    user = axes.from_limits(-10, 20, log_scale=False)
    assert [v for v, _ in user.ticks] == [-10, 0, 10, 20] and (user.lo, user.hi) == (-10, 20)
    with pytest.raises(ValueError, match="lower < 0 < upper"):
        axes.from_limits(1, 2, log_scale=False)
    c = axes.clip(ax, -3.0, -8.0, 1.0)
    assert c.arrow_lo and not c.arrow_hi and c.lo == -5.0


def test_difference_and_ratio_cells():
    assert fmt.effect_ci(-3.6, -11.7, 4.5, False) == "-3.60 [-11.70, 4.50]"
    assert fmt.effect_ci(0.85, 0.69, 1.07, True) == "0.85 [0.69, 1.07]"
    assert fmt.difference(-0.001) == "0.00"
    assert fmt.mean_sd(85.3, 12.0) == "85.3 (12)" and fmt.mean_sd(None, 3.0) == "-"


@pytest.mark.parametrize("code, heading, cell_header", [
    ("OR", ("Odds ratio", "IV, Random, 95% CI"), "OR [95% CI]"),
    ("MD", ("Mean difference", "IV, Random, 95% CI"), "MD [95% CI]"),
    ("PETO", ("Peto odds ratio", "Peto, Fixed, 95% CI"), "Peto OR [95% CI]"),
    ("RD", ("Risk difference", "IV, Random, 95% CI"), "RD [95% CI]"),
    ("SMD", ("Std. mean difference", "IV, Random, 95% CI"), "SMD [95% CI]"),
])
def test_effect_column_headings_as_revman(code, heading, cell_header):
    t = forest_table(synthetic_result(code, 6), ForestOptions())
    cols = {c.key: c for c in t.columns}
    assert cols["plot"].header == heading and cols["effect"].header == ("", cell_header)


def test_columns_follow_the_kind_of_data():
    binary = [c.key for c in forest_table(synthetic_result("OR", 6), ForestOptions()).columns]
    continuous = [c.key for c in forest_table(synthetic_result("MD", 6), ForestOptions()).columns]
    generic = [c.key for c in forest_table(synthetic_result("HR", 6), ForestOptions()).columns]
    assert binary == ["study", "time", "ev_t", "n_t", "ev_c", "n_c", "plot", "weight", "effect"]
    assert continuous == ["study", "time", "m_t", "n_t", "m_c", "n_c", "plot", "weight", "effect"]
    assert generic == ["study", "time", "plot", "weight", "effect"]


def test_continuous_rows_and_footnotes():
    result = synthetic_result("MD", 8)
    rows = forest_rows(result, ForestOptions())
    a, medians, _, skewed, adjusted = rows[:5]
    s = result["studies"][0]
    assert a.cells["m_t"] == f"{fmt.number(s['mean_trt'])} ({fmt.number(s['sd_trt'])})"
    assert a.cells["n_t"] == str(s["n_trt"])
    e = s["natural"]
    assert a.cells["effect"] == fmt.effect_ci(e["est"], e["ci_lb"], e["ci_ub"], False)
    assert a.interval.est == pytest.approx(e["est"])  # linear: the analysis scale is the people's
    conv = result["studies"][1]["converted"]["trt"]
    assert medians.cells["study"].endswith("\u00b9") and medians.cells["m_t"].startswith(fmt.number(conv["mean"]))
    assert skewed.cells["effect"] == "skewed: median and IQR (not converted to a mean and SD)" and skewed.interval is None
    assert adjusted.cells["effect"] == "adjusted effect only; this analysis excludes adjusted effects"
    lines = footer_lines(result, ForestOptions())
    assert ("\u00b9 Mean and SD converted from the median (q1, median, q3; mean: Luo et al. 2018; SD: Wan et al. "
            "2014) in both arms.") in lines
    assert any(l.startswith("\u00b2 Median-reported data skewed in the Iloprost arm") for l in lines)
    assert any(l.startswith("\u00b3 Only an adjusted estimate is reported (MD ") for l in lines)
    total = next(r for r in rows if r.kind == "overall")
    pooled = [s for s in result["studies"] if s["yi"] is not None]
    assert total.cells["n_t"] == str(sum(s["n_trt"] for s in pooled
                                         + [result["studies"][3], result["studies"][4]]))


def test_binary_other_measure_and_adjusted_footnotes():
    result = synthetic_result("OR", 8)
    lines = footer_lines(result, ForestOptions())
    assert ("\u00b3 Only a hazard ratio is reported (HR 0.82 [0.61, 1.10]): it cannot enter an odds "
            "ratio analysis; not pooled.") in lines
    assert "\u00b2 The reported estimate is adjusted (as the trial reports it), not crude." in lines
    rows = forest_rows(result, ForestOptions())
    assert rows[1].cells["study"].endswith("\u00b9,\u00b2") and rows[1].cells["n_t"] == "-"
    assert rows[3].cells["effect"] == "counts not reported: only an HR is given"


def test_peto_is_drawn_as_its_fixed_effect_model():
    result = synthetic_result("PETO", 6)
    rows = forest_rows(result, ForestOptions(show_fixed=True))
    totals = [r for r in rows if r.kind == "overall"]
    assert len(totals) == 1 and totals[0].cells["study"] == "Total (95% CI)"
    assert totals[0].interval.role == "random"  # the primary (black) diamond
    e = result["fixed_peto"]["natural"]
    assert totals[0].cells["effect"] == fmt.ratio_ci(e["est"], e["ci_lb"], e["ci_ub"])
    lines = footer_lines(result, ForestOptions())
    assert lines[1].startswith("Test for overall effect: Z = ")
    assert lines[2].startswith("Fixed effect, Peto; 95% CI by Wald z")
    assert "prediction" not in [r.kind for r in rows]


def test_peto_without_its_model_says_why_not_k_0():
    """A trial entered by its reported Peto OR leaves Peto's method uncomputed (it needs 2x2
    counts from every trial): the plot says so, not 'No study could be pooled (k = 0)'."""
    from examples import _reported, synthetic_rows
    from metapool.engine.pool import pool_studies
    from metapool.measures import registry

    rows = synthetic_rows("PETO", 6)
    rows[1].update(total_trt=None, total_ctl=None, **_reported(registry.get("PETO"), -0.2, 0.2, False))
    result = pool_studies(rows, measure="PETO")
    assert result["k"] == 5 and result["fixed_peto"] is None
    last = forest_rows(result, ForestOptions())[-1]
    assert last.kind == "message" and last.cells == {"plot": "No Peto estimate (k = 5): see the notes below"}
    assert any(l.startswith("Peto's method not computed") for l in footer_lines(result, ForestOptions()))
    outside, overlaps = text_problems(render(build_layout(result, {})))
    assert outside == [] and overlaps == []


@pytest.mark.parametrize("subgroups", [False, True])
def test_v2_rr_result_lays_out_as_written(subgroups):
    """The engine's v2 result (natural blocks, status reported) draws the same RR forest plot
    in memory and as pooled.json read back, with the reported trial's numbers and footnote."""
    import json

    v2 = example_result(6, subgroups=subgroups)
    layout = build_layout(v2, {"show_fixed": True})
    assert layout == build_layout(json.loads(json.dumps(v2)), {"show_fixed": True})
    s = v2["studies"][1]
    reported = next(r for r in layout.rows if r.kind == "study" and r.cells["study"].startswith("AuthorB"))
    assert s["status"] == "reported" and reported.marker is not None
    n = s["natural"]  # the reported RR with the CI of its standard error (generic inverse variance)
    assert n["est"] == pytest.approx(s["effect"]) and n["ci_lb"] == pytest.approx(s["effect_lower"], abs=0.01)
    assert reported.cells["effect"] == f"{n['est']:.2f} [{n['ci_lb']:.2f}, {n['ci_ub']:.2f}]"
    assert any(t.text.startswith("\u00b9 Entered from the reported risk ratio") for t in layout.footers)


def test_ratio_axis_is_log_and_difference_axis_linear():
    ratio = build_layout(synthetic_result("OR", 8), {})
    diff = build_layout(synthetic_result("MD", 8), {})
    assert [lab for _, lab in ratio.plot.axis.ticks] == ["0.1", "0.2", "0.5", "1", "2", "5", "10"]
    assert ratio.plot.axis.lo == pytest.approx(-ratio.plot.axis.hi)
    assert diff.plot.axis.lo == -diff.plot.axis.hi and "0" in [lab for _, lab in diff.plot.axis.ticks]
    rd = build_layout(synthetic_result("RD", 8), {})
    assert rd.plot.axis.hi <= 1.0


@pytest.mark.parametrize("code", MEASURES)
@pytest.mark.parametrize("subgroups", [False, True])
def test_every_measure_renders_without_overlaps(code, subgroups):
    result = synthetic_result(code, 8, subgroups=subgroups)
    outside, overlaps = text_problems(render(build_layout(result, {"show_fixed": True})))
    assert outside == [] and overlaps == []


def test_living_tables_use_the_measure():
    result = synthetic_result("MD", 12)
    sens = synthetic_living(result)
    cum = cumulative_table(result, sens, {})
    assert cum.log_scale is False and cum.columns[1].header == ("Mean difference (95% CI)",)
    assert "pooled mean difference" in cum.subtitle
    first = cum.rows[0]
    assert first.cells["effect"] == fmt.effect_ci(sens["cumulative"]["est"][0],
                                                  sens["cumulative"]["ci_lb"][0],
                                                  sens["cumulative"]["ci_ub"][0], False)
    l1o = leave1out_table(result, sens, {})
    assert l1o.columns[2].header == ("MD [95% CI]",) and l1o.rows[-1].kind == "summary"


@pytest.mark.parametrize("code", ["MD", "OR", "RD"])
def test_living_figures_render_on_the_measures_scale(tmp_path, code):
    result = synthetic_result(code, 12)
    paths = {f: {"svg": tmp_path / f"{f}.svg"} for f in FIGURES}
    draw_living_figures(result, synthetic_living(result), {}, paths)
    funnel = (tmp_path / "funnel.svg").read_text(encoding="utf-8")
    m_name = {"MD": "Mean difference", "OR": "Odds ratio (log scale)", "RD": "Risk difference"}[code]
    assert m_name in funnel
    assert ("Standard error of ln OR" if code == "OR" else f"Standard error of {code}") in funnel


def summary_rows_of(results):
    rows = []
    for r in results:
        e = r["random"]["natural"]
        rows.append({"title": r["title"], "outcome": r["studies"][0]["outcome"],
                     "timepoint_days": 28, "k": r["k"], "I2": r["random"]["I2"],
                     "measure": r["measure"], "effect": e["est"], "effect_ci_lb": e["ci_lb"],
                     "effect_ci_ub": e["ci_ub"], "effect_pi_lb": e["pi_lb"],
                     "effect_pi_ub": e["pi_ub"]})
    return rows


def test_summary_groups_analyses_by_measure_each_with_its_axis(tmp_path):
    results = [synthetic_result(c, 6, seed=s) for c, s in (("MD", 1), ("OR", 2), ("MD", 3), ("RR", 4))]
    rows = summary_rows_of(results)
    assert [code for code, _ in panels(rows)] == ["MD", "OR", "RR"]
    draw_summary(rows, {"svg": tmp_path / "s.svg", "png": tmp_path / "s.png"})
    svg = (tmp_path / "s.svg").read_text(encoding="utf-8")
    for label in ("one panel and axis per effect measure", "Odds ratio (95% CI)",
                  "Risk ratio (95% CI)", "MD [95% CI]", "OR [95% CI]",
                  "Pooled effects by outcome and time point"):
        assert label in svg, label
