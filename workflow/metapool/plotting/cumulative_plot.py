"""Cumulative forest plot (Lau et al. 1992 NEJM 327:248; metafor ``forest.cumul.rma``).

One row per trial in publication order, "+ <trial>": the random-effects pooled effect and 95%
CI of that trial and all before it, with columns k, effect [95% CI] and tau^2, from the
living-review result's "cumulative" block; on the analysis' measure's scale.
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

SUBTITLE = "Cumulative meta-analysis: the pooled {name} as each trial was added, in order of publication"


def columns(m) -> tuple[Column, ...]:
    return (Column("label", ("Trial added",), "left"),
            Column(table.PLOT, (f"{m.name} (95% CI)",), "center"),
            Column("k", ("k",)), Column("effect", (f"{m.short} [95% CI]",)),
            Column("tau2", ("Tau\u00b2",)))


def subtitle(m) -> str:
    return SUBTITLE.format(name=fmt.in_sentence(m.name))


def cumulative_table(pooled: dict, sens: dict, options: ForestOptions) -> table.Table:
    """The rows of the cumulative plot (call only when sens['cumulative'] is not None)."""
    block = sens["cumulative"]
    labels = lt.study_labels(pooled)
    m = lt.measure(pooled)
    rows = []
    for i, study in enumerate(block["study"]):
        est, lo, hi = block["est"][i], block["ci_lb"][i], block["ci_ub"][i]
        drawn = None not in (est, lo, hi)
        cells = {"label": f"+ {labels.get(str(study), str(study))}", "k": str(block["k"][i]),
                 "effect": lt.effect_cell(m, est, lo, hi), "tau2": lt.tau2_cell(block["tau2"][i])}
        rows.append(Row("point", cells, interval=Interval("point", "study", est, lo, hi)
                        if drawn else None))
    block_settings = sens.get("settings") or {}
    footers = [
        "Each row pools that trial and all trials above it, in order of publication (year, then "
        f"trial). {lt.method(block_settings)}; the first row is the first trial's own estimate "
        "and Wald 95% CI.",
    ]
    missing = lt.not_pooled_line(pooled)
    if missing:
        footers.append(missing)
    return table.Table(title=lt.title(pooled), subtitle=subtitle(m), columns=columns(m),
                       rows=tuple(rows), favours=lt.favours(pooled, options),
                       footers=tuple(footers), log_scale=m.log_scale,
                       axis_limit=effects.axis_limit(m))


def cumulative_figure(pooled: dict, sens: dict, options: ForestOptions) -> Canvas:
    """The cumulative forest plot, or a page saying why there is none ."""
    if not sens.get("cumulative") or not sens["cumulative"].get("study"):
        reason = (sens.get("reasons") or {}).get("cumulative")
        page = message_page(lt.title(pooled), subtitle(lt.measure(pooled)),
                            f"No cumulative meta-analysis (k = {pooled.get('k', 0)} trials with an "
                            "estimable effect).", reason)
        return page.canvas()
    return table.draw(cumulative_table(pooled, sens, options))

