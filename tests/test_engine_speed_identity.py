"""Single fits and batches give exactly the digits the engine gave before.

``fit_random`` once ran the masked, vectorised batch code with m = 1; the tau^2 estimators and the
Q-profile CI now run one meta-analysis at a time in Python floats (``metapool.engine.tau2``,
``metapool.engine.linear``), for single fits and batch rows alike. This test holds ``fit_random``
and ``pool_many`` to the old implementation's outputs, bit for bit, on a few thousand seeded random meta-analyses: every tau^2 estimator x both
CI methods at metafor's defaults, plus other levels and control settings (non-converging Fisher
scoring and uniroot, a low tau2.max), k = 1..40, each row padded to 48 columns by NaN/inf cells
and (for pool_many) by masked-out cells at random places.

tests/data/engine_speed_identity.npz holds, per setting and meta-analysis, a 64-bit digest of
the old ``pool_many`` row (every field, NaN canonical, the sign of zero kept, the weights row)
and, where the old ``fit_random`` differed from it (it raised), the digest of what it did. It was
written by the implementation before the fast path (commit 03eafd5) with
``python tests/test_engine_speed_identity.py --write``; do not rewrite it unless a change of the
digits is intended.
"""

from __future__ import annotations

import hashlib
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from metapool.engine.model import fit_random, pool_many
from metapool.engine.tau2 import DEFAULT, METHODS, Control
from metapool.errors import MetapoolError

FIXTURE = Path(__file__).parent / "data" / "engine_speed_identity.npz"
N = 2000          # meta-analyses
WIDTH = 48        # columns of the padded batch
SEED = 20240611
EXTRA_N = 600     # meta-analyses for the non-default settings

SETTINGS = [(m, ci, 0.95, DEFAULT) for m in METHODS for ci in ("hksj", "z")] + [
    ("REML", "hksj", 0.90, Control(threshold=1e-8, maxiter=1000, stepadj=0.5)),
    ("REML", "z", 0.5, DEFAULT),
    ("ML", "z", 0.99, Control(maxiter=3)),
    ("EB", "hksj", 0.95, Control(stepadj=2.0)),
    ("PM", "hksj", 0.95, Control(maxiter=5)),
    ("PM", "z", 0.95, Control(tau2_max=1.0)),
    ("SJ", "hksj", 0.8, DEFAULT),
]
FIELDS = ("k", "est", "se", "se_wald", "stat", "df", "ci_lb", "ci_ub", "pval", "tau2", "tau2_ci_lb",
          "tau2_ci_ub", "I2", "I2_ci_lb", "I2_ci_ub", "H2", "Q", "Qp", "pi_lb", "pi_ub")


def setting_id(s) -> str:
    method, ci, level, control = s
    ctl = "" if control == DEFAULT else f"-thr{control.threshold:g}-it{control.maxiter}-adj{control.stepadj:g}" \
                                         f"-max{control.tau2_max:g}"
    return f"{method}-{ci}-{level:g}{ctl}"


