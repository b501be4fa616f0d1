"""The group-sequential boundaries keep the values the recursion gave before it was made faster.

tests/data/groupseq_identity.json holds efficacy and futility boundaries and exit probabilities
on seeded information-fraction vectors (1 to 12 looks; equal, random and tiny increments, first
looks with a negligible spend, analyses that stop short of t = 1, alpha 0.01 to 0.1, beta 0.1
and 0.2, the default and other drifts, futility wedges that close). It was written by the
implementation before the speed-up (commit bc224cd) with
``python tests/test_groupseq_identity.py --write``; do not rewrite it unless a change of the
numbers is intended. The new values must agree to 1e-10 (absolute, on the Z scale and on the
probability scale).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from metapool.living.groupseq import efficacy_boundaries, exit_probabilities, futility_boundaries

FIXTURE = Path(__file__).parent / "data" / "groupseq_identity.json"
SEED = 20261201
N = 160
TOL = 1e-10


def _fractions(rng: np.random.Generator, i: int) -> list[float]:
    """Case i's fractions: the kind cycles through random, equal, tiny increments, a negligible
    first spend; every other case ends at t = 1."""
    n = int(rng.integers(1, 13))
    kind = i % 4
    if kind == 0:
        t = np.sort(rng.uniform(0.02, 1.0, n))
    elif kind == 1:
        t = np.arange(1, n + 1) / n
    elif kind == 2:
        base = np.sort(rng.uniform(0.02, 0.95, n))
        t = np.sort(np.concatenate([base, base + rng.uniform(1e-4, 5e-3, n)]))[:n]
    else:
        t = np.concatenate([[rng.uniform(0.001, 0.01)], np.sort(rng.uniform(0.05, 1.0, n - 1))])
    t = np.unique(np.minimum(t, 1.0))
    if i % 2:
        t = np.concatenate([t[t < 1.0], [1.0]])
    return t.tolist()


def cases() -> list[dict]:
    """The seeded settings: fractions, alpha, beta and drift (None: the design default)."""
    rng = np.random.default_rng(SEED)
    out = []
    for i in range(N):
        t = _fractions(rng, i)
        alpha = [0.05, 0.01, 0.1][i % 3]
        beta = [0.2, 0.1][i % 2]
        drift = None if i % 5 else float(rng.uniform(0.5, 6.0))
        out.append({"t": t, "alpha": alpha, "beta": beta, "drift": drift})
    return out


def compute(case: dict) -> dict:
    """Efficacy and futility boundaries, and the exit probabilities under the drift (or 0)."""
    t = np.array(case["t"])
    eff = efficacy_boundaries(t, case["alpha"])
    fut = futility_boundaries(t, eff, case["beta"], case["drift"], case["alpha"])
    up, low = exit_probabilities(t, eff, fut, case["drift"] or 0.0)
    return {"efficacy": eff.tolist(), "futility": fut.tolist(), "exit_upper": up.tolist(),
            "exit_lower": low.tolist()}


def write_fixture(path: Path = FIXTURE) -> None:
    path.write_text(json.dumps([{**c, **compute(c)} for c in cases()], indent=1) + "\n")


EXPECTED = json.loads(FIXTURE.read_text()) if FIXTURE.exists() else []


def test_fixture_covers_the_cases():
    assert [{k: e[k] for k in ("t", "alpha", "beta", "drift")} for e in EXPECTED] == cases()
    fut = [e for e in EXPECTED if len(e["t"]) > 1]
    assert any(f == c for e in fut for f, c in zip(e["futility"], e["efficacy"]))  # a wedge closes
    assert any(e["t"][-1] < 1 for e in EXPECTED) and any(e["t"][0] < 0.01 for e in EXPECTED)


@pytest.mark.parametrize("i", range(N))
def test_boundaries_as_before(i):
    got = compute(EXPECTED[i])
    for key, values in got.items():
        assert np.allclose(values, EXPECTED[i][key], rtol=0, atol=TOL, equal_nan=True), key


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    write_fixture()
