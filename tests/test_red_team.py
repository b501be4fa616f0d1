"""Issue 24: the red-team failures, one test (or more) per case. Fast unit tests of the validators
and writers; the end-to-end cases (Snakemake runs) are marked slow.

A job never fails on input that validation accepted: each input is checked when the Snakefile is
parsed, with file, row, column and rule named."""

from __future__ import annotations

import json
import math
import shutil
import sys
import types
from pathlib import Path

import pytest

import versions_helpers as vh
import workflow_helpers as wf
from metapool.engine.render import fmt, to_json
from metapool.errors import InputError, Problem
from metapool import bounds
from metapool.inputs import glyphs
from metapool.inputs.csvread import read_table
from metapool.inputs.trials import OneTrialPerFile, load_trials
from metapool.inputs.yamlread import load_yaml
from metapool.pipeline import analyses as analysis_defs
from metapool.pipeline.settings import TimepointSettings
from metapool.safetext import md_text, tsv_cell
from metapool.versions import store
from metapool.versions.html import to_html
from metapool.versions.publish import edited_outputs, publish

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
sys.path.insert(0, str(ROOT / "workflow" / "scripts"))
import common  # noqa: E402  (the workflow's sys.path set-up and metapool check)


def table_copy(tmp_path: Path, name: str = "stress-l.csv") -> Path:
    """A private copy of a real trial table, for a test to edit."""
    dest = tmp_path / name
    shutil.copy(RAW / name, dest)
    return dest


def problems_of(paths) -> list[Problem]:
    with pytest.raises(InputError) as err:
        load_trials(paths)
    return err.value.problems


# --- 1. text outside the figure fonts ------------------------------------------------------------

@pytest.mark.parametrize("text, char", [("Liu 2019 \u7279\u5229\u52a0\u538b\u7d20 trial", "\u7279"),
                                        ("terlipressin \U0001F489", "\U0001F489")])
def test_text_outside_the_fonts_is_rejected_with_its_location(tmp_path, text, char):
    path = table_copy(tmp_path)
    wf.edit_cell(path, {"timepoint_days": "28"}, "agent", text)
    rows = load_trials([path]).rows
    found = glyphs.figure_text_problems(glyphs.trial_texts(rows))
    assert [(p.file, p.row, p.column) for p in found] == [(str(path), 2, "agent")]
    assert f"U+{ord(char):04X}" in found[0].message and "Latin letters" in found[0].message


def test_the_cheap_characters_are_in_every_font_and_greek_and_accents_pass():
    covered = glyphs.covered()
    assert all(ord(ch) in covered for ch in glyphs._CHEAP)
    assert glyphs.missing("Annane 2018 \u00e9 \u03b1\u03b2 \u2265 \u2013 \u00b5g") == []


def test_the_quote_may_keep_the_original_script_but_a_title_may_not():
    rows = [{"file": "x.csv", "row": 2, "quote": "\u7279\u5229\u52a0\u538b\u7d20", "trial": "LIU"}]
    assert glyphs.figure_text_problems(glyphs.trial_texts(rows)) == []
    analysis = types.SimpleNamespace(name="a", title="\u7279 analysis")
    [p] = glyphs.figure_text_problems(glyphs.config_texts([analysis], "config/config.yaml"))
    assert (p.file, p.column) == ("config/config.yaml", "analyses.a.title")


# --- 2, 9, 22. versions.json: truncated, edited, NaN ------------------------------------------------

@pytest.fixture
def published(tmp_path):
    results = vh.write_results(tmp_path / "results", vh.rows())
    publish(results, tmp_path / "versions", "2026-03-01", "first", analyses=list(vh.ANALYSES), check=False)
    return tmp_path / "versions" / "versions.json"


def test_published_records_carry_a_digest_that_verifies(published):
    [version] = store.load_versions(published)
    assert version["digest"] == store.record_digest(version)


def test_a_truncated_versions_file_is_not_valid_json(published):
    text = published.read_text(encoding="utf-8")
    published.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as err:
        store.load_versions(published)
    assert err.value.problems[0].file == str(published)


def edit_state(path: Path, **changes):
    versions = json.loads(path.read_text(encoding="utf-8"))
    versions[0]["analyses"]["mortality_28d"].update(changes)
    return versions


def test_a_hand_edited_record_fails_its_digest_and_is_never_a_baseline(published):
    versions = edit_state(published, est=0.5)
    published.write_text(store.dump_json(versions), encoding="utf-8")
    with pytest.raises(InputError, match="does not match its digest"):
        store.load_versions(published)


