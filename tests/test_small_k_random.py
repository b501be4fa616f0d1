"""Few-study inference on data sets the engine was not developed against: tests/reference/small_k_random.json
(tests/reference/small_k_random.R: metafor 3.8-1 rma(yi, vi, method = M, test = "adhoc") for the 7
estimators, and the exact half-normal(0.5) / half-normal(1) Bayesian blocks by base R quadrature),
32 synthetic meta-analyses of k = 2, 3, 4 given as (yi, vi). Every field through the engine; one
estimator and one prior per case through `metapool pool` with the studies as reported effects.
Tolerance as small_k.json (oracle.close: 1e-6 relative or 1e-9 absolute)."""

import json
from pathlib import Path

import numpy as np
import pytest
from oracle import close
from test_bayes import PRIORS, check
from test_small_k_adhoc import case_csv

from metapool.cli import run
from metapool.engine.bayes import bayes_random
from metapool.engine.model import fit_random, pool_many
from metapool.engine.tau2 import METHODS
from metapool.errors import ConvergenceError

CASES = json.loads((Path(__file__).parent / "reference" / "small_k_random.json").read_text())
ADHOC = [pytest.param(c, m, id=f"{c['name']}-{m}") for c in CASES for m in METHODS]
BAYES = [pytest.param(c, key, id=f"{c['name']}-{key}") for c in CASES for key in PRIORS]
CLI = [pytest.param(c, METHODS[i % len(METHODS)], list(PRIORS)[i % len(PRIORS)], id=c["name"])
       for i, c in enumerate(CASES)]


def test_reference_covers_the_corners():
    assert len(CASES) >= 30 and {len(c["yi"]) for c in CASES} == {2, 3, 4}
    assert all(set(c["ref"]) == {f"adhoc_{m}" for m in METHODS} | set(PRIORS) for c in CASES)
    assert any(len(set(c["yi"])) == 1 for c in CASES)                      # Q = 0
    assert any(max(c["vi"]) / min(c["vi"]) > 1000 for c in CASES)          # very unequal vi
    assert all(max(c["yi"]) < 0 for c in CASES if "negative" in c["name"])
    binds = large = 0
    for c in CASES:  # q < 1 (the HKSJ se below the Wald se): the ad hoc max(1, q) binds
        fit = fit_random(c["yi"], c["vi"], "REML", "hksj")
        binds += fit["se"] < fit["se_wald"]
        large += fit_random(c["yi"], c["vi"], "DL", "z")["Q"] > 100
    assert binds >= 5 and large >= 3


@pytest.mark.parametrize("case,method", ADHOC)
def test_engine_matches_metafor_adhoc(case, method):
    ref = case["ref"][f"adhoc_{method}"]
    if "error" in ref:  # metafor stopped (none at present): so must the engine
        with pytest.raises(ConvergenceError, match=method):
            fit_random(case["yi"], case["vi"], method, "hksj_adhoc")
        return
    got = fit_random(case["yi"], case["vi"], method, "hksj_adhoc")
    for field, value in ref.items():
        assert close(got[field], value), (field, got[field], value)


@pytest.mark.parametrize("method", METHODS)
def test_pool_many_matches_metafor_adhoc(method):
    """All cases as one padded batch (k = 2, 3, 4 side by side)."""
    cases = [c for c in CASES if "error" not in c["ref"][f"adhoc_{method}"]]
    pad = lambda a: np.concatenate([a, np.full(4 - len(a), np.nan)])  # noqa: E731
    batch = pool_many(np.vstack([pad(c["yi"]) for c in cases]), np.vstack([pad(c["vi"]) for c in cases]),
                      method, "hksj_adhoc")
    for row, case in enumerate(cases):
        for field, value in case["ref"][f"adhoc_{method}"].items():
            got = float(batch[field][row])
            assert close(None if np.isnan(got) else got, value), (case["name"], field, got, value)


@pytest.mark.parametrize("case,key", BAYES)
def test_engine_matches_the_quadrature_reference(case, key):
    assert case["ref"][key]["prior"] == PRIORS[key].label
    check(bayes_random(case["yi"], case["vi"], PRIORS[key]), case["ref"][key])


@pytest.mark.parametrize("case,method,key", CLI)
def test_command_line_matches(tmp_path, capsys, case, method, key):
    prior = PRIORS[key]
    code = run(["pool", case_csv(tmp_path, case), "--tau2", method, "--ci", "hksj_adhoc",
                "--bayes", f"{prior.family}:{prior.scale:g}", "--format", "json"])
    out, err = capsys.readouterr()
    if "error" in case["ref"][f"adhoc_{method}"]:  # metafor stops: the command fails, naming the estimator
        assert code == 3 and f"the {method} estimator of tau^2 did not converge" in err, err
        return
    assert code == 0 and err == "", err
    res = json.loads(out)
    assert res["random"]["ci_method"] == "hksj_adhoc" and res["bayes"]["k"] == len(case["yi"])
    for field, value in case["ref"][f"adhoc_{method}"].items():
        assert close(res["random"][field], value), (field, res["random"][field], value)
    check(res["bayes"], case["ref"][key])
