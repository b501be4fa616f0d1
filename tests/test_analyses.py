"""Config -> analyses, row selection and batching (metapool.analyses)."""

import random

import pytest

from metapool.pipeline import analyses as A
from metapool.errors import InputError
from metapool.pipeline.settings import AnalysisSettings, Batching


def rows(n=200, seed=3):
    rng = random.Random(seed)
    return [{"trial": f"T{i:03d}", "year": rng.randint(2000, 2025), "outcome": rng.choice(["death", "aki"]),
             "timepoint_days": rng.choice([28, 90, None]), "agent_class": rng.choice(["a", "b", "c"])}
            for i in range(n)]


def analysis(flt, name="x"):
    return AnalysisSettings(name=name, title=name, filter=flt)


@pytest.mark.parametrize("flt", [
    {"outcome": "death"},
    {"outcome": "death", "timepoint_days": 28},
    {"outcome": ["death", "aki"], "agent_class": ["a", "c"]},
    {"timepoint_days": None},
    {"outcome": "nothing"},
])
def test_index_selection_equals_the_plain_filter(flt):
    data = rows()
    expected = sorted((r for r in data if A.matches(r, flt)), key=lambda r: (r["year"], r["trial"]))
    assert A.select(A.RowIndex(data), analysis(flt)) == expected
    assert A.select(data, analysis(flt)) == expected


def test_selection_is_ordered_by_year_then_trial():
    got = A.select(rows(), analysis({"outcome": "death"}))
    assert [(r["year"], r["trial"]) for r in got] == sorted((r["year"], r["trial"]) for r in got)


def test_a_trial_selected_twice_is_a_config_problem():
    data = [{"trial": "T1", "year": 2020, "outcome": "death", "timepoint_days": d} for d in (28, 90)]
    problems = A.check_selection(analysis({"outcome": "death"}, "loose"), data)
    assert len(problems) == 1 and "T1 twice" in problems[0].message and "loose" in problems[0].column


def test_small_reviews_get_one_job_per_analysis():
    names = [f"a{i}" for i in range(32)]
    assert A.batches(names) == {n: [n] for n in names}


@pytest.mark.parametrize("n, jobs", [(33, 8), (64, 8), (65, 16), (100, 16), (300, 64), (1000, 64)])
def test_beyond_the_threshold_about_eight_analyses_per_job_in_a_power_of_two(n, jobs):
    names = [f"a{i:04d}" for i in range(n)]
    out = A.batches(names)
    assert set(out) <= {f"batch-{b:03d}" for b in range(jobs)} and len(out) > jobs * 3 // 4
    assert sorted(x for b in out.values() for x in b) == sorted(names)


def test_batches_are_bounded_and_stable_when_an_analysis_is_added():
    names = [f"a{i:04d}" for i in range(1000)]
    before = A.batches(names)
    assert len(before) <= 64 and sorted(n for b in before.values() for n in b) == sorted(names)
    after = A.batches(names + ["new_analysis"])
    moved = {b for b in after if after[b] != before.get(b)}
    assert len(moved) == 1 and "new_analysis" in after[moved.pop()]


def test_batching_settings_are_followed():
    names = [f"a{i:03d}" for i in range(20)]
    assert len(A.batches(names, Batching(one_job_each_up_to=0, analyses_per_job=5))) == 4
    assert len(A.batches(names, Batching(one_job_each_up_to=0, analyses_per_job=1, max_jobs=2))) == 2


def test_unknown_filter_column_names_the_key():
    with pytest.raises(InputError) as err:
        A.from_config({"analyses": {"x": {"title": "x", "filter": {"drug": "iloprost"}}}})
    assert "analyses.x.filter.drug" in str(err.value)


def test_control_defaults_and_per_analysis_override():
    """defaults.control applies to every analysis; an analysis' own control overrides it key by key."""
    cfg = {"defaults": {"control": {"stepadj": 0.5, "maxiter": 1000}},
           "analyses": {"a": {"title": "A", "filter": {"outcome": "all-cause mortality"}},
                        "b": {"title": "B", "filter": {"outcome": "all-cause mortality"},
                              "control": {"maxiter": 50, "threshold": 1e-8}}}}
    a, b = A.from_config(cfg)
    assert a.control == {"stepadj": 0.5, "maxiter": 1000}
    assert b.control == {"stepadj": 0.5, "maxiter": 50, "threshold": 1e-8}
    assert A.from_config({"analyses": cfg["analyses"]})[0].control == {}