def test_an_estimate_outside_its_ci_and_k_beyond_the_stored_trials_are_located(published):
    state = json.loads(published.read_text(encoding="utf-8"))[0]["analyses"]["mortality_28d"]
    versions = edit_state(published, est=state["ci_ub"] + 1, k=9)
    versions = [store.with_digest(v) for v in versions]  # a consistent digest does not make it valid
    found = store.version_problems(versions, "versions.json")
    where = {p.column: p.message for p in found}
    assert "estimate" in where["[0].analyses.mortality_28d.est"]
    assert "k = 9 but the state stores 3 trial(s)" in where["[0].analyses.mortality_28d.k"]


def test_nan_in_json_is_rejected_when_read(published):
    text = published.read_text(encoding="utf-8").replace('"tau2": 0', '"tau2": NaN', 1)
    assert "NaN" in text
    published.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="not a finite number"):
        store.load_versions(published)


def test_changes_check_with_nan_ends_in_a_message_not_a_traceback(published, capsys):
    from metapool.cli import EXIT_INPUT, run

    text = published.read_text(encoding="utf-8").replace('"tau2": 0', '"tau2": NaN', 1)
    published.write_text(text, encoding="utf-8")
    code = run(["changes", "--check", "--results", str(published.parents[1] / "results"),
                "--versions", str(published.parent), "--config", "absent.yaml"])
    assert code == EXIT_INPUT
    assert "not a finite number" in capsys.readouterr().err


def test_the_committed_versions_file_verifies():
    assert store.load_versions(ROOT / "data" / "versions" / "versions.json")


# --- 3, 23. a fit that does not converge finishes its analysis ----------------------------------------

def test_non_convergence_finishes_with_the_fallback_named_and_the_remedy(tmp_path, monkeypatch, capfd):
    from metapool.pipeline import jobs
    from metapool.pipeline.settings import from_config_entry

    rows = load_trials(sorted(RAW.glob("*.csv"))).rows
    spec = {"title": "Vasopressin vs norepinephrine", "control": {"maxiter": 1},
            "filter": {"outcome": "all-cause mortality", "agent": "vasopressin",
                       "comparator_class": "norepinephrine"},
            "timepoint": {"min_days": 28, "max_days": 90, "unstated": True}}
    analysis = from_config_entry("vaso", spec, {})
    monkeypatch.chdir(tmp_path)
    pooled = jobs.write_tables(analysis, rows, None).pooled
    block = pooled["convergence"]
    assert (block["converged"], block["estimator"], block["fallback"]) == (False, "REML", "DL")
    assert "stepadj: 0.5, maxiter: 1000" in block["remedy"]
    assert pooled["notes"][0] == block["sentence"] and pooled["random"]["tau2_method"] == "DL"
    assert json.loads((tmp_path / "results" / "vaso" / "pooled.json").read_text())["convergence"] == block
    assert "did not converge" in capfd.readouterr().err


def test_a_converging_fit_says_so_by_null(tmp_path, monkeypatch):
    from metapool.pipeline import jobs
    from metapool.pipeline.settings import from_config_entry

    rows = load_trials([RAW / "stress-l.csv"]).rows
    analysis = from_config_entry("s", {"filter": {"outcome": "all-cause mortality", "timepoint_days": 28}}, {})
    monkeypatch.chdir(tmp_path)
    assert jobs.write_tables(analysis, rows, None).pooled["convergence"] is None


# --- 4, 5, 6. plausibility bounds --------------------------------------------------------------------

def test_bounds_are_stated_once():
    assert bounds.RD_RANGE == (-1.0, 1.0) and bounds.MAX_TIMEPOINT_DAYS == 1826
    assert bounds.rd_problem(3.6) and not bounds.rd_problem(-1.0)
    assert bounds.timepoint_problem(2800) and not bounds.timepoint_problem(1826)


def test_a_timepoint_typo_is_rejected_with_its_location(tmp_path):
    path = table_copy(tmp_path)
    wf.edit_cell(path, {"timepoint_days": "28"}, "timepoint_days", "2800")
    [p] = problems_of([path])
    assert (p.row, p.column) == (2, "timepoint_days") and "1826" in p.message


def test_an_rd_in_percentage_points_is_rejected(tmp_path):
    path = table_copy(tmp_path)
    for column, value in (("effect", "11.7"), ("effect_lower", "-4.4"), ("effect_upper", "27.8")):
        wf.edit_cell(path, {"timepoint_days": "28"}, column, value)
    [p] = problems_of([path])
    assert (p.row, p.column) == (2, "effect") and "outside [-1, 1]" in p.message


@pytest.mark.parametrize("window, words", [({"min_days": 90, "max_days": 28}, "above max_days"),
                                           ({"min_days": 28, "max_days": 9000}, "1826")])
