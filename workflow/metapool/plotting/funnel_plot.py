"""Contour-enhanced funnel plot (Sterne & Egger 2001; Peters et al. 2008 J Clin Epidemiol 61:991).

Each trial's effect on the analysis scale (x: ln ratio on a log axis labelled on the ratio
scale, or the difference itself) against its standard error (y, 0 at the top). Shading around the null marks where a trial's two-sided Wald test has p > 0.10,
0.05 < p <= 0.10, 0.01 < p <= 0.05 and p <= 0.01: the contour for p is |y| = z_{1-p/2} se.
The pooled random-effects estimate is a solid line with pseudo 95% limits est +- 1.96 se
(dashed), as metafor ``funnel``. Trials added by trim-and-fill are open markers. Egger's and
Harbord's tests and trim-and-fill are reported under the plot. All of them only with at least
living.small_study_min_k trials (Cochrane Handbook 13.3.5.4: 10; living.json's "small_study"
block): with fewer, the figure is a sentence saying why, not a funnel.
"""

from __future__ import annotations

from metapool.plotting.options import ForestOptions

import math

from scipy.special import ndtri

from metapool.plotting import axis as axes
from metapool.plotting import effects
from metapool.plotting import wording as fmt
from metapool.plotting import living_text as lt
from metapool.plotting import style
from metapool.plotting.canvas import Canvas
from metapool.plotting.page import Frame, LegendEntry, Page, Text, dash, message_page

SUBTITLE = "Funnel plot, contour-enhanced: small-study effects and missing trials"
NOT_RUN_SUBTITLE = "Funnel plot and tests for small-study effects"
K_MIN_SMALL_STUDY = 10  # = metapool.living.K_MIN_SMALL_STUDY, for a living.json without "small_study"
CONTOURS = (0.10, 0.05, 0.01)
# Shade of the region beyond each contour (p <= 0.10, <= 0.05, <= 0.01); inside p > 0.10 is white.
SHADES = {0.10: "#EBEBEB", 0.05: "#D2D2D2", 0.01: "#B4B4B4"}
SE_STEPS = (0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0)
WIDTH = 420.0
PLOT_LEFT = 46.0  # room for the y tick labels and axis label
PLOT_HEIGHT = 230.0


def contour_halfwidth(se: float, p: float) -> float:
    """|effect| (analysis scale) at which a trial with standard error `se` has two-sided Wald p-value `p`: z_{1-p/2} se."""
    return float(ndtri(1 - p / 2)) * se


def pseudo_limits(est: float, se: float, level: float = 0.95) -> tuple[float, float]:
    """Pseudo confidence limits est -+ z_{(1+level)/2} se around the pooled estimate."""
    z = float(ndtri((1 + level) / 2))
    return est - z * se, est + z * se


def se_axis(se_max: float) -> tuple[float, list[float]]:
    """(top, ticks) of the SE axis: the smallest step of SE_STEPS giving at most 5 intervals
    with room above se_max (5% of it), ticks from 0 to top."""
    need = max(se_max * 1.05, 1e-9)
    step = next((s for s in SE_STEPS if need / s <= 5), None)
    if step is None:
        step = 10 ** math.ceil(math.log10(need / 5))
    n = math.ceil(need / step - 1e-9)
    return n * step, [round(i * step, 10) for i in range(n + 1)]


def funnel_studies(pooled: dict) -> list[tuple[float, float]]:
    """(effect on the analysis scale, SE) of the trials that entered pooling."""
    return [(float(s["yi"]), math.sqrt(float(s["vi"]))) for s in pooled.get("studies") or []
            if s.get("yi") is not None and s.get("vi") is not None]


def filled_studies(sens: dict) -> list[tuple[float, float]]:
    """(effect on the analysis scale, SE) of the trials trim-and-fill added (none when it was not run)."""
    tf = sens.get("trimfill") or {}
    return [(float(y), math.sqrt(float(v))) for y, v in zip(tf.get("fill_yi") or [], tf.get("fill_vi") or [])]


def small_study(sens: dict, k: int) -> dict:
    """living.json's "small_study" block (whether the small-study methods ran, and why not); for a
    result without one, the same from k and the default minimum."""
    block = sens.get("small_study")
    if block:
        return block
    run = k >= K_MIN_SMALL_STUDY
    return {"run": run, "k": k, "min_k": K_MIN_SMALL_STUDY,
            "reason": None if run else f"k = {k} < {K_MIN_SMALL_STUDY} (Cochrane Handbook 13.3.5.4)."}


