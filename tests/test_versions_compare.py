"""metapool.versions: what changed between a published state and the current results."""

import versions_helpers as vh
from metapool.versions import store
from metapool.versions.compare import compare
from metapool.versions.report import build


def changes(tmp_path, before_rows, after_rows, before_analyses=None, after_analyses=None) -> dict:
    """The report of results written from ``after_rows`` against a state from ``before_rows``."""
    published = store.current_states(vh.write_results(tmp_path / "before", before_rows, before_analyses))
    current = store.current_states(vh.write_results(tmp_path / "after", after_rows, after_analyses))
    return vh.by_name(build({"version": 1, "date": "2026-01-01", "label": None}, compare(published, current)))


def test_same_results_are_unchanged(tmp_path):
    entries = changes(tmp_path, vh.rows(), vh.rows())
    assert {e["status"] for e in entries.values()} == {"unchanged"}
    assert all(e["numbers_changed"] is False and not e["conclusion_changes"] for e in entries.values())
    assert all(e["verdict"] == "no conclusion changed" for e in entries.values())


def test_added_trial_is_listed_exactly_where_it_enters(tmp_path):
    entries = changes(tmp_path, vh.rows(), vh.rows(vh.ECHO))  # ECHO: 28 days, agent x
    for name in ("mortality_28d", "agent_x_28d"):
        e = entries[name]
        assert e["status"] == "changed"
        assert [t["trial"] for t in e["trials_added"]] == ["ECHO"]
        assert e["trials_added"][0]["fields"]["events_trt"] == 22
        assert e["trials_removed"] == [] and e["trials_edited"] == []
        assert e["numbers_changed"] is True
        assert e["after"]["k"] == e["before"]["k"] + 1
        assert e["after"]["participants"] == e["before"]["participants"] + 160
    assert entries["mortality_90d"]["status"] == "unchanged"
    assert entries["mortality_90d"]["trials_added"] == []