def test_a_timepoint_window_that_selects_nothing_is_a_config_error(window, words):
    with pytest.raises(ValueError, match=words):
        TimepointSettings(**window)
    config = {"analyses": {"a": {"filter": {"outcome": "x"}, "timepoint": window}}}
    with pytest.raises(InputError) as err:
        analysis_defs.from_config(config)
    assert err.value.problems[0].column == "analyses.a" and words in err.value.problems[0].message


# --- 7. a bare carriage return inside a quoted cell ------------------------------------------------

def test_a_bare_cr_inside_a_quoted_cell_is_rejected(tmp_path):
    path = table_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('derived,"""Mortality at day 28', 'derived,"""Mortality\rat day 28', 1),
                    encoding="utf-8", newline="")
    table, found = read_table(path)
    assert [(p.row, p.column) for p in found] == [(2, "quote")]
    assert "carriage return" in found[0].message


def test_a_bare_cr_outside_quotes_names_its_line(tmp_path):
    path = table_copy(tmp_path)
    wf.edit_cell(path, {"timepoint_days": "28"}, "quote", "first line\rsecond line")
    table, found = read_table(path)
    assert table is None and "without a line feed on line 2" in found[0].message


# --- 8, 19. YAML: duplicate keys and syntax errors ----------------------------------------------------

