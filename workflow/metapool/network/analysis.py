"""One network meta-analysis: validated arm-level data -> {"fixed": {...}, "random": {...}}.

Each block: `d` (non-reference treatments vs the reference), `league` ("A|B"), `pscore`, `QE`,
`QEp`, `QE_df`; the random block adds `tau2`. The fields and conventions are those of the oracle's
nma.json (metafor rma.mv)."""

from __future__ import annotations

from dataclasses import dataclass

from metapool.errors import MetapoolError
from metapool.network import arms as armmod
from metapool.network import consistency as cons
from metapool.network import graph, model, summaries


class DisconnectedNetwork(MetapoolError):
    """The studies do not connect every treatment: no single network to analyse."""

    def __init__(self, parts: list[list[str]]):
        self.components = parts
        text = "; ".join("{" + ", ".join(p) + "}" for p in parts)
        super().__init__(f"the network is disconnected: {len(parts)} components {text}; "
                         "analyse each connected part on its own or add a study that links them")


@dataclass(frozen=True)
class Network:
    """The data a model is fitted to: the treatment order, the reference, the studies' contrasts."""

    order: list[str]
    reference: str
    studies: list[armmod.StudyContrasts]
    dropped: list[str]


def prepare(arms: list[dict], measure: str, reference: str, order: list[str]) -> Network:
    """Contrasts of the estimable studies; DisconnectedNetwork when they do not connect `order`."""
    studies, dropped = armmod.build(arms, measure, order)
    parts = graph.components(order, [(s.baseline, *s.treatments) for s in studies])
    if len(parts) > 1:
        raise DisconnectedNetwork(parts)
    return Network(list(order), reference, studies, dropped)


def block(net: Network, fit: model.Fit, small_values_good: bool, random: bool) -> dict:
    """The oracle's fields of one fitted model."""
    d, vd = summaries.effects(fit.beta, fit.vb, net.order, net.reference)
    out = {
        "d": summaries.versus_reference(d, vd, net.order, net.reference),
        "league": summaries.league(d, vd, net.order),
        "pscore": summaries.pscores(d, vd, net.order, small_values_good),
        "QE": fit.QE, "QEp": fit.QEp, "QE_df": fit.QE_df,
    }
    if random:
        out["tau2"] = fit.tau2
    return out


MODELS = (("fixed", False), ("random", True))


@dataclass(frozen=True)
class Fitted:
    """A network fitted once: its stacked contrasts and its {"fixed", "random"} model.Fit."""

    net: Network
    stacked: model.Stacked
    fits: dict[str, model.Fit]


def fit_network(net: Network) -> Fitted:
    """The FE and REML consistency models of ``net`` (model.fit), each fitted once."""
    st = model.stack(net.studies, net.order, net.reference)
    return Fitted(net, st, {name: model.fit(st, random) for name, random in MODELS})


def blocks(fitted: Fitted, small_values_good: bool) -> dict:
    """{"fixed": block, "random": block} of a fitted network."""
    return {name: block(fitted.net, fitted.fits[name], small_values_good, random) for name, random in MODELS}


def analyse(arms: list[dict], measure: str, reference: str, order: list[str],
            small_values_good: bool) -> dict:
    """{"fixed": block, "random": block}: the FE and REML consistency models."""
    return blocks(fit_network(prepare(arms, measure, reference, order)), small_values_good)


def consistency(fitted: Fitted) -> dict:
    """{"design_by_treatment", "node_split": {"fixed", "random"}} (network.consistency). The random
    node split uses the network's own random-effects fit (metafor's tau^2, the random block of
    ``analyse``), so its network estimates are the ones reported."""
    net, st = fitted.net, fitted.stacked
    return {"design_by_treatment": cons.design_by_treatment(st, net.studies),
            "node_split": {name: cons.node_split(st, net.studies, net.order, net.reference, fit)
                           for name, fit in fitted.fits.items()}}
