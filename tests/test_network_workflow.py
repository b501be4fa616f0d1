"""Networks in the workflow: config `networks:`, arm-level data from the trial tables (multi-arm
trials, shared arms, subgroup rows), the network job's outputs and its figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from metapool.errors import InputError
from metapool.inputs.trials import load_trials, trial_files
from metapool.network import analysis
from metapool.network.result import build
from metapool.pipeline import analyses, network_job, networks
from metapool.pipeline.settings import NetworkSettings
from metapool.plotting import network_plots
from metapool.plotting.canvas import to_svg

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
FILES = [str(f) for f in trial_files(REPO / "data" / "raw")]


def row(trial, agent, comparator, et, nt, ec, nc, *, days=28, pmid=None, number=2, year=2020):
    return {"trial": trial, "first_author": trial, "year": year, "agent": agent, "comparator": comparator,
            "outcome": "all-cause mortality", "timepoint_days": days, "events_trt": et, "total_trt": nt,
            "events_ctl": ec, "total_ctl": nc, "pmid": pmid, "file": f"data/raw/{trial.lower()}.csv",
            "row": number, "poolable": ("RR",)}


def settings(**over) -> NetworkSettings:
    values = {"name": "net", "title": "A network", "filter": {"outcome": "all-cause mortality"},
              "reference": "A", "timepoint": {"min_days": 28, "max_days": 90}}
    return NetworkSettings.from_dict({**values, **over})


def test_a_three_arm_trial_is_one_study_with_three_arms():
    rows = [row("T3", "B", "A", 10, 50, 12, 50), row("T3", "C", "A", 8, 50, 12, 50, number=3),
            row("T2", "B", "C", 5, 40, 7, 40)]
    net = settings()
    arms, left_out, problems = networks.arms(net, networks.select(analyses.RowIndex(rows), net))
    assert problems == [] and left_out == []
    assert sorted((a["study"], a["treatment"], a["events"]) for a in arms) == [
        ("T2", "B", 5), ("T2", "C", 7), ("T3", "A", 12), ("T3", "B", 10), ("T3", "C", 8)]
    shared = next(a for a in arms if a["study"] == "T3" and a["treatment"] == "A")
    assert shared["rows"] == ["data/raw/t3.csv:2", "data/raw/t3.csv:3"]


def test_a_shared_arm_with_other_counts_is_a_located_error():
    rows = [row("T3", "B", "A", 10, 50, 12, 50), row("T3", "C", "A", 8, 50, 13, 50, number=3)]
    _, _, problems = networks.arms(settings(), rows)
    assert [(p.file, p.row, p.column) for p in problems] == [("data/raw/t3.csv", 3, "events_ctl")]
    assert "12/50" in problems[0].message and "13/50" in problems[0].message


def test_nodes_join_names_and_a_comparison_within_one_node_is_an_error():
    net = settings(nodes={"A": ["A", "A + D"]})
    arms, _, problems = networks.arms(net, [row("T1", "B", "A + D", 3, 20, 4, 20)])
    assert problems == [] and {a["treatment"] for a in arms} == {"A", "B"}
    _, _, problems = networks.arms(net, [row("T1", "A", "A + D", 3, 20, 4, 20)])
    assert problems and problems[0].column == "comparator" and "one node" in problems[0].message


def test_a_subgroup_row_and_its_whole_trial_never_both_enter():
    rows = [row("S", "B", "A", 30, 100, 25, 100, pmid=7), row("S (subgroup)", "B", "A", 20, 60, 15, 60, pmid=7)]
    _, _, problems = networks.arms(settings(), rows)
    assert len(problems) == 1 and "share pmid 7" in problems[0].message
    assert "exclude_trials" in problems[0].message
    net = settings(exclude_trials=["S (subgroup)"])
    arms, _, problems = networks.arms(net, networks.select(analyses.RowIndex(rows), net))
    assert problems == [] and {a["study"] for a in arms} == {"S"}


def test_rows_without_counts_are_listed_not_silently_dropped():
    rows = [row("T1", "B", "A", None, None, None, None), row("T2", "B", "A", 3, 10, 4, 10)]
    arms, left_out, _ = networks.arms(settings(), rows)
    assert [x["trial"] for x in left_out] == ["T1"] and {a["study"] for a in arms} == {"T2"}


def test_the_time_point_rule_keeps_every_row_of_a_trial_at_its_time_point():
    rows = [row("T3", "B", "A", 10, 50, 12, 50, days=28), row("T3", "C", "A", 8, 50, 12, 50, days=28, number=3),
            row("T3", "B", "A", 15, 50, 16, 50, days=90, number=4), row("T3", "C", "A", 9, 50, 16, 50, days=90, number=5),
            row("T3", "B", "A", 20, 50, 20, 50, days=365, number=6)]
    chosen = networks.select(analyses.RowIndex(rows), settings())
    assert [r["row"] for r in chosen] == [4, 5]


def test_config_problems_name_the_network_key():
    index = analyses.RowIndex(load_trials(FILES).rows)
    bad = {"networks": {"v": {"title": "t", "filter": {"outcome": "all-cause mortality", "agent": "dopamin"},
                              "reference": "norepinephrin", "nodes": {"x": ["norepinephrine + dobutamin"]},
                              "exclude_trials": ["SOAP III"]}}}
    with pytest.raises(InputError) as err:
        networks.load(bad, index)
    columns = {p.column for p in err.value.problems}
    assert {"networks.v.filter.agent", "networks.v.reference", "networks.v.nodes.x",
            "networks.v.exclude_trials"} <= columns


def test_the_reviews_network_matches_the_cli_model_on_its_arms():
    definition = networks.from_config(CONFIG)[0].to_dict()
    net = network_job.compute(FILES, definition)
    assert net["status"] == "analysed" and net["order"][0] == "norepinephrine"
    arms = [{"study": t["trial"], "treatment": a["treatment"], "events": a["events"], "total": a["total"]}
            for t in net["trials"] for a in t["arms"]]
    again = analysis.analyse(arms, "RR", "norepinephrine", net["order"], True)
    assert again["random"]["league"] == net["random"]["league"]
    assert "SOAP II (septic shock subgroup)" not in {t["trial"] for t in net["trials"]}


def test_the_job_writes_every_output_byte_identically(tmp_path):
    definition = networks.from_config(CONFIG)[0].to_dict()
    snapshots = []
    for run in ("a", "b"):
        out = {k: str(tmp_path / run / Path(v).name) for k, v in network_job.outputs("x").items()}
        Path(tmp_path / run).mkdir()
        network_job.run_network(FILES, definition, out)
        snapshots.append({Path(p).name: Path(p).read_bytes() for p in out.values()})
    assert snapshots[0] == snapshots[1] and len(snapshots[0]) == 17
    league = snapshots[0]["league.tsv"].decode().splitlines()
    assert league[0].split("\t")[1] == "norepinephrine"


def small(order_arms, **over):
    arms = [{"study": s, "treatment": t, "events": e, "total": n, "label": s, "timepoint_days": 28,
             "names": [t], "rows": []} for s, t, e, n in order_arms]
    values = {"name": "n", "title": "T", "measure": "RR", "reference": "A", "small_values": "good", **over}
    return build(values, arms, [])


def test_too_few_treatments_and_disconnected_networks_say_so_in_every_figure():
    two = small([("s1", "A", 3, 10), ("s1", "B", 4, 10)])
    assert two["status"] == "too_few_treatments"
    apart = small([("s1", "A", 3, 10), ("s1", "B", 4, 10), ("s2", "C", 3, 10), ("s2", "D", 5, 10)])
    assert apart["status"] == "disconnected" and apart["components"] == [["A", "B"], ["C", "D"]]
    for net in (two, apart):
        for name, draw in network_plots.FIGURES.items():
            svg = to_svg(draw(net)).decode()
            if name != "graph":
                assert ("needs at least 3" in svg) or ("do not connect" in svg), name


def test_a_star_network_has_no_consistency_check_and_says_so():
    star = small([("s1", "A", 3, 10), ("s1", "B", 4, 10), ("s2", "A", 3, 10), ("s2", "C", 5, 10)])
    assert star["consistency"]["loop"] is False and star["consistency"]["node_split"] is None
    assert "No closed loop" in to_svg(network_plots.consistency_figure(star)).decode()


def test_a_loop_gives_node_splits_and_the_league_tsv_has_both_triangles():
    loop = small([("s1", "A", 3, 10), ("s1", "B", 4, 10), ("s2", "A", 3, 12), ("s2", "C", 5, 12),
                  ("s3", "B", 6, 15), ("s3", "C", 4, 15)])
    assert loop["consistency"]["loop"] is True
    assert set(loop["consistency"]["node_split"]["random"]) == {"B|A", "C|A", "C|B"}
    lines = [line.split("\t") for line in network_plots.league_tsv(loop).splitlines()]
    assert lines[0] == ["row vs column", "A", "B", "C"]
    assert lines[1][1] == "A" and "(1)" in lines[1][2] and "(" not in lines[2][1].split("]")[1]
    json.dumps(loop, allow_nan=False)


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6, 7, 8])
def test_graph_captions_clear_every_edge_and_each_other(k):
    """Each node's caption sits on the side away from the circle's centre (plotting.network_plots.
    caption_at), so no edge (a chord of the circle) runs through it, in a complete network of k nodes."""
    from examples import text_boxes, text_problems
    from metapool.plotting.network_plots import graph_figure

    names = ["norepinephrine", "vasopressin", "dopamine", "epinephrine", "terlipressin", "phenylephrine",
             "angiotensin II", "methylene blue"][:k]
    net = {"title": "Graph", "status": "analysed", "message": None, "reference": names[0],
           "treatments": [{"treatment": t, "trials": 12, "patients": 1200 + 97 * i} for i, t in enumerate(names)],
           "edges": [{"a": a, "b": b, "trials": 1 + (i + j) % 3}
                     for i, a in enumerate(names) for j, b in enumerate(names) if i < j]}
    canvas = graph_figure(net)
    outside, overlaps = text_problems(canvas)
    assert not outside
    assert not [pair for pair in overlaps if not pair[0].isdigit() or not pair[1].isdigit()]  # edge counts may meet
    wanted = {names[0] + " (reference)", *names[1:]}
    captions = [box for text, box in text_boxes(canvas)
                if text in wanted or (text.startswith("12 trials, ") and text.endswith(" patients"))]
    assert len(captions) == 2 * k
    lines = [data[0] for kind, data in canvas.drawn() if kind == "line" and len(data[0]) == 2]
    for (x0, y0), (x1, y1) in lines:
        for s in range(101):
            x, y = x0 + (x1 - x0) * s / 100, y0 + (y1 - y0) * s / 100
            assert not any(b[0] < x < b[2] and b[1] < y < b[3] for b in captions), (x, y)