def test_a_duplicate_analysis_is_rejected_with_file_and_line(tmp_path):
    text = (ROOT / "config" / "config.yaml").read_text(encoding="utf-8")
    path = tmp_path / "config.yaml"
    path.write_text(text + "\n  iloprost_vs_placebo_28d:\n    title: pasted\n    filter: {agent: iloprost}\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="key 'iloprost_vs_placebo_28d' is given twice") as err:
        load_yaml(path)
    assert err.value.problems[0].file == str(path)


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("data_dir: data/raw\nanalyses:\n  a: {title: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_yaml(path)
    assert str(path) in str(err.value) and "line 4" in str(err.value) and "not valid YAML" in str(err.value)


def test_the_committed_config_reads_strictly():
    assert "analyses" in load_yaml(ROOT / "config" / "config.yaml")


# --- 10, 21. publish decides freshness from content --------------------------------------------------

def job_like_results(root: Path) -> Path:
    """A results/ tree with one analysis and the digest its job would write (SHA-256 of each file)."""
    import hashlib

    out = root / "results" / "a"
    out.mkdir(parents=True)
    (out / "pooled.json").write_text('{"k": 1}\n', encoding="utf-8")
    (out / "forest.png").write_bytes(b"png")
    (root / "data.csv").write_text("trial\n", encoding="utf-8")
    files = {f"results/a/{n}": hashlib.sha256((out / n).read_bytes()).hexdigest() for n in ("pooled.json", "forest.png")}
    inputs = {"data.csv": hashlib.sha256(b"trial\n").hexdigest()}
    (root / "results" / "digests").mkdir()
    (root / "results" / "digests" / "a.json").write_text(to_json({"a": {"files": files, "inputs": inputs}}))
    return root


def test_untouched_outputs_are_fresh(tmp_path):
    assert edited_outputs(job_like_results(tmp_path)) is None


def test_a_hand_edited_pooled_json_is_stale_by_content(tmp_path):
    root = job_like_results(tmp_path)
    (root / "results" / "a" / "pooled.json").write_text('{"k": 2}\n', encoding="utf-8")
    why = edited_outputs(root)
    assert "results/a/pooled.json" in why and "--forcerun analyse_a" in why


def test_an_input_edited_without_a_newer_mtime_is_stale(tmp_path):
    root = job_like_results(tmp_path)
    (root / "data.csv").write_text("trial\nX\n", encoding="utf-8")
    assert "input(s) changed" in edited_outputs(root)


def test_a_deleted_output_advises_a_run_that_rebuilds_it(tmp_path):
    root = job_like_results(tmp_path)
    (root / "results" / "a" / "forest.png").unlink()
    assert "deleted (results/a/forest.png): run snakemake, which rebuilds them" in edited_outputs(root)


# --- 12. one metapool per run ------------------------------------------------------------------------

def test_the_checkout_is_first_on_the_path_and_another_metapool_is_named():
    assert sys.path.index(str(common.WORKFLOW)) <= sys.path.index(str(ROOT / "workflow" / "scripts"))
    import metapool

    assert common.metapool_mismatch(metapool) is None
    other = types.SimpleNamespace(__file__="/opt/site-packages/metapool/__init__.py", __version__="0.0.9")
    why = common.metapool_mismatch(other)
    assert "/opt/site-packages/metapool" in why and str(common.WORKFLOW / "metapool") in why and "0.0.9" in why


# --- 13, 14. safe text in every output ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_tsv_cells_a_spreadsheet_would_run_are_escaped(text):
    cell = fmt(text)
    assert cell.startswith("'") and "\t" not in cell and "\r" not in cell and "\n" not in cell
    assert tsv_cell("plain text") == "plain text" and fmt(-0.5) == "-0.5"  # numbers stay numbers


def test_the_trials_table_escapes_a_formula_in_a_quote(tmp_path):
    from metapool.pipeline.jobs import run_trials_table

    path = table_copy(tmp_path)
    wf.edit_cell(path, {"timepoint_days": "28"}, "population", "=cmd|' /C calc'!A0")
    out = tmp_path / "trials.tsv"
    run_trials_table([str(path)], str(out))
    assert "\t'=cmd|' /C calc'!A0\t" in out.read_text(encoding="utf-8")


def test_a_quote_cannot_forge_a_heading_in_changes_md_or_html():
    from metapool.versions import report

    quote = "fine\n## Conclusion changed\n**yes** <b>x</b> | cell"
    entry = {"analysis": "a", "title": "T", "status": "added", "conclusion_changes": [],
             "trials_added": [{"trial": "ALPHA", "fields": {"quote": quote, "events_trt": 1, "total_trt": 2,
                                                               "events_ctl": 1, "total_ctl": 2}}],
             "trials_removed": [], "trials_edited": [], "definition_changed": {}, "numbers_changed": None,
             "before": None, "after": None}
    lines = report._trial_lines(entry)
    assert not any(line.startswith("#") for line in lines)
    assert md_text(quote) in "\n".join(lines)
    page = to_html("\n".join(lines))
    assert "<h2>" not in page and "<b>" not in page and "<strong>yes</strong>" not in page
    assert "## Conclusion changed **yes** &lt;b&gt;x&lt;/b&gt; | cell" in page


# --- 16, 17, 18, 20. messages that say what to do ----------------------------------------------------

def test_a_trial_name_without_ascii_letters_says_what_to_do():
    found = []
    OneTrialPerFile("data/raw/x.csv", "hint").check(2, "\u7279\u5229\u52a0\u538b\u7d20", lambda c, m: found.append(m))
    assert len(found) == 1 and "no ASCII letter or digit" in found[0] and "'.csv'" not in found[0]


def test_a_filter_value_of_the_wrong_type_says_so():
    rows = load_trials([RAW / "stress-l.csv"]).rows
    config = {"analyses": {"a": {"filter": {"timepoint_days": "28"}}}}
    [analysis] = analysis_defs.from_config(config)
    [p] = analysis_defs.check_filter_values(analysis, analysis_defs.RowIndex(rows))
    assert p.column == "analyses.a.filter.timepoint_days"
    assert "'28' is text but timepoint_days holds a number" in p.message and "write 28" in p.message


def test_n_for_one_arm_only_names_the_missing_n(tmp_path):
    path = table_copy(tmp_path)
    wf.edit_cell(path, {"timepoint_days": "14"}, "n_trt", "62")
    [p] = problems_of([path])
    assert p.column == "n_ctl" and "give n for both arms or neither" in p.message


def test_numbers_are_finite_everywhere():
    assert bounds.finite(1.0) and not bounds.finite(math.nan) and not bounds.finite(True)
    with pytest.raises(ValueError):
        to_json({"x": math.nan})


# --- end to end (Snakemake) ---------------------------------------------------------------------------

def parse_fails(work: Path, *args: str) -> str:
    """Snakemake's output when it stops at parse time (no job, no results written)."""
    proc = wf.snakemake(work, "--dry-run", *args)
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert not (work / "results").exists()
    return proc.stdout


@pytest.mark.slow
def test_parse_time_errors_name_their_cause(tmp_path):
    work = wf.make_copy(tmp_path / "wf", published=True)
    out = parse_fails(work, "--config", "data_dir=data/nope")
    assert "the folder 'data/nope' does not exist" in out and out.count("no trial row has") == 0
    config = work / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "\n  iloprost_vs_placebo_28d:\n    title: pasted\n", encoding="utf-8")
    assert "key 'iloprost_vs_placebo_28d' is given twice" in parse_fails(work)
    config.write_text(text + "\n  broken: {title: [x\n", encoding="utf-8")
    out = parse_fails(work)
    assert "config/config.yaml" in out and "not valid YAML" in out
    config.write_text(text, encoding="utf-8")
    versions = work / "data" / "versions" / "versions.json"
    versions.write_text(versions.read_text(encoding="utf-8")[:500], encoding="utf-8")
    assert "not valid JSON" in parse_fails(work)
    shutil.copy(ROOT / "data" / "versions" / "versions.json", versions)
    wf.edit_cell(work / "data" / "raw" / "vasst.csv", {"timepoint_days": "28"}, "agent", "vaso \u7279")
    out = parse_fails(work)
    assert "vasst.csv, row" in out and "U+7279" in out


@pytest.mark.slow
def test_a_deleted_output_is_rebuilt_and_a_held_lock_is_reported_first(copy):
    folder = copy / "results" / "iloprost_vs_placebo_28d"
    (folder / "pooled.json").unlink()
    (folder / "forest.png").unlink()
    (folder / ".forest.pdf.k1ll3d.tmp").write_bytes(b"half")
    assert wf.planned_jobs(copy).get("analyse_iloprost_vs_placebo_28d") == 1
    locks = copy / ".snakemake" / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    (locks / "0.output.lock").write_text(str(folder / "pooled.json") + "\n", encoding="utf-8")
    proc = wf.snakemake(copy)
    assert proc.returncode != 0 and "Directory cannot be locked" in proc.stdout
    assert "IncompleteFilesException" not in proc.stdout and "--unlock" in proc.stdout
    (locks / "0.output.lock").unlink()
    wf.run_ok(copy)
    assert (folder / "pooled.json").is_file() and (folder / "forest.png").is_file()
    assert wf.temp_files(copy) == []


# --- more cases of the same kinds (not in the issue) -------------------------------------------------

def test_a_key_given_twice_in_a_json_object_is_rejected(published):
    text = published.read_text(encoding="utf-8").replace('"label": "first"', '"label": "first", "label": "x"', 1)
    published.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="key 'label' is given twice"):
        store.load_versions(published)