def test_before_and_after_are_on_the_analysis_scale_with_the_measure_named(tmp_path):
    e = changes(tmp_path, vh.rows(), vh.rows(vh.ECHO))["mortality_28d"]
    for block in (e["before"], e["after"]):
        assert block["measure"] == "RR" and block["scale"] == "log"
        assert set(block) >= {"k", "participants", "est", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2"}
    assert e["before"]["est"] < 0  # ln RR of about 0.89
    assert e["before"]["participants"] == 200 + 300 + 160


def test_edited_count_lists_the_trial_with_old_and_new(tmp_path):
    after = vh.rows()
    after[0]["events_trt"] = 31  # ALPHA at 28 days
    entries = changes(tmp_path, vh.rows(), after)
    for name in ("mortality_28d", "agent_x_28d"):
        e = entries[name]
        assert e["status"] == "changed" and e["numbers_changed"] is True
        assert e["trials_edited"] == [{"trial": "ALPHA", "fields": {"events_trt": {"old": 30, "new": 31}}}]
        assert e["trials_added"] == [] and e["trials_removed"] == []
    assert entries["mortality_90d"]["status"] == "unchanged"


def test_quote_edit_changes_no_number(tmp_path):
    after = vh.rows()
    after[1]["quote"] = "BRAVO: corrected sentence from the full text."
    after[1]["source"] = "https://example.org/bravo-full-text"
    e = changes(tmp_path, vh.rows(), after)["mortality_28d"]
    assert e["status"] == "changed"
    assert e["numbers_changed"] is False
    assert e["before"] == e["after"]
    assert list(e["trials_edited"][0]["fields"]) == ["quote", "source"]
    assert e["conclusion_changes"] == [] and e["verdict"] == "no conclusion changed"
    assert "inputs only, numbers unchanged" in e["summary"]


def test_removed_trial_is_listed_removed(tmp_path):
    after = [r for r in vh.rows() if r["trial"] != "CHARLIE"]
    entries = changes(tmp_path, vh.rows(), after)
    for name in ("mortality_28d", "agent_x_28d"):
        e = entries[name]
        assert [t["trial"] for t in e["trials_removed"]] == ["CHARLIE"]
        assert e["trials_removed"][0]["fields"]["total_ctl"] == 80
        assert e["after"]["k"] == e["before"]["k"] - 1
    assert entries["mortality_90d"]["status"] == "unchanged"


def test_removed_and_added_analyses(tmp_path):
    before = {k: v for k, v in vh.ANALYSES.items() if k != "mortality_90d"}
    after = {k: v for k, v in vh.ANALYSES.items() if k != "agent_x_28d"}
    entries = changes(tmp_path, vh.rows(), vh.rows(), before, after)
    assert entries["agent_x_28d"]["status"] == "removed"
    assert entries["agent_x_28d"]["after"] is None and entries["agent_x_28d"]["before"]["k"] == 2
    assert entries["mortality_90d"]["status"] == "added"
    assert entries["mortality_90d"]["before"] is None
    assert [t["trial"] for t in entries["mortality_90d"]["trials_added"]] == ["ALPHA", "BRAVO"]
    assert entries["mortality_28d"]["status"] == "unchanged"


def test_without_a_published_version_every_analysis_is_added(tmp_path):
    current = store.current_states(vh.write_results(tmp_path / "r", vh.rows()))
    report = build(None, compare(None, current))
    assert [e["status"] for e in report["analyses"]] == ["added"] * 3
    assert report["baseline"] is None


def test_renamed_title_and_new_setting_are_definition_changes(tmp_path):
    published = store.current_states(vh.write_results(tmp_path / "r", vh.rows()))
    current = {name: {**s, "title": s["title"] + " (ITT)"} for name, s in published.items()}
    current["mortality_28d"]["settings"] = {**current["mortality_28d"]["settings"], "tau2_method": "DL"}
    e = vh.by_name(build(None, compare(published, current)))["mortality_28d"]
    assert e["status"] == "changed" and e["numbers_changed"] is False
    assert e["definition_changed"]["settings.tau2_method"] == {"old": "REML", "new": "DL"}
    assert e["definition_changed"]["title"]["new"].endswith("(ITT)")


def test_trial_fields_exclude_what_the_engine_derives(tmp_path):
    state = store.current_states(vh.write_results(tmp_path / "r", vh.rows()))["mortality_28d"]
    fields = state["trials"]["ALPHA"]
    assert {"events_trt", "total_trt", "events_ctl", "total_ctl", "quote", "source", "agent"} <= set(fields)
    assert not {"yi", "vi", "se", "ci_lb", "ci_ub", "weight_fixed", "weight_random", "effect", "status"} & set(fields)
    assert not any(key.startswith(("effect.", "reported.", "converted.")) for key in fields)


def test_a_reported_rr_enters_as_its_fields(tmp_path):
    reported = vh.row("FOXTROT", 28, "x", None, None, None, None, effect_measure="RR", effect=0.9,
                      effect_lower=0.7, effect_upper=1.2)
    state = store.current_states(vh.write_results(tmp_path / "r", vh.rows(reported)))["mortality_28d"]
    fields = state["trials"]["FOXTROT"]
    assert (fields["effect_measure"], fields["effect"], fields["effect_lower"], fields["effect_upper"]) == ("RR", 0.9, 0.7, 1.2)
    assert state["participants"] == 200 + 300 + 160  # FOXTROT's totals are unknown


def test_report_orders_flagged_analyses_first_then_config_order(tmp_path):
    order = ["mortality_90d", "agent_x_28d", "mortality_28d"]
    after = vh.rows(vh.DELTA)  # flags mortality_28d
    after[2]["events_ctl"] += 1  # CHARLIE: agent_x_28d changes without a flag
    report = build(None, compare(store.current_states(vh.write_results(tmp_path / "b", vh.rows()), order),
                                 store.current_states(vh.write_results(tmp_path / "a", after), order)))
    assert [e["analysis"] for e in report["analyses"]] == ["mortality_28d", "mortality_90d", "agent_x_28d"]
    assert report["conclusion_changed"] is True
    assert report["counts"] == {"changed": 2, "unchanged": 1, "added": 0, "removed": 0, "flagged": 1}
