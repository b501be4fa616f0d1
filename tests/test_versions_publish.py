"""metapool.versions.publish and the workflow job: versions.json, CHANGELOG.md, changes.json/md."""

import json

import pytest

import versions_helpers as vh
from metapool.errors import InputError
from metapool.versions import store
from metapool.pipeline.changes_job import run_changes
from metapool.versions.job import changes_report
from metapool.versions.publish import publish, stale_reason

ORDER = list(vh.ANALYSES)


def files(results):
    """The digest the workflow's analysis jobs would write for these results (pipeline.digests), and
    the analyses in config order: run_changes' first two arguments."""
    from metapool.engine.render import to_json
    from metapool.pipeline import digests
    from metapool.pipeline.analysis_result import AnalysisResult
    from metapool.pipeline.settings import AnalysisSettings

    entries = {n: digests.entry(AnalysisResult.from_json(AnalysisSettings(n, n, {}),
                                                         (results / n / "pooled.json").read_text(encoding="utf-8"),
                                                         (results / n / "living.json").read_text(encoding="utf-8")))
               for n in ORDER}
    digest = results / "digests" / "all.json"
    digest.parent.mkdir(exist_ok=True)
    digest.write_text(to_json(entries), encoding="utf-8")
    return [str(digest)], list(ORDER)


def test_publish_round_trips(tmp_path):
    results = vh.write_results(tmp_path / "results", vh.rows())
    version = publish(results, tmp_path / "versions", "2026-03-01", "first", analyses=ORDER, check=False)
    assert version["version"] == 1
    versions = json.loads((tmp_path / "versions" / "versions.json").read_text(encoding="utf-8"))
    assert [(v["version"], v["date"], v["label"]) for v in versions] == [(1, "2026-03-01", "first")]
    assert set(versions[0]["analyses"]) == set(ORDER)
    report = changes_report(store.current_states(results, ORDER), tmp_path / "versions" / "versions.json")
    assert report["baseline"] == {"version": 1, "date": "2026-03-01", "label": "first"}
    assert [e["status"] for e in report["analyses"]] == ["unchanged"] * 3
    assert report["conclusion_changed"] is False


def test_publishing_twice_with_nothing_changed_adds_only_a_version(tmp_path):
    results = vh.write_results(tmp_path / "results", vh.rows())
    out = tmp_path / "versions"
    publish(results, out, "2026-03-01", analyses=ORDER, check=False)
    log1 = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    publish(results, out, "2026-03-08", analyses=ORDER, check=False)
    versions = json.loads((out / "versions.json").read_text(encoding="utf-8"))
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["analyses"] == versions[1]["analyses"]
    log2 = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert log2.startswith(log1)
    entry = log2[len(log1):]
    assert entry.lstrip("\n").startswith("## Version 2: 2026-03-08\n")
    assert "Compared with version 1 (2026-03-01)." in entry
    assert entry.count("unchanged: k = ") == 3 and entry.count("No conclusion changed.") == 3


def test_changelog_names_what_changed_and_the_flags(tmp_path):
    out = tmp_path / "versions"
    publish(vh.write_results(tmp_path / "r1", vh.rows()), out, "2026-03-01", analyses=ORDER, check=False)
    publish(vh.write_results(tmp_path / "r2", vh.rows(vh.DELTA)), out, "2026-04-01", "DELTA published",
            analyses=ORDER, check=False)
    log = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = log[log.index("## Version 2"):]
    assert entry.startswith("## Version 2: 2026-04-01 (DELTA published)\n")
    line = next(x for x in entry.splitlines() if x.startswith("- `mortality_28d`"))
    assert "1 trial added (DELTA)" in line
    assert "**Conclusion changed:** The 95% CI of the risk ratio now excludes 1 (0.74 to 0.92; was 0.74 to 1.08)." in line
    assert "- `mortality_90d`: unchanged" in entry


