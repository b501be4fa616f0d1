"""Trial sequential analysis: boundaries checked independently of the recursion that computes them
(closed form at the first look, the fixed-sample value for a single final look, and Monte Carlo
crossing probabilities of Brownian motion at an analysis' information fractions), and the inputs
(D^2, cumulative Z) against metafor (tests/reference/tsa_inputs.R)."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import oracle
import pytest
from scipy.stats import norm

from metapool.living import run_living
from metapool.living.groupseq import efficacy_boundaries, futility_boundaries, obf_spending
from metapool.living.tsa import diversity, required_information_size, trial_sequential_analysis

HERE = Path(__file__).parent
CASES = {c["name"]: c for c in json.loads((HERE / "data" / "oracle" / "cases.json").read_text())}
TSA_REF = {r["name"]: r for r in json.loads((HERE / "reference" / "tsa_inputs.json").read_text())}
PATHS = 40_000  # SE of a crossing probability near 0.05: sqrt(.05 * .95 / 40000) = 0.0011 (< 0.002)


def studies_of(name: str) -> list[dict]:
    c = CASES[name]
    return [{"study": f"{name}-{j}", "events_trt": a, "total_trt": n1, "events_ctl": cc, "total_ctl": n2}
            for j, (a, n1, cc, n2) in enumerate(zip(c["ai"], c["n1"], c["ci"], c["n2"]))]


@lru_cache(maxsize=None)
def tsa_of(name: str) -> dict:
    return run_living(studies_of(name))["tsa"]


def looks(name: str) -> np.ndarray:
    """The information fractions at which the analysis has boundaries (the last capped at 1)."""
    tsa = tsa_of(name)
    n = sum(b is not None for b in tsa["efficacy"])
    return np.minimum(np.array(tsa["information_fraction"][:n]), 1.0)


def brownian(t: np.ndarray, drift: float, seed: int) -> np.ndarray:
    """Z_k = S(t_k) / sqrt(t_k) for PATHS paths of Brownian motion with drift, seeded."""
    rng = np.random.default_rng(seed)
    dt = np.diff(np.concatenate([[0.0], t]))
    s = np.cumsum(rng.standard_normal((PATHS, len(t))) * np.sqrt(dt) + drift * dt, axis=1)
    return s / np.sqrt(t)


@pytest.mark.parametrize("t1", [0.01, 0.05, 0.2, 0.5, 0.9])
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_first_look_closed_form(t1, alpha):
    spent = 2 * norm.sf(norm.isf(alpha / 2) / math.sqrt(t1))  # 2 - 2 Phi(z_{alpha/2} / sqrt(t1)), no underflow
    expected = norm.isf(spent / 2)
    assert efficacy_boundaries([t1, (1 + t1) / 2, 1.0], alpha)[0] == pytest.approx(expected, rel=1e-9)


def test_single_final_look_is_fixed_sample_value():
    assert efficacy_boundaries([1.0], 0.05)[0] == pytest.approx(1.959964, abs=1e-6)


@pytest.mark.parametrize("name", ["lau1992", "egger2001", "li2007", "subgroups"])
def test_null_crossing_probability_matches_alpha_spent(name):
    t = looks(name)
    c = efficacy_boundaries(t, 0.05)
    z = brownian(t, 0.0, seed=7)
    rate = np.mean(np.any(np.abs(z) >= c, axis=1))
    target = obf_spending(t, 0.05)[-1]  # = alpha when the analysis reached its information size
    se = math.sqrt(target * (1 - target) / PATHS)
    assert se < 0.002
    assert abs(rate - target) < 3 * se, (rate, target, se)


def test_an_analysis_reaching_the_ris_spends_all_alpha():
    t = looks("lau1992")
    assert t[-1] == 1.0 and len(t) > 5


@pytest.mark.parametrize("t", [np.arange(1, 6) / 5, np.array([0.03, 0.031, 0.2, 0.21, 0.6, 0.605, 1.0])],
                         ids=["equal", "tiny-increments"])
def test_crossing_probabilities_by_simulation(t):
    c = efficacy_boundaries(t, 0.05)
    z = brownian(t, 0.0, seed=11)
    rate = np.mean(np.any(np.abs(z) >= c, axis=1))
    assert abs(rate - 0.05) < 3 * math.sqrt(0.05 * 0.95 / PATHS)
    # futility: under the design alternative the wedge is entered with probability beta*(t_K)
    theta = norm.ppf(0.975) + norm.ppf(0.8)
    b = futility_boundaries(t, c, 0.2, theta, 0.05)
    z = brownian(t, theta, seed=13)
    stopped = np.zeros(PATHS, dtype=bool)
    futile = np.zeros(PATHS, dtype=bool)
    for k in range(len(t)):
        futile |= ~stopped & (z[:, k] <= b[k])
        stopped |= (z[:, k] <= b[k]) | (z[:, k] >= c[k])
    target = obf_spending(t, 0.2)[-1]
    assert abs(futile.mean() - target) < 3 * math.sqrt(target * (1 - target) / PATHS)


def test_boundaries_do_not_depend_on_the_grid():
    t = looks("lau1992")
    default, fine = efficacy_boundaries(t, 0.05), efficacy_boundaries(t, 0.05, n_grid=801)
    assert np.allclose(default, fine, rtol=1e-5, atol=0)


def test_boundaries_fall_and_end_near_the_conventional_value():
    c = efficacy_boundaries(np.arange(1, 11) / 10, 0.05)
    assert np.all(np.diff(c) < 0)
    assert 1.96 < c[-1] < 2.2


@pytest.mark.parametrize("name", sorted(TSA_REF))
def test_diversity_and_z_curve_against_metafor(name):
    c = CASES[name]
    from metapool.measures.binary import log_rr_from_counts

    yi, vi, _ = log_rr_from_counts(c["ai"], c["n1"], c["ci"], c["n2"])
    keep = np.isfinite(yi)
    assert diversity(yi[keep], vi[keep]) == pytest.approx(TSA_REF[name]["D2"], rel=1e-6, abs=1e-9)
    z = tsa_of(name)["z"]
    assert np.allclose(z, TSA_REF[name]["z"], rtol=1e-6, atol=1e-9)


def test_required_information_size():
    # Pogue & Yusuf: 4 (z_.975 + z_.8)^2 p(1-p) / delta^2 with pc = 0.4, pe = 0.32
    ris = required_information_size(0.4, 0.2, 0.05, 0.2)
    assert ris == pytest.approx(4 * (1.959964 + 0.841621) ** 2 * 0.36 * 0.64 / 0.08**2, rel=1e-6)
    assert required_information_size(0.4, 0.2, 0.05, 0.1) > ris  # more power, more patients


def test_ris_is_adjusted_for_diversity():
    tsa = tsa_of("bcg")
    assert tsa["ris"] == pytest.approx(tsa["ris_fixed"] / (1 - tsa["D2"]))
    assert tsa_of("double_zero")["D2"] == 0.0  # tau2 = 0: no diversity


def test_conclusions():
    def run(effect_events, n, k):
        return trial_sequential_analysis([math.log(effect_events)] * k, [4.0 / n] * k, [n] * k,
                                         [f"t{i}" for i in range(k)], acr=0.3)

    assert run(0.5, 2000, 6)["status"] == "boundary_crossed"
    assert run(0.9, 20, 2)["status"] == "inconclusive"
    null = run(1.0, 2000, 6)
    assert null["status"] in ("futility", "ris_reached") and null["ris_reached"]
    assert null["efficacy"][-1] is None  # looks after the RIS is reached have no boundary


def test_tsa_excludes_trials_without_numbers_randomised():
    studies = studies_of("bcg")[:5] + [{"study": "rr-only", "effect_measure": "RR", "effect": 0.8,
                                        "effect_lower": 0.6, "effect_upper": 1.1}]
    res = run_living(studies)
    tsa = res["tsa"]
    assert res["settings"]["status"][-1] == "reported"      # it is pooled, but has no number randomised
    assert tsa["excluded"] == ["rr-only"] and len(tsa["z"]) == 5


def test_tsa_of_a_mean_difference_needs_the_difference_to_detect():
    c = {m["name"]: m for m in oracle.MEASURES}["normand1999_MD"]
    studies = [{"study": f"s{j}", "n_trt": n1, "mean_trt": m1, "sd_trt": s1, "n_ctl": n2, "mean_ctl": m2,
                "sd_ctl": s2} for j, (m1, s1, n1, m2, s2, n2) in
               enumerate(zip(c["m1"], c["sd1"], c["n1"], c["m2"], c["sd2"], c["n2"]))]
    res = run_living(studies, measure="MD")
    assert res["tsa"] is None and "difference to detect" in res["reasons"]["tsa"]
    tsa = run_living(studies, measure="MD", tsa_difference=5.0)["tsa"]
    sd = float(np.median(c["sd1"] + c["sd2"]))  # the median arm SD of the trials
    assert tsa["ris_fixed"] == pytest.approx(4 * (1.959964 + 0.841621) ** 2 * sd**2 / 5.0**2, rel=1e-6)
    assert tsa["excluded"] == [] and len(tsa["z"]) == len(studies)
    given = run_living(studies, measure="MD", tsa_difference=5.0, tsa_sd=10.0)["tsa"]
    assert given["ris_fixed"] == pytest.approx(4 * (1.959964 + 0.841621) ** 2 * 100 / 25, rel=1e-6)
