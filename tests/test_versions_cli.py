"""`metapool publish` and `metapool changes`: output, exit codes, and the freshness check."""

import json

import pytest
import yaml

import versions_helpers as vh
import workflow_helpers as wf
from metapool.cli import EXIT_CONCLUSION_CHANGED, EXIT_INPUT, EXIT_OK, EXIT_STALE, run
from metapool.versions.publish import check_fresh

ORDER = ["mortality_90d", "agent_x_28d", "mortality_28d"]


@pytest.fixture
def review(tmp_path, monkeypatch):
    """A folder with results/ of the synthetic review and a config naming its analyses in ORDER."""
    monkeypatch.chdir(tmp_path)
    vh.write_results(tmp_path / "results", vh.rows())
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(
        "analyses:\n" + "".join(f"  {name}: {{}}\n" for name in ORDER), encoding="utf-8")
    return tmp_path


def cli(capsys, *argv):
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_changes_check_is_0_without_a_conclusion_change(review, capsys):
    assert cli(capsys, "publish", "--date", "2026-03-01", "--no-check")[0] == EXIT_OK
    vh.write_results(review / "results", vh.rows(vh.ECHO))
    code, out, err = cli(capsys, "changes", "--check")
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith("# What changed since version 1 (2026-03-01)")
    assert "**No conclusion changed** (3 analyses)" in out


def test_changes_check_is_4_when_a_conclusion_changed(review, capsys):
    assert EXIT_CONCLUSION_CHANGED == 4
    assert cli(capsys, "publish", "--date", "2026-03-01", "--no-check")[0] == EXIT_OK
    vh.write_results(review / "results", vh.rows(vh.DELTA))
    code, out, _ = cli(capsys, "changes", "--check", "--format", "json")
    assert code == EXIT_CONCLUSION_CHANGED
    report = json.loads(out)
    assert [e["analysis"] for e in report["analyses"]] == ["mortality_28d", "mortality_90d", "agent_x_28d"]
    assert cli(capsys, "changes")[0] == EXIT_OK  # without --check the report is all


def test_changes_check_is_2_for_a_malformed_versions_file(review, capsys):
    (review / "data" / "versions").mkdir(parents=True)
    (review / "data" / "versions" / "versions.json").write_text('{"version": 1}', encoding="utf-8")
    code, out, err = cli(capsys, "changes", "--check")
    assert (code, out) == (EXIT_INPUT, "")
    assert "data/versions/versions.json" in err and "must be a JSON list of versions" in err


def test_publish_rejects_a_bad_date(review, capsys):
    code, _, err = cli(capsys, "publish", "--date", "01/03/2026", "--no-check")
    assert code == EXIT_INPUT and "YYYY-MM-DD" in err
    assert not (review / "data").exists()


def test_publish_writes_the_versions_folder(review, capsys):
    code, out, err = cli(capsys, "publish", "--date", "2026-03-01", "--label", "first", "--no-check")
    assert (code, out) == (EXIT_OK, "")
    assert "published version 1 (2026-03-01)" in err
    versions = json.loads((review / "data" / "versions" / "versions.json").read_text(encoding="utf-8"))
    assert versions[0]["label"] == "first" and sorted(versions[0]["analyses"]) == sorted(ORDER)
    log = (review / "data" / "versions" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert [line.split("`")[1] for line in log.splitlines() if line.startswith("- `")] == ORDER


def test_help_documents_the_commands_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        run(["--help"])
    text = capsys.readouterr().out
    for word in ("metapool publish --date YYYY-MM-DD", "metapool changes", "--check", "--no-check",
                 "4 (`changes\n--check` only)", "5\n(`publish` only)"):
        assert word in text


@pytest.mark.slow
def test_publish_refuses_stale_results(copy, capsys, monkeypatch):
    assert check_fresh(copy) is None
    table = copy / "data" / "raw" / "athos-3.csv"
    rows = wf.read_rows(table)
    rows[0]["quote"] += " [checked against the full text]"
    wf.write_rows(table, rows, wf.header_of(table))
    reason = check_fresh(copy)
    assert reason.startswith("results/ is stale: Snakemake would run ")
    assert "analyse_angiotensin_ii_vs_placebo_mortality" in reason
    monkeypatch.chdir(copy)
    code, _, err = cli(capsys, "publish", "--date", "2026-03-01")
    assert code == EXIT_STALE and "not published: results/ is stale" in err
    assert not (copy / "data" / "versions").exists()
    wf.run_ok(copy)
    assert cli(capsys, "publish", "--date", "2026-03-01")[0] == EXIT_OK
    code, out, _ = cli(capsys, "changes", "--check")
    n = len(yaml.safe_load((copy / "config" / "config.yaml").read_text(encoding="utf-8"))["analyses"])
    assert code == EXIT_OK and f"{n} unchanged" in out
