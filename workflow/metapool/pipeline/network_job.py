"""The network job (workflow/rules/networks.smk): trial tables -> results/networks/<name>/:
network.json, league.tsv and the figures of plotting.network_plots (SVG, PNG, PDF)."""

from __future__ import annotations

from metapool.pipeline.paths import RESULTS

FIGURES = ("graph", "forest", "league", "pscores", "consistency")
FORMATS = ("svg", "png", "pdf")


def network_dir(name: str) -> str:
    return f"{RESULTS}/networks/{name}"


def outputs(name: str) -> dict[str, str]:
    """Every file the network's job writes, by key (json, league_tsv, <figure>_<format>)."""
    folder = network_dir(name)
    out = {"json": f"{folder}/network.json", "league_tsv": f"{folder}/league.tsv"}
    out.update({f"{fig}_{ext}": f"{folder}/{fig}.{ext}" for fig in FIGURES for ext in FORMATS})
    return out


def compute(trial_files: list[str], definition: dict) -> dict:
    """network.json's content from the trial tables (raises InputError as parse time would)."""
    from metapool.errors import InputError
    from metapool.inputs.trials import load_trials
    from metapool.network import result
    from metapool.pipeline import analyses, networks
    from metapool.pipeline.settings import NetworkSettings

    net = NetworkSettings.from_dict(definition)
    index = analyses.RowIndex(load_trials(trial_files).rows)
    rows = networks.select(index, net)
    arms, left_out, problems = networks.arms(net, rows)
    if problems:
        raise InputError(problems)
    return result.build(net.to_dict(), arms, left_out)


def run_network(trial_files: list[str], definition: dict, out: dict[str, str]) -> dict:
    """Compute the network, then write every output (each atomically)."""
    from metapool.atomic import write_text
    from metapool.engine.render import to_json
    from metapool.plotting import network_plots
    from metapool.plotting.save import save_canvas

    net = compute(trial_files, definition)
    for fig in FIGURES:
        canvas = network_plots.FIGURES[fig](net)
        save_canvas(canvas, {ext: out[f"{fig}_{ext}"] for ext in FORMATS})
    write_text(out["league_tsv"], network_plots.league_tsv(net))
    write_text(out["json"], to_json(net))
    return net
