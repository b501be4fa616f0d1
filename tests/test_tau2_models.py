"""The one implementation of each tau^2 estimator gives the same tau^2 on both linear-algebra
backends: the intercept-only model in Python floats (every pooled fit) and the design-matrix
model in numpy (meta-regression) with X = 1; they differ only in rounding."""

from __future__ import annotations

import numpy as np
import pytest

from metapool.engine.linear import Design, Intercept
from metapool.engine.tau2 import METHODS, estimate
from metapool.errors import ConvergenceError


@pytest.mark.parametrize("method", METHODS)
def test_intercept_and_design_with_x_one_agree(method):
    rng = np.random.default_rng(25)
    checked = 0
    for _ in range(200):
        k = int(rng.integers(2, 30))
        v = np.exp(rng.uniform(-5, 0, k))
        y = rng.normal(0, rng.uniform(0, 1), k) + rng.normal(0, np.sqrt(v))
        try:
            a = estimate(Intercept(y.tolist(), v.tolist(), k), method)
        except ConvergenceError:
            with pytest.raises(ConvergenceError):
                estimate(Design(y, v, np.ones((k, 1))), method)
            continue
        b = estimate(Design(y, v, np.ones((k, 1))), method)
        assert b == pytest.approx(a, rel=1e-9, abs=1e-12), (k, a, b)
        checked += 1
    assert checked > 150