def not_run_lines(block: dict) -> tuple[str, str]:
    """The sentence that replaces the funnel plot below the minimum, and its detail."""
    k, min_k = block["k"], block["min_k"]
    trials = f"{k} trial{'s' * (k != 1)}"
    return (f"No funnel plot: {trials}, fewer than the {min_k} that a funnel plot and tests for "
            "small-study effects need.",
            f"With fewer than {K_MIN_SMALL_STUDY} trials a funnel plot cannot be read, and Egger's and Harbord's "
            "tests have too little power to tell small-study effects or publication bias from chance (Cochrane "
            "Handbook 13.3.5.4). Neither they nor trim-and-fill are run, and publication bias is not assessable "
            f"(GRADE). The minimum is the analysis setting living.small_study_min_k ({min_k}).")


def caption_lines(sens: dict, k: int, measure=None) -> list[str]:
    """Caption lines: Egger (both forms), Harbord and trim-and-fill, or why they are not run."""
    m = measure or lt.measure({})

    def _rr(est, lo, hi) -> str:
        return lt.effect_cell(m, est, lo, hi)

    block = small_study(sens, k)
    if not block["run"]:
        return [not_run_lines(block)[0]]
    reasons = sens.get("reasons") or {}
    lines = []
    names = {"egger_rma": "Egger's test", "egger_lm": "Egger's test, classic form",
             "harbord": "Harbord's score test", "trimfill": "Trim-and-fill"}
    for block, name in names.items():
        result = sens.get(block)
        if not result:
            lines.append(f"{name}: {reasons.get(block, 'not computed.')}")
        elif block == "egger_rma":
            stat = (f"t = {result['z']:.2f} (df = {result['df']})" if result.get("df") is not None
                    else f"z = {result['z']:.2f}")
            lines.append(f"{name} (random-effects meta-regression on SE, metafor regtest): {stat}, "
                         f"{fmt.p_value(result['p'])}; limit estimate as SE \u2192 0: {m.short} "
                         f"{_rr(result['limit_est'], result['limit_ci_lb'], result['limit_ci_ub'])}.")
        elif block == "egger_lm":
            lines.append(f"{name} (weighted regression, regtest model = \"lm\"): t = {result['t']:.2f} "
                         f"(df = {result['df']}), {fmt.p_value(result['p'])}.")
        elif block == "harbord":
            lines.append(f"{name}: t = {result['t']:.2f} (df = {result['df']}), {fmt.p_value(result['p'])}.")
        elif result["k0"] == 0:
            lines.append(f"{name} ({result['estimator']}): no trial imputed; the estimate is unchanged.")
        else:
            lines.append(f"{name} ({result['estimator']}): {result['k0']} trial{'s' * (result['k0'] != 1)} "
                         f"imputed on the {result['side']} (open markers); adjusted {m.short} "
                         f"{_rr(result['est'], result['ci_lb'], result['ci_ub'])}.")
    return lines


