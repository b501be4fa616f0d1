"""The reconciliation with published meta-analyses: data/validation/published.yaml (inputs.published)
and the comparison page (pipeline.reconcile)."""

import copy
import math
from pathlib import Path

import pytest
import yaml

from metapool.errors import InputError
from metapool.inputs.published import load_published
from metapool.inputs.trials import load_trials, trial_files
from metapool.pipeline import reconcile

ROOT = Path(__file__).resolve().parents[1]
TRIALS = {"VASST", "VANISH", "VANCS II"}
AGENTS = {"vasopressin", "dopamine"}
CLASSES = {"norepinephrine", "placebo"}

ENTRY = {"id": "ipd-28d", "review": "IPD 2019", "agent": "vasopressin", "comparator": "norepinephrine",
         "comparator_class": "norepinephrine", "outcome": "all-cause mortality", "timepoint_days": 28,
         "measure": "RR", "estimate": 0.98, "ci_lower": 0.86, "ci_upper": 1.12, "k": 2,
         "trials": ["VASST", "Gordon 2016"], "quote": '"RR 0.98, 95% CI 0.86-1.12"',
         "source": "https://example.org/ipd"}


def write(tmp_path, entries, aliases=None):
    path = tmp_path / "published.yaml"
    path.write_text(yaml.safe_dump({"aliases": aliases if aliases is not None else {"Gordon 2016": "VANISH"},
                                    "estimates": entries}), encoding="utf-8")
    return path


def load(path):
    return load_published(path, TRIALS, AGENTS, CLASSES)


def test_the_repository_file_is_valid():
    rows = load_trials(trial_files(ROOT / "data" / "raw")).rows
    found = load_published(ROOT / "data" / "validation" / "published.yaml", {r["trial"] for r in rows},
                           {r["agent"] for r in rows}, {r["comparator_class"] for r in rows})
    assert found and all(p.quote.startswith('"') and p.source.startswith("http") for p in found)


def test_aliases_map_printed_names_to_trial_names(tmp_path):
    [p] = load(write(tmp_path, [ENTRY]))
    assert p.trials == ("VASST", "VANISH") and p.agents == ("vasopressin",) and p.entry == 1


@pytest.mark.parametrize("change, key, rule", [
    ({"estimate": 1.5}, "estimate", "must contain the estimate"),
    ({"ci_lower": 0, "estimate": 0.5}, "ci_lower", "must be > 0"),
    ({"agent": "vasopresin"}, "agent", "nearest: vasopressin"),
    ({"comparator_class": "noradrenaline"}, "comparator_class", "allowed: norepinephrine, placebo"),
    ({"measure": "XX"}, "measure", "must be one of"),
    ({"k": 3}, "trials", "lists 2 trial(s) but k is 3"),
    ({"timepoint_days": 0}, "timepoint_days", "whole number of days"),
    ({"source": "example.org"}, "source", "http(s) URL"),
    ({"extra": 1}, "extra", "unknown key"),
    ({"id": "Bad Id"}, "id", "lower case"),
])
def test_each_problem_names_file_entry_and_key(tmp_path, change, key, rule):
    path = write(tmp_path, [{**ENTRY, "id": "first"}, {**ENTRY, **change}])
    with pytest.raises(InputError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == (str(path), 2, key)
    assert rule in problem.message and "published.yaml" in str(problem)


def test_missing_keys_duplicates_and_bad_aliases_are_all_reported(tmp_path):
    broken = {k: v for k, v in ENTRY.items() if k != "quote"}
    path = write(tmp_path, [ENTRY, ENTRY, broken], aliases={"Gordon 2016": "VANISH-X"})
    with pytest.raises(InputError) as caught:
        load(path)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(None, "aliases.Gordon 2016"), (2, "id"), (3, "quote")}


def pooled(name, studies, est, lb, ub, measure="RR", k=None):
    log = math.log if measure == "RR" else (lambda x: x)
    k = k if k is not None else len(studies)
    return {"analysis": name, "title": name, "measure": measure, "studies": studies, "k": k,
            "random": {"k": k, "est": log(est),
                       "natural": {"est": est, "ci_lb": lb, "ci_ub": ub}}}


def study(trial, days=28, agent="vasopressin", weight=50.0):
    return {"study": trial, "trial": trial, "agent": agent, "comparator_class": "norepinephrine",
            "outcome": "all-cause mortality", "timepoint_days": days, "weight_random": weight}


