"""Every field of every estimator x CI method against R metafor (tests/data/oracle_cases.json)."""

import json
from pathlib import Path

import numpy as np
import pytest

from metapool.effects import log_rr_from_counts
from metapool.mantel_haenszel import mantel_haenszel
from metapool.model import fit_fixed, fit_random, pool_many
from metapool.pool import pool_studies

CASES = json.loads((Path(__file__).parent / "data" / "oracle_cases.json").read_text())
RTOL, ATOL = 1e-6, 1e-9


def close(got, ref) -> bool:
    if ref is None:
        return got is None
    return got is not None and (abs(got - ref) <= ATOL or abs(got - ref) <= RTOL * abs(ref))


def effects(case):
    return log_rr_from_counts(case["ai"], case["n1"], case["ci"], case["n2"])[:2]


def blocks():
    for case in CASES:
        for key in case["ref"]:
            if "_" in key and key.split("_")[1] in ("z", "knha"):
                yield pytest.param(case, key, id=f"{case['name']}-{key}")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_study_effects(case):
    yi, vi = effects(case)
    for got, ref in zip(list(yi) + list(vi), case["ref"]["yi"] + case["ref"]["vi"]):
        assert close(None if np.isnan(got) else float(got), ref)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_fixed_iv(case):
    got = fit_fixed(*effects(case))
    for field, ref in case["ref"]["fixed_iv"].items():
        assert close(got[field], ref), (field, got[field], ref)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_fixed_mh(case):
    got = mantel_haenszel(case["ai"], case["n1"], case["ci"], case["n2"])
    for field, ref in case["ref"]["fixed_mh"].items():
        assert close(got[field], ref), (field, got[field], ref)


@pytest.mark.parametrize("case,key", list(blocks()))
def test_random_effects(case, key):
    method, test = key.split("_")
    got = fit_random(*effects(case), tau2_method=method, ci_method="hksj" if test == "knha" else "z")
    for field, ref in case["ref"][key].items():
        assert close(got[field], ref), (field, got[field], ref)


@pytest.mark.parametrize("case,key", list(blocks()))
def test_pool_many_equals_single_fits(case, key):
    """The batch API gives the single-fit digits, whatever else is in the batch."""
    method, test = key.split("_")
    ci = "hksj" if test == "knha" else "z"
    yi, vi = effects(case)
    other_y, other_v = effects(CASES[0])
    width = max(len(yi), len(other_y))
    pad = lambda a: np.concatenate([a, np.full(width - len(a), np.nan)])  # noqa: E731
    batch = pool_many(np.vstack([pad(other_y), pad(yi)]), np.vstack([pad(other_v), pad(vi)]), method, ci)
    single = fit_random(yi, vi, method, ci)
    for field, ref in case["ref"][key].items():
        got = float(batch[field][1])
        assert (ref is None and np.isnan(got)) or got == single[field], field


def test_subgroups():
    case = next(c for c in CASES if c["group"])
    studies = [
        {"study": f"s{i}", "events_trt": a, "total_trt": n1, "events_ctl": c, "total_ctl": n2, "grp": g}
        for i, (a, n1, c, n2, g) in enumerate(zip(case["ai"], case["n1"], case["ci"], case["n2"], case["group"]))
    ]
    res = pool_studies(studies, "REML", "z", by="grp")["subgroups"]
    ref = case["ref"]["subgroups"]
    by_name = {g["group"]: g for g in res["groups"]}
    for name in ref["est"]:
        assert close(by_name[name]["random"]["est"], ref["est"][name])
        assert close(by_name[name]["random"]["se"], ref["se"][name])
    assert close(res["test"]["Q_between"], ref["Q_between"])
    assert res["test"]["df"] == ref["df"]
    assert close(res["test"]["p"], ref["p"])