def funnel_figure(pooled: dict, sens: dict, options: ForestOptions) -> Canvas:
    """The funnel plot, or a page saying why there is none (no trial, or fewer than the minimum)."""
    points = funnel_studies(pooled)
    title = lt.title(pooled)
    if not points:
        return message_page(title, SUBTITLE, "No funnel plot: no trial has an estimable effect (k = 0).",
                            lt.not_pooled_line(pooled)).canvas()
    block = small_study(sens, len(points))
    if not block["run"]:
        page = message_page(title, NOT_RUN_SUBTITLE, *not_run_lines(block))
        missing = lt.not_pooled_line(pooled)
        if missing:
            page.paragraph(missing, style.SMALL_SIZE, colour=style.COLOURS["muted"])
            page.space(6.0)
        return page.canvas()
    filled = filled_studies(sens)
    random = pooled.get("random") or {}
    est = random.get("est")
    se_top, se_ticks = se_axis(max(se for _, se in points + filled))
    must = [y for y, _ in points + filled] + ([est] if est is not None else [])
    centre = est if est is not None else 0.0
    m = lt.measure(pooled)
    axis = axes.for_measure(m.log_scale, must, list(pseudo_limits(centre, se_top)),
                            effects.axis_limit(m))

    page = Page(WIDTH)
    page.title(title, SUBTITLE)
    page.space(6.0)
    box = page.reserve(PLOT_HEIGHT, page.left + PLOT_LEFT, page.content - PLOT_LEFT - 8.0)
    tick_y = page.y + 12.0
    page.texts.append(Text(f"{m.name} (log scale)" if m.log_scale else m.name, box.x0 + box.width / 2, tick_y + 4.0,
                           style.SMALL_SIZE, ha="center", va="top"))
    x_null = box.x0 + (0.0 - axis.lo) / (axis.hi - axis.lo) * box.width
    fav_t, fav_c = lt.favours(pooled, options)
    fav_y = tick_y + 4.0 + style.SMALL_SIZE * 1.3 + 1.0
    page.texts.append(Text(fav_t, x_null - 4.0, fav_y, style.SMALL_SIZE, ha="right", va="top"))
    page.texts.append(Text(fav_c, x_null + 4.0, fav_y, style.SMALL_SIZE, va="top"))
    page.y = fav_y + style.SMALL_SIZE * 1.3 + 6.0
    page.legend_rows(_legend(est is not None, bool(filled), m))
    page.space(4.0)
    for line in caption_lines(sens, len(points), m):
        page.paragraph(line, style.SMALL_SIZE)
    page.paragraph(f"Trials inside the white region have two-sided P > 0.10 against "
                   f"{m.short} = {m.null:g}; "
                   "darker shades mark P \u2264 0.10, \u2264 0.05 and \u2264 0.01. Asymmetry can "
                   "come from small-study effects, heterogeneity or chance, not only from "
                   "publication bias.", colour=style.COLOURS["muted"])
    missing = lt.not_pooled_line(pooled)
    if missing:
        page.paragraph(missing, colour=style.COLOURS["muted"])

    canvas = page.canvas()
    _draw_funnel(canvas, Frame(box, (axis.lo, axis.hi), (se_top, 0.0)), axis, se_top, se_ticks,
                 points, filled, est, m)
    return canvas


def _legend(has_estimate: bool, has_filled: bool, m) -> list[LegendEntry]:
    entries = [LegendEntry("marker", "Trial", style.COLOURS["study"], edge="white")]
    if has_filled:
        entries.append(LegendEntry("marker", "Imputed by trim-and-fill", style.COLOURS["fixed"],
                                   fill=False))
    if has_estimate:
        entries += [LegendEntry("line", f"Pooled {m.short}", style.COLOURS["random"]),
                    LegendEntry("line", "Pseudo 95% limits", style.COLOURS["random"], linestyle="--")]
    entries += [LegendEntry("patch", "P > 0.10", "white", edge=style.COLOURS["null"]),
                LegendEntry("patch", "0.05 < P \u2264 0.10", SHADES[0.10]),
                LegendEntry("patch", "0.01 < P \u2264 0.05", SHADES[0.05]),
                LegendEntry("patch", "P \u2264 0.01", SHADES[0.01])]
    return entries


def _draw_funnel(canvas: Canvas, frame: Frame, axis: axes.Axis, se_top: float,
                 se_ticks: list[float], points: list[tuple[float, float]],
                 filled: list[tuple[float, float]], est: float | None, m) -> None:
    clip = frame.clip
    frame.background(canvas, SHADES[0.01])
    shades = [SHADES[0.05], SHADES[0.10], "white"]  # inside the 0.01, 0.05 and 0.10 contours
    for p, colour in zip(sorted(CONTOURS), shades):
        half = contour_halfwidth(se_top, p)
        canvas.polygon(frame.xy([(-half, se_top), (0.0, 0.0), (half, se_top)]), colour, z=0.5,
                       clip=clip)
    canvas.line(frame.xy([(0.0, 0.0), (0.0, se_top)]), style.COLOURS["null"], 0.6, z=1.0,
                clip=clip)
    if est is not None:
        lo, hi = pseudo_limits(est, se_top)
        canvas.line(frame.xy([(est, 0.0), (est, se_top)]), style.COLOURS["random"], 0.9,
                    clip=clip)
        canvas.line(frame.xy([(lo, se_top), (est, 0.0), (hi, se_top)]), style.COLOURS["random"],
                    0.8, dash("--", 0.8), clip=clip)
    for y, se in filled:
        x, yy = frame.xy([(y, se)])[0]
        canvas.circle(x, yy, 2.5, "white", style.COLOURS["fixed"], 1.0, z=2.6, clip=clip)
    for y, se in points:
        x, yy = frame.xy([(y, se)])[0]
        canvas.circle(x, yy, 2.5, style.COLOURS["study"], "white", 0.5, z=2.7)
    frame.axes(canvas, list(axis.ticks), [(v, f"{v:g}") for v in se_ticks],
               f"Standard error of {'ln ' if m.log_scale else ''}{m.short}")
