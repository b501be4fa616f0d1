"""metapool.plotting.versions_plot: the pooled estimate across published versions."""

import math

import pytest

import versions_helpers as vh
from metapool.plotting.versions_plot import columns, draw_versions_figure, label_lines, linear_ticks, y_axis
from metapool.plotting.versions_plot import measure_of
from metapool.versions import store
from metapool.versions.publish import publish


@pytest.fixture
def history(tmp_path):
    """Two published versions (agent_x_28d only in the second) and a current run with DELTA."""
    first = {k: v for k, v in vh.ANALYSES.items() if k != "agent_x_28d"}
    publish(vh.write_results(tmp_path / "r1", vh.rows(), first), tmp_path / "v", "2026-03-01", check=False)
    publish(vh.write_results(tmp_path / "r2", vh.rows(vh.ECHO)), tmp_path / "v", "2026-04-01", check=False)
    current = store.current_states(vh.write_results(tmp_path / "r3", vh.rows(vh.ECHO, vh.DELTA)))
    return store.load_versions(tmp_path / "v" / "versions.json"), current


def svg(tmp_path, name, versions, state, leaf="f.svg") -> str:
    path = tmp_path / leaf
    draw_versions_figure(name, versions, state, {"svg": path})
    return path.read_text(encoding="utf-8")


def test_one_column_per_version_and_the_current_run(history):
    versions, current = history
    cols = columns("agent_x_28d", versions, current["agent_x_28d"])
    assert [(c.head, c.date, c.state is None) for c in cols] == [
        ("Version 1", "2026-03-01", True), ("Version 2", "2026-04-01", False), ("Current run", "(not published)", False)]
    assert label_lines(cols[2]) == ["Current run", "(not published)", "k = 3", "0.92 (0.70 to 1.21)"]
    lo, hi, ticks = y_axis(cols, measure_of(cols))
    assert lo < math.log(0.70) and hi > math.log(1.21)
    assert (0.0, "1") in ticks


def test_figure_text_and_deterministic_bytes(history, tmp_path):
    versions, current = history
    one = svg(tmp_path, "mortality_28d", versions, current["mortality_28d"], "a.svg")
    two = svg(tmp_path, "mortality_28d", versions, current["mortality_28d"], "b.svg")
    assert one == two
    for text in ("Any agent: 28-day mortality", "Version 1", "2026-04-01", "Current run",
                 "0.83 (0.75 to 0.92)", "0.89 (0.74 to 1.08)", "Risk ratio (log scale)", "No effect (RR = 1)"):
        assert text in one


def test_an_analysis_absent_from_a_version_says_so(history, tmp_path):
    versions, current = history
    assert "not in this version" in svg(tmp_path, "agent_x_28d", versions, current["agent_x_28d"])
    assert "not in the current run" in svg(tmp_path, "agent_x_28d", versions, None)


def test_no_published_version_says_not_yet_published(history, tmp_path):
    _, current = history
    text = svg(tmp_path, "mortality_28d", [], current["mortality_28d"])
    assert "Not yet published: only the current run is shown." in text
    assert "Version 1" not in text


def test_png_is_written(history, tmp_path):
    versions, current = history
    draw_versions_figure("mortality_28d", versions, current["mortality_28d"], {"png": tmp_path / "f.png"})
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_differences_get_a_linear_axis_with_zero(history, tmp_path):
    versions, current = history
    as_md = [{**v, "analyses": {k: {**s, "measure": "MD"} for k, s in v["analyses"].items()}} for v in versions]
    text = svg(tmp_path, "mortality_90d", as_md, {**current["mortality_90d"], "measure": "MD"})
    assert "Mean difference (MD)" in text and "No effect (MD = 0)" in text
    assert [t for t, _ in linear_ticks(-0.34, 0.21)] == [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2]
