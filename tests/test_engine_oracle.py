"""Every field of every estimator x CI method against R metafor: tests/data/oracle/cases.json
(metafor's defaults) and tests/data/control_stepadj05/cases.json (control stepadj 0.5, maxiter 1000)."""

import numpy as np
import pytest
from oracle import CASES, REFERENCES, close

from metapool.measures.binary import log_rr_from_counts
from metapool.engine.mantel_haenszel import mantel_haenszel
from metapool.engine.model import fit_fixed, fit_random, pool_many
from metapool.engine.pool import pool_studies


def effects(case):
    return log_rr_from_counts(case["ai"], case["n1"], case["ci"], case["n2"])[:2]


def blocks():
    for ref_name, (control, cases, _) in REFERENCES.items():
        for case in cases:
            for key in case["ref"]:
                if "_" in key and key.split("_")[1] in ("z", "knha"):
                    yield pytest.param(case, key, control, id=f"{ref_name}-{case['name']}-{key}")


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


def test_defaults_are_metafors():
    """One default: Control() is rma()'s control with no argument, and every entry point uses it."""
    import inspect

    from metapool.engine import tau2
    from metapool.engine.pool import pool_studies as pool
    from metapool.living import run_living

    assert (tau2.DEFAULT.threshold, tau2.DEFAULT.maxiter, tau2.DEFAULT.stepadj) == (1e-5, 100, 1.0)
    for fn in (fit_random, pool_many, pool, run_living, tau2.estimate):
        assert inspect.signature(fn).parameters["control"].default is tau2.DEFAULT, fn.__name__


@pytest.mark.parametrize("case,key,control", list(blocks()))
def test_random_effects(case, key, control):
    method, test = key.split("_")
    got = fit_random(*effects(case), tau2_method=method, ci_method="hksj" if test == "knha" else "z",
                     control=control)
    for field, ref in case["ref"][key].items():
        assert close(got[field], ref), (field, got[field], ref)


@pytest.mark.parametrize("case,key,control", list(blocks()))
def test_pool_many_equals_single_fits(case, key, control):
    """The batch API gives the single-fit digits, whatever else is in the batch."""
    method, test = key.split("_")
    ci = "hksj" if test == "knha" else "z"
    yi, vi = effects(case)
    other_y, other_v = effects(CASES[0])
    width = max(len(yi), len(other_y))
    pad = lambda a: np.concatenate([a, np.full(width - len(a), np.nan)])  # noqa: E731
    batch = pool_many(np.vstack([pad(other_y), pad(yi)]), np.vstack([pad(other_v), pad(vi)]), method, ci,
                      control=control)
    single = fit_random(yi, vi, method, ci, control=control)
    for field, ref in case["ref"][key].items():
        got = float(batch[field][1])
        assert (ref is None and np.isnan(got)) or got == single[field], field


def test_subgroups():
    """Only the default set: the stepadj-0.5 file's per-subgroup fits were made at metafor's defaults."""
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
