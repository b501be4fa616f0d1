"""The review's network as a reviewer uses it (issue 26): publish, add a trial that enters the
network, see only the network rerun, its league table move and the changes entry."""

from __future__ import annotations

import json

import pytest

import workflow_helpers as wf
from metapool.cli import EXIT_CONCLUSION_CHANGED, run

pytestmark = pytest.mark.slow

NETWORK = "vasopressors_mortality"
SYNTHETIC_QUOTE = ('"At day 28, 150 of 300 patients in the dopamine group and 90 of 300 in the epinephrine group '
                   'had died." [note: SYNTHETIC trial written by tests/test_workflow_network.py, not real data]')


def network(workdir) -> dict:
    return json.loads((workdir / "results" / "networks" / NETWORK / "network.json").read_text(encoding="utf-8"))


def add_head_to_head_trial(workdir):
    """data/raw/dopa-epi-synth.csv: a made-up dopamine vs epinephrine trial (test data only); it
    closes the loop norepinephrine-dopamine-epinephrine."""
    raw = workdir / "data" / "raw"
    template = raw / "patel-2010-dopamine.csv"
    row = wf.synthetic_row(template, trial="DOPA-EPI-SYNTH", first_author="Synthetica", year="2025",
                           journal="Synthetic Test Data", doi="", pmid="", comparator="epinephrine",
                           comparator_class="other catecholamine", timepoint_days="28", events_trt="150",
                           total_trt="300", events_ctl="90", total_ctl="300", quote=SYNTHETIC_QUOTE,
                           source="https://example.org/synthetic-test-trial")
    wf.write_rows(raw / "dopa-epi-synth.csv", [row], wf.header_of(template))


def publish(workdir):
    args = ["--results", str(workdir / "results"), "--versions", str(workdir / "data" / "versions"),
            "--config", str(workdir / "config" / "config.yaml")]
    assert run(["publish", "--date", "2026-01-01", "--no-check", *args]) == 0
    return args


def test_a_new_trial_moves_the_league_table_and_the_changes_entry(copy, capsys):
    before = network(copy)
    assert before["status"] == "analysed" and before["consistency"]["loop"] is False
    args = publish(copy)
    versions = json.loads((copy / "data" / "versions" / "versions.json").read_text(encoding="utf-8"))
    assert set(versions[-1]["networks"]) == {NETWORK}
    wf.run_ok(copy)  # the published version is an input of every analysis' versions figure
    league_before = (copy / "results" / "networks" / NETWORK / "league.tsv").read_text(encoding="utf-8")
    snap = wf.snapshot(copy)

    add_head_to_head_trial(copy)
    planned = set(wf.planned_jobs(copy))
    assert f"network_{NETWORK}" in planned
    assert not {j for j in planned if j.startswith("analyse_")}, planned
    wf.run_ok(copy)
    after = network(copy)
    assert "DOPA-EPI-SYNTH" in {t["trial"] for t in after["trials"]}
    assert after["consistency"]["loop"] is True and "epinephrine|dopamine" in after["consistency"]["node_split"]["random"]
    assert after["random"]["league"]["dopamine|epinephrine"] != before["random"]["league"]["dopamine|epinephrine"]
    assert (copy / "results" / "networks" / NETWORK / "league.tsv").read_text(encoding="utf-8") != league_before
    for name in wf.analyses(copy):
        assert wf.under(wf.snapshot(copy), name) == wf.under(snap, name), f"{name} was rewritten"

    changes = json.loads((copy / "results" / "changes.json").read_text(encoding="utf-8"))
    (entry,) = changes["networks"]
    assert entry["status"] == "changed" and entry["trials_added"] == ["DOPA-EPI-SYNTH"]
    kinds = {f["kind"] for f in entry["conclusion_changes"]}
    assert "league_ci_now_excludes_null" in kinds and changes["conclusion_changed"]
    assert "Network meta-analyses" in (copy / "results" / "changes.md").read_text(encoding="utf-8")
    capsys.readouterr()
    assert run(["changes", "--check", "--format", "json", *args]) == EXIT_CONCLUSION_CHANGED
    assert json.loads(capsys.readouterr().out)["networks"] == changes["networks"]



def test_a_misspelt_node_name_stops_the_workflow_at_parse_time(tmp_path):
    """config networks: a node joining a name no trial row has: Snakemake stops before any job,
    naming the config key. (Arm-level problems, e.g. a shared arm whose counts disagree, are
    located at file, row and column the same way: tests/test_network_workflow.py.)"""
    workdir = wf.make_copy(tmp_path / "wf")
    config = workdir / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "norepinephrine + dobutamine]" in text
    config.write_text(text.replace("norepinephrine + dobutamine]", "norepinephrine + dobutamin]"), encoding="utf-8")
    proc = wf.snakemake(workdir, "--dry-run")
    assert proc.returncode != 0
    assert f"networks.{NETWORK}.nodes.norepinephrine" in proc.stdout and "Invalid input" in proc.stdout
    assert not (workdir / "results").exists()
