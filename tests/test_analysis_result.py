"""An analysis computed once (pipeline.analysis_result): one object from the typed settings and the
validated rows; its JSON files are its serialisation; rows are checked once per process; drawing
reads the object and leaves it as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from metapool.inputs.trials import load_trials, trial_files
from metapool.measures import datakinds
from metapool.pipeline import analyses
from metapool.pipeline.analysis_result import AnalysisResult, compute

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
SETTINGS = {a.name: a for a in analyses.from_config(CONFIG)}


@pytest.fixture(scope="module")
def rows():
    return load_trials(trial_files(ROOT / "data" / "raw")).rows


def test_rows_are_checked_once_when_read_and_never_again(rows, monkeypatch):
    calls = []
    check = datakinds.check_numbers
    monkeypatch.setattr(datakinds, "check_numbers", lambda *a, **k: calls.append(1) or check(*a, **k))
    load_trials(trial_files(ROOT / "data" / "raw"))
    read = len(calls)
    assert read > 0  # the reader checks every row
    for analysis in SETTINGS.values():
        compute(analysis, rows)
    assert len(calls) == read  # pooling, restrictions, subgroups and living analyses do not check again


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_the_files_are_the_objects_serialisation(rows, name):
    result = compute(SETTINGS[name], rows)
    assert json.loads(result.pooled_json()) == result.pooled
    again = AnalysisResult.from_json(result.settings, result.pooled_json(), result.living_json())
    assert again == result
    committed = ROOT / "results" / name
    assert result.pooled_json() == (committed / "pooled.json").read_text(encoding="utf-8")
    assert result.living_json() == (committed / "living.json").read_text(encoding="utf-8")


def test_drawing_reads_the_object_and_changes_nothing(rows, tmp_path):
    from metapool.pipeline import paths as layout
    from metapool.pipeline.figures import draw_analysis_figures

    name = "vasopressin_vs_norepinephrine_any_timepoint"  # k = 4: every living figure is drawn
    result = compute(SETTINGS[name], rows)
    before = (result.pooled_json(), result.living_json())
    figures = {kind: {fmt: str(tmp_path / Path(p).name) for fmt, p in paths.items()}
               for kind, paths in layout.figure_outputs(name).items()}
    draw_analysis_figures(result, figures, [])
    assert (result.pooled_json(), result.living_json()) == before
    assert all(Path(p).stat().st_size > 0 for paths in figures.values() for p in paths.values())


def test_every_drawn_figure_has_its_paths_and_every_path_a_drawing():
    """pipeline.paths.FIGURES (names and formats: the Snakemake outputs) and the drawing registries
    (forest, versions, plotting.rob_figures.FIGURES, plotting.living_figures.FIGURES) name the same figures."""
    from metapool.pipeline import paths as layout
    from metapool.plotting.living_figures import FIGURES as LIVING
    from metapool.plotting.rob_figures import FIGURES as ROB

    drawn = ["forest", "versions", *ROB, *LIVING]
    assert sorted(drawn) == sorted(layout.FIGURES) and len(set(drawn)) == len(drawn)
