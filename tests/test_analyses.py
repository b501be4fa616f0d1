"""Config -> analyses, row selection and batching (metapool.analyses)."""

import random

import pytest

from metapool.pipeline import analyses as A
from metapool.errors import InputError
from metapool.pipeline.settings import AnalysisSettings


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
    names = [f"a{i}" for i in range(10)]
    assert A.batches(names, 64) == {n: [n] for n in names}


def test_batches_are_bounded_and_stable_when_an_analysis_is_added():
    names = [f"a{i:04d}" for i in range(1000)]
    before = A.batches(names, 64)
    assert len(before) <= 64 and sorted(n for b in before.values() for n in b) == sorted(names)
    after = A.batches(names + ["new_analysis"], 64)
    moved = {b for b in after if after[b] != before.get(b)}
    assert len(moved) == 1 and "new_analysis" in after[moved.pop()]


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