def test_consistent_and_the_trials_in_one_only(tmp_path):
    published = load(write(tmp_path, [ENTRY]))
    [row] = reconcile.reconcile([pooled("a", [study("VASST"), study("VANCS II")], 0.93, 0.64, 1.37)], published)
    assert row["verdict"] == "consistent" and not row["flag"]
    assert (row["only_review"], row["only_published"]) == (["VANCS II"], ["VANISH"])


def test_a_difference_with_the_same_trials_is_flagged(tmp_path):
    published = load(write(tmp_path, [ENTRY]))
    same = [study("VASST"), study("VANISH")]
    [row] = reconcile.reconcile([pooled("a", same, 0.60, 0.45, 0.80)], published)
    assert row["flag"] and row["differences"] == ["the 95% CIs do not overlap",
                                                  "the estimates differ by a factor of 1.63 (> 1.25)"]
    assert row["verdict"] == "differs with the same trials: not explained by the trial lists"
    other = [study("VASST"), study("VANCS II")]
    [row] = reconcile.reconcile([pooled("a", other, 0.60, 0.45, 0.80)], published)
    assert not row["flag"] and row["verdict"] == "differs; the trial lists differ, which may explain it"
    unlisted = load(write(tmp_path, [{**ENTRY, "trials": None}]))
    [row] = reconcile.reconcile([pooled("a", same, 0.60, 0.45, 0.80)], unlisted)
    assert row["flag"] and "does not list its trials" in row["verdict"]


def test_closest_time_point_then_agents_then_k(tmp_path):
    entries = [{**ENTRY, "id": "d90", "timepoint_days": 90, "k": None, "trials": None},
               {**ENTRY, "id": "d28-small", "k": None, "trials": None},
               {**ENTRY, "id": "d28-two", "agent": ["vasopressin", "dopamine"], "k": None, "trials": None},
               {**ENTRY, "id": "other-measure", "measure": "OR", "k": None, "trials": None}]
    published = load(write(tmp_path, entries))
    review = reconcile.Review.from_pooled(pooled("a", [study("VASST", 30), study("X", 28, "dopamine")], 1, 0.8, 1.2))
    assert reconcile.closest(review, published).id == "d28-two"
    review90 = reconcile.Review.from_pooled(pooled("a", [study("VASST", 90)], 1, 0.8, 1.2))
    assert reconcile.closest(review90, published).id == "d90"
    unstated = reconcile.Review.from_pooled(pooled("a", [study("VASST", None)], 1, 0.8, 1.2))
    assert reconcile.distance(unstated, published[0]) == reconcile.FAR


def test_a_specific_comparator_beats_a_larger_mixed_one(tmp_path):
    entries = [{**ENTRY, "id": "mixed", "comparator_class": ["norepinephrine", "placebo"], "k": 10, "trials": None},
               {**ENTRY, "id": "specific", "k": 8, "trials": None}]
    review = reconcile.Review.from_pooled(pooled("a", [study("VASST")], 1, 0.8, 1.2))
    assert reconcile.closest(review, load(write(tmp_path, entries))).id == "specific"


def test_a_reversed_source_is_inverted(tmp_path):
    [p] = load(write(tmp_path, [{**ENTRY, "agent": "dopamine", "estimate": 0.89, "ci_lower": 0.81,
                                 "ci_upper": 0.98, "reversed": True, "trials": None, "k": None}]))
    est, lo, hi = reconcile.oriented(p)
    assert (est, lo, hi) == (1 / 0.89, 1 / 0.98, 1 / 0.81)


def test_not_pooled_across_subgroups_is_not_compared(tmp_path):
    published = load(write(tmp_path, [ENTRY]))
    [row] = reconcile.reconcile([{**pooled("a", [study("VASST")], 0.5, 0.3, 0.7), "pool_subgroups": False}], published)
    assert not row["flag"] and "does not pool across its subgroups" in row["verdict"]
    assert "not pooled across subgroups (k = 1)" in reconcile.to_markdown([row])


def test_text_from_data_is_escaped(tmp_path):
    evil = {**ENTRY, "review": "<script>x</script> | *bold* [link](javascript:1)", "trials": None}
    published = load(write(tmp_path, [evil]))
    rows = reconcile.reconcile([pooled("<b>a</b>", [study("VASST")], 0.9, 0.7, 1.1)], published)
    page = reconcile.to_html(rows)
    assert "<script>" not in page and "<b>a</b>" not in page and "&lt;script&gt;" in page
    md = reconcile.to_markdown(rows)
    assert "<script>" not in md and "\\*bold\\*" in md and "\\[link\\]" in md and "\\| \\*bold" in md
    assert reconcile.to_markdown(copy.deepcopy(rows)) == md  # deterministic
