"""Trial sequential analysis plot (Wetterslev, Thorlund, Brok & Gluud 2008 J Clin Epidemiol 61:64).

The cumulative Z-curve (random-effects Z = estimate / SE on the analysis scale after each trial) against accrued
participants; two-sided Lan-DeMets O'Brien-Fleming monitoring boundaries +-c_k and the
beta-spending futility boundaries +-b_k (the inner wedge, drawn where b_k > 0), both at the
trials' information fractions as the living-review result's "tsa" block gives them; the
conventional +-z_{1-alpha/2} lines; a vertical line at the required information size (RIS);
the block's conclusion as text. The side labels go by the sign of Z, whatever the measure:
Z < 0 (below the null: RR < 1, MD < 0) favours the treatment, Z > 0 the control.
"""

from __future__ import annotations

from metapool.plotting.options import ForestOptions

import math

from scipy.special import ndtri

from metapool.plotting import living_text as lt
from metapool.plotting import style
from metapool.plotting import text
from metapool.plotting.canvas import Canvas
from metapool.plotting.page import Frame, LegendEntry, Page, Text, dash, message_page

SUBTITLE = "Trial sequential analysis: is the evidence conclusive yet?"
GREEN = "#009E73"  # Okabe-Ito bluish green: futility boundaries
WEDGE = "#D4EFE6"  # light tint of GREEN: the futility region
WIDTH = 440.0
PLOT_LEFT = 40.0
SIDE = 62.0  # column right of the plot for the favours texts
PLOT_HEIGHT = 220.0
X_STEPS = (1, 2, 2.5, 5)
BOUNDARY_CAP = 8.0  # the Z axis stretches to show monitoring boundaries up to this height


def boundary_looks(tsa: dict) -> list[int]:
    """Indices of the looks that have boundaries (up to the first at or beyond the RIS)."""
    return [i for i, c in enumerate(tsa["efficacy"]) if c is not None]


def futility_edge(x: list[float], futility: list[float]) -> list[tuple[float, float]]:
    """The upper edge (x, b) of the futility region |Z| < b over the looks from the first with
    b > 0; the region opens where the line from the previous look crosses b = 0. Empty when no
    b is positive."""
    first = next((i for i, b in enumerate(futility) if b > 0), None)
    if first is None:
        return []
    edge = [(x[i], futility[i]) for i in range(first, len(x))]
    if first > 0:
        x0, b0, x1, b1 = x[first - 1], futility[first - 1], x[first], futility[first]
        edge.insert(0, (x0 + (0.0 - b0) / (b1 - b0) * (x1 - x0), 0.0))
    return edge