def test_publish_validates_the_date_and_its_order(tmp_path):
    results = vh.write_results(tmp_path / "results", vh.rows())
    for bad in ("2026-3-1", "2026-02-30", "yesterday"):
        with pytest.raises(InputError, match="--date"):
            publish(results, tmp_path / "v", bad, check=False)
    publish(results, tmp_path / "v", "2026-03-01", check=False)
    with pytest.raises(InputError, match="earlier than version 1"):
        publish(results, tmp_path / "v", "2026-02-01", check=False)
    with pytest.raises(InputError, match="--label"):
        publish(results, tmp_path / "v", "2026-03-02", "two\nlines", check=False)
    assert len(json.loads((tmp_path / "v" / "versions.json").read_text())) == 1


def test_publish_without_a_list_takes_every_pooled_json(tmp_path):
    results = vh.write_results(tmp_path / "results", vh.rows())
    version = publish(results, tmp_path / "v", "2026-03-01", check=False)
    assert sorted(version["analyses"]) == sorted(ORDER)


def test_missing_results_name_the_file(tmp_path):
    results = vh.write_results(tmp_path / "results", vh.rows())
    (results / "mortality_90d" / "living.json").unlink()
    with pytest.raises(InputError, match=r"mortality_90d/living\.json: file not found"):
        publish(results, tmp_path / "v", "2026-03-01", analyses=ORDER, check=False)
    assert not (tmp_path / "v").exists()


def test_a_pooled_result_with_an_unknown_measure_names_the_file(tmp_path):
    results = vh.write_results(tmp_path / "results", vh.rows())
    path = results / "mortality_28d" / "pooled.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"measure": "RR"', '"measure": "XX"'), encoding="utf-8")
    with pytest.raises(InputError, match=r"mortality_28d/pooled\.json, column 'measure': unknown effect measure"):
        store.current_states(results)


def test_run_changes_before_anything_is_published(tmp_path):
    results = vh.write_results(tmp_path / "results", vh.rows())
    run_changes(*files(results), str(tmp_path / "nothing" / "versions.json"),
                str(results / "changes.json"), str(results / "changes.md"))
    report = json.loads((results / "changes.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in report["analyses"]] == ["added"] * 3
    md = (results / "changes.md").read_text(encoding="utf-8")
    assert md.startswith("# What changed: not yet published")


def test_outputs_are_byte_deterministic(tmp_path):
    outputs = []
    for run in ("one", "two"):
        root = tmp_path / run
        out = root / "versions"
        publish(vh.write_results(root / "r1", vh.rows()), out, "2026-03-01", "v1", analyses=ORDER, check=False)
        results = vh.write_results(root / "r2", vh.rows(vh.DELTA, vh.ECHO))
        run_changes(*files(results), str(out / "versions.json"), str(root / "changes.json"), str(root / "changes.md"))
        publish(results, out, "2026-04-01", analyses=ORDER, check=False)
        outputs.append({name: (root / name).read_bytes() for name in
                        ("changes.json", "changes.md", "versions/versions.json", "versions/CHANGELOG.md")})
    assert outputs[0] == outputs[1]
    text = outputs[0]["changes.json"].decode()
    assert text == store.dump_json(json.loads(text))  # sorted keys


def test_malformed_versions_file_names_the_file_and_the_problem(tmp_path):
    path = tmp_path / "versions.json"
    path.write_text('[{"version": 2, "date": "2026-13-01", "analyses": []}]', encoding="utf-8")
    with pytest.raises(InputError) as err:
        store.load_versions(path)
    text = str(err.value)
    assert str(path) in text
    assert "[0].version" in text and "[0].date" in text and "[0].analyses" in text
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        store.load_versions(path)


def test_stale_reason_names_the_jobs_and_why():
    dry_run = ("Building DAG of jobs...\nJob stats:\njob                 count\n"
               "----------------  -------\nanalyse_mortality_28d     1\nchanges                   1\n"
               "all                       1\ntotal                     3\n\nReasons:\n"
               "    (check individual jobs above for details)\n    updated input files:\n"
               "        analyse_mortality_28d\n\nThis was a dry-run (flag -n).\n")
    reason = stale_reason(dry_run)
    assert reason.startswith("results/ is stale: Snakemake would run 3 jobs (analyse_mortality_28d, "
                             "changes); run snakemake first.")
    assert "updated input files:" in reason