@pytest.mark.parametrize("column, text", [("outcome", "mortality\x07"), ("first_author", "Li\u200b"),
                                          ("comparator", "placebo \u0627\u0644\u0639\u0631\u0628\u064a\u0629")])
def test_control_characters_and_other_scripts_in_drawn_columns_are_located(tmp_path, column, text):
    path = table_copy(tmp_path)
    wf.edit_cell(path, {"timepoint_days": "28"}, column, text)
    found = glyphs.figure_text_problems(glyphs.trial_texts(load_trials([path]).rows))
    assert [(p.row, p.column) for p in found] == [(2, column)]


def test_a_risk_of_bias_assessor_outside_the_fonts_is_located():
    rows = [{"file": "data/rob/x.csv", "row": 3, "assessor": "\u738b\u5c0f\u660e"}]
    [p] = glyphs.figure_text_problems(glyphs.rob_texts(rows))
    assert (p.file, p.row, p.column) == ("data/rob/x.csv", 3, "assessor")


def test_a_published_label_cannot_forge_markdown_in_the_changelog():
    from metapool.versions.publish import changelog_entry

    entry = changelog_entry({"version": 2, "date": "2026-05-01", "label": "x** <script>"}, None, [])
    assert "x\\*\\* \\<script\\>" in entry


def test_an_rd_bound_and_a_negative_ratio_in_the_cli_study_table_are_rejected(tmp_path):
    from metapool.inputs.studytable import read_study_table

    path = tmp_path / "s.csv"
    path.write_text("study,effect_measure,effect,effect_lower,effect_upper\na,RD,3.6,1.2,8.4\nb,HR,-1,0.5,2\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_study_table(path)
    messages = {p.row: p.message for p in err.value.problems}
    assert "outside [-1, 1]" in messages[2] and "must be > 0" in messages[3]


def test_publish_refuses_a_hand_edited_output_that_the_dry_run_takes_for_fresh(tmp_path, monkeypatch):
    from metapool.versions import publish as publish_module
    from metapool.versions.publish import StaleResultsError

    root = job_like_results(tmp_path)
    (root / "results" / "a" / "pooled.json").write_text('{"k": 2}\n', encoding="utf-8")
    monkeypatch.setattr(publish_module, "check_fresh", lambda workdir: None)  # newer mtime: "fresh"
    with pytest.raises(StaleResultsError, match="differ from what their job wrote"):
        publish(root / "results", root / "versions", "2026-05-01")
    assert not (root / "versions").exists()


def test_nan_and_infinity_in_the_config_are_located():
    config = {"defaults": {"living": {"acr": float("nan")}}, "analyses": {"a": {"plot": {"xlim": [0.1, float("inf")]}}}}
    assert bounds.nonfinite_keys(config) == ["defaults.living.acr", "analyses.a.plot.xlim[1]"]
