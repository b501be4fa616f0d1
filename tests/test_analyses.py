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


def pages_of(names, per_page=40):
    """(page id, analyses) as summary_pages makes them for analyses of one measure and outcome."""
    return [(f"rr-death-{n // per_page + 1:02d}", tuple(names[n:n + per_page])) for n in range(0, len(names), per_page)]


def test_small_reviews_get_one_job_per_analysis():
    names = [f"a{i}" for i in range(32)]
    assert A.batches(pages_of(names)) == {n: [n] for n in names}


@pytest.mark.parametrize("n, jobs", [(33, 3), (100, 8), (1000, 75)])
def test_beyond_the_threshold_runs_of_sixteen_analyses_of_one_page(n, jobs):
    names = [f"a{i:04d}" for i in range(n)]
    out = A.batches(pages_of(names))
    assert len(out) == jobs and [x for b in out.values() for x in b] == names
    assert all(len(b) <= 16 for b in out.values())
    pages = dict(pages_of(names))
    assert all(set(b) <= set(pages[job.rsplit("-", 1)[0]]) for job, b in out.items())  # one page each


def test_an_analysis_added_after_the_others_of_its_outcome_moves_no_other_one():
    names = [f"a{i:04d}" for i in range(1000)]
    before = A.batches(pages_of(names))
    after = A.batches(pages_of(names + ["new_analysis"]))
    moved = {b for b in after if after[b] != before.get(b)}
    assert moved == {"rr-death-26-1"} and after["rr-death-26-1"] == ["new_analysis"]


def test_a_trial_in_neighbouring_analyses_reruns_one_job():
    """The benchmark's new trial enters analyses a0000, a0001 (page 1) and a0999 (page 25)."""
    out = A.batches(pages_of([f"a{i:04d}" for i in range(1000)]))
    jobs = {job for job, b in out.items() if {"a0000", "a0001", "a0999"} & set(b)}
    assert jobs == {"rr-death-01-1", "rr-death-25-3"}


def test_batching_settings_are_followed():
    names = [f"a{i:03d}" for i in range(20)]
    assert len(A.batches(pages_of(names), Batching(one_job_each_up_to=0, analyses_per_job=5))) == 4
    assert len(A.batches(pages_of(names), Batching(one_job_each_up_to=19, analyses_per_job=20))) == 1


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
