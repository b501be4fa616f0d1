"""Leave-one-out plot (metafor ``leave1out``): the pooled effect and 95% CI without each trial,
against the estimate with all trials (dashed line over its CI band, and a last "All trials"
row). Trials that metafor's ``influence`` would call influential (influence_flags) are drawn
as vermillion diamonds and marked "*".
"""

from __future__ import annotations

from metapool.plotting.options import ForestOptions

from metapool.plotting import effects
from metapool.plotting import wording as fmt
from metapool.plotting import living_text as lt
from metapool.plotting import table
from metapool.plotting.canvas import Canvas
from metapool.plotting.page import message_page
from metapool.plotting.table import Column, Interval, Row

SUBTITLE = "Leave-one-out analysis: the pooled {name} with each trial left out in turn"
FLAG = "*"


def columns(m) -> tuple[Column, ...]:
    return (Column("label", ("Trial left out",), "left"),
            Column(table.PLOT, (f"{m.name} (95% CI)",), "center"),
            Column("effect", (f"{m.short} [95% CI]",)), Column("tau2", ("Tau\u00b2",)),
            Column("i2", ("I\u00b2",)), Column("flag", ("Infl.",)))


def subtitle(m) -> str:
    return SUBTITLE.format(name=fmt.in_sentence(m.name))
CRITERIA = (f"{FLAG} Influential by metafor's criteria (Viechtbauer & Cheung 2010): |DFFITS| > "
            "3\u221a(1/(k \u2212 1)), Cook's distance above the \u03c7\u00b2\u2081 median, hat value "
            "> 3/k, or |DFBETAS| > 1.")


def influence_flags(sens: dict) -> list[bool]:
    """Influential flag per trial of the leave-one-out block, as living.json's influence block has it."""
    block = sens.get("influence")
    if not block:
        return [False] * len(sens["leave1out"]["study"])
    return [bool(f) for f in block["influential"]]


def leave1out_table(pooled: dict, sens: dict, options: ForestOptions) -> table.Table:
    """The rows of the leave-one-out plot (call only when sens['leave1out'] is not None)."""
    block = sens["leave1out"]
    labels = lt.study_labels(pooled)
    m = lt.measure(pooled)
    flags = influence_flags(sens)
    rows = []
    for i, study in enumerate(block["study"]):
        est, lo, hi = block["est"][i], block["ci_lb"][i], block["ci_ub"][i]
        drawn = None not in (est, lo, hi)
        cells = {"label": labels.get(str(study), str(study)), "effect": lt.effect_cell(m, est, lo, hi),
                 "tau2": lt.tau2_cell(block["tau2"][i]), "i2": lt.i2_cell(block["I2"][i]),
                 "flag": FLAG if flags[i] else ""}
        interval = (Interval("flag", "fixed", est, lo, hi) if flags[i] else
                    Interval("point", "study", est, lo, hi)) if drawn else None
        rows.append(Row("flagged" if flags[i] else "point", cells, interval=interval))
    random = pooled.get("random")
    reference = None
    if random and None not in (random.get("est"), random.get("ci_lb"), random.get("ci_ub")):
        reference = (random["est"], random["ci_lb"], random["ci_ub"])
        cells = {"label": f"All trials (k = {random['k']})", "effect": lt.effect_cell(m, *reference),
                 "tau2": lt.tau2_cell(random.get("tau2")), "i2": lt.i2_cell(random.get("I2")),
                 "flag": ""}
        rows.append(Row("summary", cells, style="bold", set_off="rule",
                        interval=Interval("diamond", "random", *reference, total=True)))
    footers = [
        "Each row is the random-effects model refitted without that trial; the dashed line and "
        f"shaded band are the pooled estimate and 95% CI with all trials. "
        f"{lt.method(sens.get('settings') or {})}.",
        CRITERIA if sens.get("influence") else
        f"Influence diagnostics: {(sens.get('reasons') or {}).get('influence', 'not computed.')}",
    ]
    missing = lt.not_pooled_line(pooled)
    if missing:
        footers.append(missing)
    return table.Table(title=lt.title(pooled), subtitle=subtitle(m), columns=columns(m),
                       rows=tuple(rows), favours=lt.favours(pooled, options),
                       footers=tuple(footers), reference=reference, log_scale=m.log_scale,
                       axis_limit=effects.axis_limit(m))


def leave1out_figure(pooled: dict, sens: dict, options: ForestOptions) -> Canvas:
    """The leave-one-out plot, or a page saying why there is none ."""
    if not sens.get("leave1out") or not sens["leave1out"].get("study"):
        reason = (sens.get("reasons") or {}).get("leave1out")
        k = pooled.get("k", 0)
        page = message_page(lt.title(pooled), subtitle(lt.measure(pooled)),
                            f"No leave-one-out analysis (k = {k} trials with an estimable effect).",
                            reason)
        return page.canvas()
    return table.draw(leave1out_table(pooled, sens, options))
