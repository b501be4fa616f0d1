"""Published versions of networks (metapool.versions.networks): states, flags and the report."""

from __future__ import annotations

from metapool.network.result import build
from metapool.versions import networks as nets


def network(extra=()):
    trials = [("s1", "A", 30, 100), ("s1", "B", 28, 100), ("s2", "A", 30, 100), ("s2", "C", 29, 100), *extra]
    arms = [{"study": s, "treatment": t, "events": e, "total": n, "label": s, "timepoint_days": 28,
             "names": [t], "rows": []} for s, t, e, n in trials]
    return build({"name": "n", "title": "Net", "measure": "RR", "reference": "A", "small_values": "good"}, arms, [])


def test_state_ranks_by_pscore_and_keeps_each_pair_once():
    state = nets.network_state(network())
    assert state["ranking"][0] == "B" and set(state["league"]) == {"B|A", "C|A", "C|B"}
    assert state["inconsistency"] is False and state["trials"] == ["s1", "s2"]


def test_a_trial_that_moves_a_ci_across_the_null_and_the_ranking_is_flagged():
    before = nets.network_state(network())
    after = nets.network_state(network([("s3", "C", 300, 2000), ("s3", "A", 400, 2000)]))
    entries = nets.compare({"n": before}, {"n": after})
    assert entries[0]["status"] == "changed" and entries[0]["trials_added"] == ["s3"]
    kinds = [f["kind"] for f in entries[0]["conclusion_changes"]]
    assert "ranking_changed" in kinds and "league_ci_now_excludes_null" in kinds
    sentence = next(f["sentence"] for f in entries[0]["conclusion_changes"] if f["kind"] == "league_ci_now_excludes_null")
    assert sentence.startswith("C vs A: the 95% CI of the network RR now excludes 1")
    back = nets.compare({"n": after}, {"n": before})[0]["conclusion_changes"]
    assert "league_ci_no_longer_excludes_null" in [f["kind"] for f in back]


def test_newly_detected_inconsistency_is_flagged():
    loop = [("s3", "B", 10, 100), ("s3", "C", 60, 100), ("s4", "B", 12, 100), ("s4", "C", 58, 100)]
    after = nets.network_state(network(loop))
    assert after["inconsistency"] is True
    flags = nets.flags(nets.network_state(network()), after)
    assert "inconsistency_detected" in [f["kind"] for f in flags]
    assert nets.compare({"n": after}, {"n": after})[0]["status"] == "unchanged"


def test_markdown_says_what_to_do():
    entries = nets.compare(None, {"n": nets.network_state(network())})
    text = "\n".join(nets.to_markdown(entries))
    assert "## Network meta-analyses (1)" in text and "Status: added." in text
