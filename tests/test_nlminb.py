"""The port of R's nlminb (engine/nlminb.py) evaluates the objective at R's points, in R's order,
and stops where R stops: tests/reference/nlminb_trace.R (R's nlminb, default control, no gradient)
on smooth 1-D objectives from several starts, metafor rma.mv's five-parameter vector of which only
log tau2 is used, and Rosenbrock's function."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from metapool.engine.nlminb import nlminb

CASES = {c["name"]: c for c in json.loads((Path(__file__).parent / "reference" / "nlminb_trace.json").read_text())}

VI = [0.05, 0.12, 0.3, 0.08, 0.5, 0.2]
YI = [0.4, -0.1, 0.9, 0.25, -0.6, 1.1]


def reml_like(t: float) -> float:
    s = 0.0
    for v, y in zip(VI, YI):
        w = v + math.exp(t)
        s = s + math.log(w) + y * y / w
    return s / 2 + 3


OBJECTIVES = {
    "cosh_quadratic": lambda x: (x[0] - 3) * (x[0] - 3) + math.cosh(x[0]),
    "quartic_local": lambda x: x[0] ** 4 - 3 * (x[0] * x[0]) + x[0],
    "exp_linear": lambda x: math.exp(x[0]) - 2 * x[0],
    "log_quadratic": lambda x: math.log(1 + x[0] * x[0]) + 0.1 * ((x[0] - 2) * (x[0] - 2)),
    "double_well_far": lambda x: (x[0] * x[0] - 2) * (x[0] * x[0] - 2) + 1e-3 * x[0],
    "large_value": lambda x: 1e4 + 30 * ((x[0] - 0.5) * (x[0] - 0.5)) + math.atan(x[0]),
    "reml_like_log_tau2": lambda x: reml_like(x[0]),
    "reml_like_start_far": lambda x: reml_like(x[0]),
    "metafor_five_par": lambda x: reml_like(x[1]),
    "rosenbrock": lambda x: 100 * ((x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0])) + (1 - x[0]) * (1 - x[0]),
}


def test_every_reference_case_has_an_objective():
    assert set(OBJECTIVES) == set(CASES)


def close(a: float, b: float, rtol: float = 1e-10) -> bool:
    return abs(a - b) <= rtol * abs(b) or a == b


@pytest.mark.parametrize("name", list(CASES))
def test_objective_is_rs_to_the_bit_at_the_start(name):
    """The Python objective is R's (so that a divergence would be the optimiser's)."""
    case = CASES[name]
    assert OBJECTIVES[name](list(map(float, case["points"][0]))) == case["values"][0]


@pytest.mark.parametrize("name", list(CASES))
def test_same_evaluation_sequence_and_result_as_r(name):
    case = CASES[name]
    got = nlminb(case["start"], OBJECTIVES[name])
    assert len(got.trace) == len(case["points"]), name
    for k, ((x, fx), x_r, f_r) in enumerate(zip(got.trace, case["points"], case["values"])):
        assert all(close(a, b) for a, b in zip(x, x_r)), (name, k, x, x_r)
        assert close(fx, f_r), (name, k, fx, f_r)
    assert all(close(a, b) for a, b in zip(got.par, case["par"]))
    assert close(got.objective, case["objective"])
    assert (got.convergence, got.iterations, list(got.evaluations), got.message) == (
        case["convergence"], case["iterations"], case["evaluations"], case["message"])


def test_control_and_limits():
    """eval.max stops with R's message 9 after that many (non-gradient) evaluations; an unknown
    control is an error, as a misspelt one would silently be ignored otherwise."""
    got = nlminb([-1.2, 1.0], OBJECTIVES["rosenbrock"], eval_max=10)
    assert got.convergence == 1 and got.evaluations[0] == 10
    assert got.message == "function evaluation limit reached without convergence (9)"
    with pytest.raises(ValueError):
        nlminb([1.0], OBJECTIVES["exp_linear"], rel_tolerance=1e-8)