def wedge_polygon(edge: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The futility region: the upper edge, then its mirror image (x, -b) back; empty when it
    has no area (fewer than two edge points)."""
    if len(edge) < 2:
        return []
    return edge + [(xi, -b) for xi, b in reversed(edge) if b > 0]


def z_limit(tsa: dict) -> float:
    """Half-height of the Z axis, a whole number: at least 4.5 (the final boundaries and +-1.96
    show), 15% beyond the largest |Z|, and high enough for the monitoring boundaries up to
    BOUNDARY_CAP (early boundaries above it come in from the top and bottom edges)."""
    zmax = max((abs(z) for z in tsa["z"] if z is not None), default=0.0)
    cmax = max((c for c in tsa["efficacy"] if c is not None), default=0.0)
    return float(math.ceil(max(4.5, 1.15 * zmax, min(cmax, BOUNDARY_CAP) + 0.5)))


def z_ticks(ylim: float) -> list[float]:
    """Symmetric Z ticks within +-ylim, every 1, 2 or 5 units (at most about 13 ticks)."""
    step = 1 if ylim <= 6 else 2 if ylim <= 12 else 5 * math.ceil(ylim / 30)
    top = step * math.floor(ylim / step)
    return [float(v) for v in range(-top, top + 1, step)]


def nice_ticks(top: float, target: int = 5) -> list[float]:
    """0, step, 2 step, ... <= top with step 1, 2, 2.5 or 5 times a power of ten, at most `target` steps."""
    if top <= 0:
        return [0.0]
    magnitude = 10 ** math.floor(math.log10(top / target))
    step = next(m * magnitude for m in X_STEPS + (10,) if top / (m * magnitude) <= target)
    return [i * step for i in range(int(top / step + 1e-9) + 1)]


def _tick_label(v: float) -> str:
    return lt.integer(v) if v == int(v) else f"{v:,g}"


def settings_lines(tsa: dict) -> list[str]:
    """How the RIS and boundaries were set, and what entered."""
    d2 = tsa.get("D2") or 0.0
    if tsa.get("acr") is not None and tsa.get("rrr") is not None:  # binary outcome
        assumed = (f"assumed control risk {100 * tsa['acr']:.1f}% ({tsa.get('acr_source', 'given')}), "
                   f"relative risk reduction {100 * tsa['rrr']:g}%")
    else:  # a continuous outcome: the block's own assumptions
        assumed = "; ".join(f"{k} {v:g}" for k, v in (("assumed difference", tsa.get("delta")),
                                                       ("assumed SD", tsa.get("sd")))
                            if isinstance(v, (int, float))) or "assumptions as given"
    lines = [
        f"Required information size (RIS) {lt.integer(tsa['ris'])} participants: {assumed}, "
        f"two-sided alpha {100 * tsa['alpha']:g}%, power "
        f"{100 * (1 - tsa['beta']):g}%, diversity D\u00b2 = {100 * d2:.0f}% "
        f"(random effects, {tsa.get('tau2_method', 'DL')}); without the diversity adjustment "
        f"{lt.integer(tsa['ris_fixed'])}.",
        f"Accrued: {lt.integer(tsa['patients'])} participants in {len(tsa['study'])} "
        f"trial{'s' * (len(tsa['study']) != 1)}, {100 * tsa['information_fraction_total']:.0f}% of "
        "the RIS. Boundaries by Lan-DeMets O'Brien-Fleming alpha spending (monitoring) and beta "
        "spending (futility, non-binding) at each trial's information fraction.",
    ]
    shown = [c for c in tsa["efficacy"] if c is not None]
    if shown and min(shown) > z_limit(tsa):
        lines.append(f"The monitoring boundaries lie beyond |Z| = {z_limit(tsa):g} at these information "
                     f"fractions (the lowest is {min(shown):.2f}).")
    if tsa.get("excluded"):
        lines.append(f"Not in the TSA (number randomised not reported): {'; '.join(tsa['excluded'])}.")
    return lines


def tsa_figure(pooled: dict, sens: dict, options: ForestOptions) -> Canvas:
    """The TSA plot, or a page saying why there is none."""
    tsa = sens.get("tsa")
    title = lt.title(pooled)
    if not tsa or not tsa.get("study"):
        reason = (sens.get("reasons") or {}).get("tsa")
        return message_page(title, SUBTITLE, "No trial sequential analysis for this selection "
                            f"(k = {pooled.get('k', 0)}).", reason).canvas()
    ris = float(tsa["ris"])
    xmax = max(ris, tsa["accrued"][-1]) * 1.06
    ylim = z_limit(tsa)

    page = Page(WIDTH)
    page.title(title, SUBTITLE)
    page.space(4.0)
    plot_w = page.content - PLOT_LEFT - SIDE
    ris_x = page.left + PLOT_LEFT + ris / xmax * plot_w
    page.texts.append(Text(f"RIS = {lt.integer(ris)}", ris_x, page.y + 5.0, style.SMALL_SIZE,
                           ha="center"))
    page.space(11.0)
    box = page.reserve(PLOT_HEIGHT, page.left + PLOT_LEFT, plot_w)
    favours_treatment, favours_control = lt.favours(pooled, options)
    side_x = box.x0 + box.width + 6.0
    for label, y in ((favours_control, 0.25), (favours_treatment, 0.75)):
        _side_label(page, label, side_x, box.y0 + y * box.height)
    page.texts.append(Text("Accrued participants", box.x0 + box.width / 2, page.y + 16.0,
                           style.SMALL_SIZE, ha="center", va="top"))
    page.space(16.0 + style.SMALL_SIZE * 1.3 + 6.0)
    page.legend_rows(_legend(tsa))
    page.space(5.0)
    page.paragraph(tsa["conclusion"], style.FONT_SIZE, "bold")
    page.space(2.0)
    for line in settings_lines(tsa):
        page.paragraph(line, colour=style.COLOURS["muted"])

    canvas = page.canvas()
    _draw_tsa(canvas, Frame(box, (0.0, xmax), (-ylim, ylim)), tsa, xmax, ylim)
    return canvas


def _side_label(page: Page, label: str, x: float, y: float) -> None:
    lines = text.wrap(label, SIDE - 8.0, style.SMALL_SIZE, "italic")
    top = y - (len(lines) - 1) * 4.6
    for i, line in enumerate(lines):
        page.texts.append(Text(line, x, top + 9.2 * i, style.SMALL_SIZE, "italic"))


def _legend(tsa: dict) -> list[LegendEntry]:
    z = float(ndtri(1 - tsa["alpha"] / 2))
    entries = [LegendEntry("line", "Cumulative Z-curve", style.COLOURS["study"]),
               LegendEntry("line", "Monitoring boundaries", style.COLOURS["fixed"])]
    if any(b is not None and b > 0 for b in tsa["futility"]):
        entries.append(LegendEntry("patch", "Futility region (inner wedge)", WEDGE, edge=GREEN))
    entries += [LegendEntry("line", f"Conventional Z = \u00b1{z:.2f}", style.COLOURS["null"],
                            linestyle=":"),
                LegendEntry("line", "Required information size", style.COLOURS["random"],
                            linestyle="--")]
    return entries


def _draw_tsa(canvas: Canvas, frame: Frame, tsa: dict, xmax: float, ylim: float) -> None:
    clip = frame.clip
    canvas.line(frame.xy([(0, 0), (xmax, 0)]), style.COLOURS["null"], 0.5, clip=clip)
    z_conv = float(ndtri(1 - tsa["alpha"] / 2))
    for sign in (1, -1):
        canvas.line(frame.xy([(0, sign * z_conv), (xmax, sign * z_conv)]), style.COLOURS["null"],
                    0.8, dash(":", 0.8), clip=clip)
    looks = boundary_looks(tsa)
    x = [tsa["accrued"][i] for i in looks]
    eff = [tsa["efficacy"][i] for i in looks]
    fut = [tsa["futility"][i] for i in looks]
    edge = futility_edge(x, fut)
    wedge = wedge_polygon(edge)
    if wedge:
        canvas.polygon(frame.xy(wedge), WEDGE, z=1.0, clip=clip)
    for sign in (1, -1):  # edges open at the last look: the wedge goes on towards the RIS
        pts = frame.xy([(p[0], sign * p[1]) for p in edge])
        if len(pts) == 1:
            (px, py), = pts
            canvas.line([(px - 3.0, py), (px + 3.0, py)], GREEN, 0.9, z=1.1, clip=clip)
        elif pts:
            canvas.line(pts, GREEN, 0.9, z=1.1, clip=clip)
    for sign in (1, -1):
        pts = frame.xy([(a, sign * c) for a, c in zip(x, eff)])
        if pts:
            canvas.line(pts, style.COLOURS["fixed"], 1.1, clip=clip)
        for px, py in pts:
            canvas.circle(px, py, 1.6, style.COLOURS["fixed"], z=2.1, clip=clip)
    ris = float(tsa["ris"])
    canvas.line(frame.xy([(ris, -ylim), (ris, ylim)]), style.COLOURS["random"], 0.9,
                dash("--", 0.9), clip=clip)
    pts = frame.xy([(n, z) for n, z in zip(tsa["accrued"], tsa["z"]) if z is not None])
    if pts:
        canvas.line(pts, style.COLOURS["study"], 1.4, z=2.8, clip=clip)
    for px, py in pts:
        canvas.circle(px, py, 1.6, style.COLOURS["study"], "white", 0.4, z=2.9, clip=clip)
    frame.axes(canvas, [(v, _tick_label(v)) for v in nice_ticks(xmax)],
               [(v, f"{v:g}") for v in z_ticks(ylim)], "Cumulative Z-score")