def simulate(n: int = N, width: int = WIDTH, seed: int = SEED):
    """yi, vi, mask (n, width): meta-analysis i has k = 1 + i % 40 members at random columns; the
    other columns are NaN or inf in y or v, or finite but masked out. Scenarios (i // 40 % 8): log
    risk ratios, near-homogeneous, large heterogeneity, identical effects, variances over nine
    orders of magnitude, effects rounded to 0.1 (ties), large effects with tiny variances, small
    trials."""
    rng = np.random.default_rng(seed)
    yi = np.full((n, width), np.nan)
    vi = np.full((n, width), np.nan)
    mask = np.zeros((n, width), dtype=bool)
    for i in range(n):
        k = 1 + i % 40
        kind = (i // 40) % 8
        mu = rng.normal(0, 0.5)
        if kind == 0:
            v = np.exp(rng.uniform(np.log(1e-3), np.log(1.0), k))
            y = mu + rng.normal(0, rng.uniform(0, 0.4), k) + rng.normal(0, np.sqrt(v))
        elif kind == 1:
            v = rng.uniform(0.01, 0.2, k)
            y = mu + rng.normal(0, np.sqrt(v) * 0.3)
        elif kind == 2:
            v = rng.uniform(0.001, 0.05, k)
            y = mu + rng.normal(0, rng.uniform(3, 30), k)
        elif kind == 3:
            v = rng.uniform(0.01, 1.0, k)
            y = np.full(k, mu)
        elif kind == 4:
            v = np.exp(rng.uniform(np.log(1e-6), np.log(1e3), k))
            y = mu + rng.normal(0, 1, k)
        elif kind == 5:
            v = rng.uniform(0.05, 0.5, k)
            y = np.round(mu + rng.normal(0, 0.3, k), 1)
        elif kind == 6:
            v = np.exp(rng.uniform(np.log(1e-8), np.log(1e-4), k))
            y = 1e3 * mu + rng.normal(0, 50, k)
        else:
            n1 = rng.integers(5, 60, k)
            n2 = rng.integers(5, 60, k)
            a = rng.binomial(n1, 0.3) + 0.5
            c = rng.binomial(n2, 0.3) + 0.5
            y = np.log(a / (n1 + 1)) - np.log(c / (n2 + 1))
            v = 1 / a - 1 / (n1 + 1) + 1 / c - 1 / (n2 + 1)
        cols = np.sort(rng.choice(width, size=k, replace=False))
        yi[i, cols], vi[i, cols], mask[i, cols] = y, v, True
        for j in np.flatnonzero(~mask[i]):
            pad = rng.integers(0, 5)
            yi[i, j] = (np.nan, rng.normal(), np.inf, -np.inf, rng.normal())[pad]
            vi[i, j] = (rng.uniform(0.1, 1), np.nan, rng.uniform(0.1, 1), np.nan, rng.uniform(0.1, 1))[pad]
    # finite, masked-out cells (pad 1, 4 with a finite y and v) stay in the batch's inputs; the
    # single fit sees them as NaN
    return yi, vi, mask


def single_inputs(yi, vi, mask, i):
    return np.where(mask[i], yi[i], np.nan), np.where(mask[i], vi[i], np.nan)


def _bits(x) -> bytes:
    a = np.array(x, dtype=np.float64).ravel()
    a = np.where(np.isnan(a), np.nan, a)  # one NaN
    return a.tobytes()


def _digest(parts) -> int:
    h = hashlib.blake2b(digest_size=8)
    for p in parts:
        h.update(p)
    return int.from_bytes(h.digest(), "little")


def digest_single(result: dict) -> int:
    return _digest([_bits(np.nan if result[f] is None else result[f]) for f in FIELDS]
                   + [_bits(result["weights"])])


def digest_error(exc: Exception) -> int:
    return _digest([f"{type(exc).__name__}: {exc}".encode()])


def digest_rows(batch: dict) -> np.ndarray:
    cols = np.column_stack([np.asarray(batch[f], dtype=np.float64) for f in FIELDS])
    return np.array([_digest([_bits(cols[i, j]) for j in range(len(FIELDS))] + [_bits(batch["weights"][i])])
                     for i in range(len(cols))], dtype=np.uint64)


def run_single(setting, yi, vi, mask, i) -> tuple[int, dict | Exception]:
    method, ci, level, control = setting
    y, v = single_inputs(yi, vi, mask, i)
    try:
        res = fit_random(y, v, method, ci, level=level, control=control)
    except MetapoolError as exc:
        return digest_error(exc), exc
    return digest_single(res), res


def run_batch(setting, yi, vi, mask) -> dict:
    method, ci, level, control = setting
    return pool_many(yi, vi, method, ci, mask=mask, level=level, control=control, strict=False)


def n_rows(setting) -> int:
    return N if setting[3] == DEFAULT and setting[2] == 0.95 else EXTRA_N


def inputs_digest(yi, vi, mask) -> int:
    return _digest([_bits(yi), _bits(vi), mask.tobytes()])


def write_fixture(path: Path = FIXTURE) -> None:
    """The fixture from the implementation in place (the old one, before the fast path)."""
    yi, vi, mask = simulate()
    out = {"inputs": np.array([inputs_digest(yi, vi, mask)], dtype=np.uint64)}
    for s_i, setting in enumerate(SETTINGS):
        n = n_rows(setting)
        pm = digest_rows(run_batch(setting, yi[:n], vi[:n], mask[:n]))
        odd_i, odd_d = [], []
        for i in range(n):
            d, _ = run_single(setting, yi, vi, mask, i)
            if d != pm[i]:
                odd_i.append(i)
                odd_d.append(d)
        out[f"pm_{s_i}"] = pm
        out[f"fr_idx_{s_i}"] = np.array(odd_i, dtype=np.int64)
        out[f"fr_dig_{s_i}"] = np.array(odd_d, dtype=np.uint64)
        print(f"{setting_id(setting)}: {n} rows, fit_random differs from the batch row (raises) on {len(odd_i)}")
    out["settings"] = np.array([setting_id(s) for s in SETTINGS])
    np.savez_compressed(path, **out)


@pytest.fixture(scope="module")
def fixture():
    with np.load(FIXTURE) as f:
        return {key: f[key] for key in f.files}


@pytest.fixture(scope="module")
def data():
    return simulate()


def test_inputs_and_settings_are_the_fixtures(fixture, data):
    assert int(fixture["inputs"][0]) == inputs_digest(*data), "the simulated inputs changed (numpy RNG?)"
    assert list(fixture["settings"]) == [setting_id(s) for s in SETTINGS]


def _explain(setting, data, i) -> str:
    """Where fit_random and the pool_many row differ (for a failure message)."""
    yi, vi, mask = data
    _, single = run_single(setting, yi, vi, mask, i)
    batch = run_batch(setting, yi[i:i + 1], vi[i:i + 1], mask[i:i + 1])
    if isinstance(single, Exception):
        return f"row {i}: fit_random raised {single!r}; batch tau2 {batch['tau2'][0]!r}"
    diff = [(f, single[f], batch[f][0]) for f in FIELDS
            if _bits(np.nan if single[f] is None else single[f]) != _bits(batch[f][0])]
    if not np.array_equal(single["weights"], batch["weights"][0]):
        diff.append(("weights", single["weights"], batch["weights"][0]))
    return f"row {i}: fit_random vs pool_many row: {diff}"


@pytest.mark.parametrize("s_i", range(len(SETTINGS)), ids=[setting_id(s) for s in SETTINGS])
def test_fit_random_gives_the_old_digits(fixture, data, s_i):
    setting = SETTINGS[s_i]
    yi, vi, mask = data
    expected = fixture[f"pm_{s_i}"].copy()
    expected[fixture[f"fr_idx_{s_i}"]] = fixture[f"fr_dig_{s_i}"]
    bad = [i for i in range(len(expected)) if run_single(setting, yi, vi, mask, i)[0] != expected[i]]
    assert not bad, f"{len(bad)} of {len(expected)} fits changed; first: " + _explain(setting, data, bad[0])


@pytest.mark.parametrize("s_i", range(len(SETTINGS)), ids=[setting_id(s) for s in SETTINGS])
def test_pool_many_gives_the_old_digits(fixture, data, s_i):
    setting = SETTINGS[s_i]
    yi, vi, mask = data
    n = n_rows(setting)
    got = digest_rows(run_batch(setting, yi[:n], vi[:n], mask[:n]))
    bad = np.flatnonzero(got != fixture[f"pm_{s_i}"])
    assert not bad.size, f"{bad.size} of {n} batch rows changed; first: " + _explain(setting, data, int(bad[0]))


# The ad hoc correction (max(1, q)) and its predict() interval, as well.
ADHOC = [(m, "hksj_adhoc", 0.95, DEFAULT) for m in METHODS] + [("REML", "hksj_adhoc", 0.8, Control(stepadj=0.5))]


@pytest.mark.parametrize("setting", SETTINGS + ADHOC, ids=[setting_id(s) for s in SETTINGS + ADHOC])
def test_fit_random_equals_pool_many_row(data, setting):
    """Where fit_random returns, it is the pool_many row, every field and the weights."""
    yi, vi, mask = data
    n = min(n_rows(setting), 400)
    rows = digest_rows(run_batch(setting, yi[:n], vi[:n], mask[:n]))
    for i in range(n):
        d, res = run_single(setting, yi, vi, mask, i)
        if not isinstance(res, Exception):
            assert d == rows[i], _explain(setting, data, i)


def test_fit_random_keys_and_types(data):
    yi, vi, mask = data
    for i in (0, 1, 7, 39):
        y, v = single_inputs(yi, vi, mask, i)
        res = fit_random(y, v, "reml", "HKSJ")
        assert list(res) == list(FIELDS[:20]) + ["weights", "tau2_method", "ci_method"]
        assert (res["tau2_method"], res["ci_method"]) == ("REML", "hksj")
        assert type(res["k"]) is int
        assert all(res[f] is None or type(res[f]) is float for f in FIELDS[1:])
        assert isinstance(res["weights"], np.ndarray) and res["weights"].dtype == np.float64
        assert res["weights"].shape == (WIDTH,)


@pytest.mark.parametrize("args,kwargs", [
    (([0.1, 0.2], [0.1, -0.2]), {}),
    (([0.1, 0.2], [0.1, 0.0]), {}),
    (([0.1, 0.2, 0.3], [0.1, 0.2]), {}),
    (([np.nan, 0.2], [0.1, np.nan]), {}),
    (([], []), {}),
    (([0.1, 0.2], [0.1, 0.2]), {"tau2_method": "XX"}),
    (([0.1, 0.2], [0.1, 0.2]), {"ci_method": "t"}),
    (([0.0, 0.0, 100.0], [0.01, 0.01, 0.01], "PM", "z", 0.95, Control(tau2_max=1e-9)), {}),
    (([-5.0, 5.0, 0.0], [1e-6, 1e-6, 1e-6], "ML", "z", 0.95, Control(maxiter=1)), {}),
])
def test_errors_are_the_old_errors(args, kwargs):
    """Inputs the engine refuses raise what the batch path raises (the same type and message)."""
    from metapool.engine import model

    def old(yi, vi, tau2_method="REML", ci_method="hksj", level=0.95, control=DEFAULT):
        return model.random_batch(model._one(yi, vi), tau2_method, ci_method, level, control)

    with pytest.raises((MetapoolError, ValueError)) as ref:
        old(*args, **kwargs)
    with pytest.raises(type(ref.value)) as got:
        fit_random(*args, **kwargs)
    assert str(got.value) == str(ref.value)


def test_scalar_shapes_and_lists_of_ints():
    """Inputs of other shapes and types are read as the batch path reads them."""
    a = fit_random([[1, 2], [3, 1]], [[1, 2], [1, 1]])
    b = pool_many(np.array([[1.0, 2.0, 3.0, 1.0]]), np.array([[1.0, 2.0, 1.0, 1.0]]))
    assert digest_single(a) == digest_rows(b)[0]
    c = fit_random(0.3, 0.1, "DL", "z")
    assert c["k"] == 1 and c["est"] == 0.3 and c["tau2"] is None


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_fixture()
    else:
        print(__doc__)


