"""A wrong config/config.yaml stops Snakemake while it parses (issue 6): non-zero exit, a message that
names the key and the rule broken, no job run and no result touched."""

from __future__ import annotations

import pytest
import yaml

import workflow_helpers as wf

pytestmark = pytest.mark.slow


def set_key(path: tuple, value):
    """A config edit: set the key at ``path`` (a tuple of keys) to ``value``."""
    def edit(cfg):
        node = cfg
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


def rename_analysis(old: str, new: str):
    def edit(cfg):
        cfg["analyses"] = {(new if k == old else k): v for k, v in cfg["analyses"].items()}
    return edit


def drop_key(path: tuple):
    def edit(cfg):
        node = cfg
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return edit


ILO = "iloprost_vs_placebo_28d"
ALL28 = "vasopressin_vs_norepinephrine_mortality"  # an analysis with a subgroup

# (id, edit, substrings the error must contain: the key, then the rule broken)
CASES = [
    ("unknown-top-level-key", set_key(("colour_scheme",), "dark"),
     ["'colour_scheme' was unexpected", "additionalProperties"]),
    ("unknown-analysis-key", set_key(("analyses", ILO, "estimator"), "REML"),
     ["'estimator' was unexpected", f"['analyses']['{ILO}']", "additionalProperties"]),
    ("unknown-filter-column", set_key(("analyses", ILO, "filter", "drug_colour"), "blue"),
     [f"analyses.{ILO}.filter.drug_colour", "filter on a column that the trial tables do not have"]),
    ("unknown-subgroup-column", set_key(("analyses", ALL28, "subgroup"), "drug_family"),
     [f"analyses.{ALL28}.subgroup", "'drug_family' is not a trial-table column"]),
    ("unknown-tau2-method", set_key(("analyses", ILO, "tau2"), "XYZ"),
     ["'XYZ' is not one of ['REML'", f"['analyses']['{ILO}']['tau2']", "enum"]),
    ("unknown-ci-method-in-defaults", set_key(("defaults", "ci"), "t"),
     ["'t' is not one of ['hksj', 'hksj_adhoc', 'z']", "['defaults']['ci']", "enum"]),
    ("control-stepadj-zero", set_key(("defaults", "control"), {"stepadj": 0}),
     ["0 is less than or equal to the minimum of 0", "['defaults']['control']['stepadj']", "exclusiveMinimum"]),
    ("control-unknown-key", set_key(("analyses", ILO, "control"), {"speed": 2}),
     ["'speed' was unexpected", f"['analyses']['{ILO}']['control']", "additionalProperties"]),
    ("unsafe-name-path", rename_analysis(ILO, "../etc"),
     ["'../etc' does not match '^[a-z0-9_-]+$'", "propertyNames", "pattern"]),
    ("unsafe-name-space", rename_analysis(ILO, "Bad Name"),
     ["'Bad Name' does not match '^[a-z0-9_-]+$'", "propertyNames", "pattern"]),
    ("subgroup-without-plan", drop_key(("analyses", ALL28, "pool_subgroups")),
     ["'pool_subgroups' is a required property", f"['analyses']['{ALL28}']"]),
    ("overall-is-no-plot-key", set_key(("analyses", ALL28, "plot"), {"overall": False}),
     ["'overall' was unexpected", f"['analyses']['{ALL28}']['plot']"]),
    ("filter-value-typo", set_key(("analyses", ILO, "filter", "agent"), "ilopost"),
     [f"analyses.{ILO}.filter.agent", "no trial row has agent = 'ilopost'", "nearest: iloprost"]),
    ("unknown-plot-key", set_key(("analyses", ILO, "plot"), {"colour": "red"}),
     ["'colour' was unexpected", f"['analyses']['{ILO}']['plot']"]),
    ("unknown-measure", set_key(("defaults", "measure"), "NNT"),
     ["'NNT' is not one of ['RR'", "['defaults']['measure']", "enum"]),
    ("tsa-rrr-out-of-range", set_key(("defaults", "living", "tsa", "rrr"), 1.5),
     ["1.5 is greater than or equal to the maximum of 1", "['living']['tsa']['rrr']", "exclusiveMaximum"]),
    ("small-study-min-k-below-3", set_key(("defaults", "living", "small_study_min_k"), 2),
     ["2 is less than the minimum of 3", "['living']['small_study_min_k']", "minimum"]),
    ("publication-bias-min-k-moved", set_key(("defaults", "grade_rules"), {"publication_bias_min_k": 5}),
     ["grade_rules.publication_bias_min_k", "living.small_study_min_k"]),
    ("filter-selects-a-trial-twice", drop_key(("analyses", ILO, "filter", "timepoint_days")),
     [f"analyses.{ILO}.filter", "selects trial COMBAT-SHINE twice", "filter on outcome and timepoint_days"]),
]


def break_config(workdir, edit) -> None:
    path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(cfg)
    path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A copy of the workflow without results (parse-time checks need no run)."""
    return wf.make_copy(tmp_path_factory.mktemp("config-fresh"))


@pytest.mark.parametrize("edit, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_config_stops_the_dry_run(fresh, tmp_path, edit, expected):
    work = wf.copy_tree(fresh, tmp_path / "wf")
    break_config(work, edit)
    proc = wf.snakemake(work, "--dry-run")
    assert proc.returncode != 0
    for text in expected:
        assert text in proc.stdout, proc.stdout[-3000:]
    assert "Building DAG of jobs" not in proc.stdout, "the config was accepted and jobs were planned"
    assert not (work / "results").exists() and not (work / "etc").exists()


def test_shipped_config_is_valid(fresh, tmp_path):
    work = wf.copy_tree(fresh, tmp_path / "wf")
    jobs = wf.planned_jobs(work)
    assert wf.analysis_jobs(wf.analyses(work)) <= set(jobs)


@pytest.mark.parametrize("case", ["unknown-top-level-key", "unsafe-name-path", "unknown-filter-column"])
def test_bad_config_leaves_results_untouched(tmp_path_factory, tmp_path, case):
    (edit, expected) = {c[0]: c[1:] for c in CASES}[case]
    work = wf.copy_tree(wf.clean_run(tmp_path_factory), tmp_path / "wf")
    before = wf.snapshot(work)
    break_config(work, edit)
    proc = wf.snakemake(work)
    assert proc.returncode != 0
    assert all(text in proc.stdout for text in expected), proc.stdout[-3000:]
    assert "localrule" not in proc.stdout and "Building DAG of jobs" not in proc.stdout
    assert wf.snapshot(work) == before
