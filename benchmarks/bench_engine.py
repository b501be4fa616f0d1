"""Throughput of the engine, batch and one fit at a time, against statsmodels and pimeta.

Simulates 10,000 meta-analyses of k = 10 two-arm trials (seeded numpy RNG): per meta-analysis
a control-arm risk and a true log RR with between-trial spread; per trial arm sizes and binomial
events; yi, vi by ``metapool.effects.log_rr_from_counts``. Times, on these same data,

* ``metapool.model.pool_many`` with REML tau^2 and the Hartung-Knapp-Sidik-Jonkman CI
  (every field: Q-profile CIs of tau^2 and I^2, prediction interval, ...),
* ``pool_many`` with DerSimonian-Laird tau^2,
* a Python loop over ``statsmodels.stats.meta_analysis.combine_effects(yi, vi,
  method_re="iterated")``. statsmodels has no REML: its "iterated" estimator is Paule-Mandel,
  the closest it offers to an iterative likelihood-type fit;
* ``fit_random(yi, vi, "REML", "hksj")`` one meta-analysis at a time (the CLI's and each
  analysis' pooling path; every field, the Q-profile CIs included), on the first ``--single``
  meta-analyses,
* pimeta's ``rma(yi, vi, method="REML", test="knha")`` one at a time on the same meta-analyses
  (pimeta, in the ``bench`` extra, is imported only here; without it that line says
  "pimeta not installed: skipped"). Its rma computes no Q-profile CI of tau^2 or I^2.

Each is timed as the best of ``--repeat`` runs; the one-at-a-time inputs (each study's finite
yi, vi) are prepared before timing, and the ~0.5% of REML fits that do not converge at metafor's
defaults raise ConvergenceError in fit_random and are timed as such. Before timing, a sample of
rows is fitted one by one with ``fit_random`` and must equal the batch bit for bit. Not a test:
it prints; the last two lines are ``engine: <x> REML+HKSJ fits/s, <y> DL fits/s, statsmodels loop
<z> fits/s, ratio <x/z>`` and ``single: fit_random <a> fits/s, pimeta <b> fits/s, ratio <a/b>``.

Run: ``python benchmarks/bench_engine.py [--m 10000] [--k 10] [--seed 20250101] [--repeat 3]
[--single 2000]``
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np

from metapool.errors import ConvergenceError
from metapool.measures.binary import log_rr_from_counts
from metapool.engine.model import fit_random, pool_many


def simulate(m: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """yi, vi of shape (m, k) from simulated 2x2 tables resembling septic-shock trials.

    Control risk ~ U(0.15, 0.55) per meta-analysis; true log RR ~ N(-0.05, 0.15) plus a
    trial-level N(0, tau) with tau ~ U(0, 0.3); arm sizes log-uniform on [20, 1500].
    """
    rng = np.random.default_rng(seed)
    p_ctl = rng.uniform(0.15, 0.55, (m, 1))
    mu = rng.normal(-0.05, 0.15, (m, 1))
    tau = rng.uniform(0.0, 0.3, (m, 1))
    theta = mu + tau * rng.standard_normal((m, k))
    p_trt = np.clip(p_ctl * np.exp(theta), 1e-4, 1 - 1e-4)
    n_trt = np.exp(rng.uniform(math.log(20), math.log(1500), (m, k))).astype(np.int64)
    n_ctl = np.exp(rng.uniform(math.log(20), math.log(1500), (m, k))).astype(np.int64)
    a = rng.binomial(n_trt, p_trt)
    c = rng.binomial(n_ctl, np.broadcast_to(p_ctl, (m, k)))
    yi, vi, _ = log_rr_from_counts(a, n_trt, c, n_ctl)
    return yi, vi


def best_time(fn, repeat: int) -> float:
    """Shortest wall time of ``repeat`` calls of ``fn``."""
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def check_batch_equals_single(yi, vi, rows: np.ndarray) -> None:
    """pool_many on the full batch equals fit_random row by row, every field, bit for bit
    (rows whose REML Fisher scoring does not converge at metafor's defaults are NaN in the batch
    and raise in fit_random, as rma() stops: they are skipped)."""
    for method, ci in (("REML", "hksj"), ("DL", "hksj")):
        batch = pool_many(yi, vi, method, ci, strict=False)
        for i in rows:
            if np.isnan(batch["tau2"][i]):
                continue
            single = fit_random(yi[i], vi[i], method, ci)
            for field, value in batch.items():
                got, ref = value[i], single[field]
                if field == "weights":
                    same = np.array_equal(got, ref)
                elif ref is None:
                    same = bool(np.isnan(got))
                else:
                    same = float(got) == ref
                if not same:
                    raise SystemExit(f"pool_many differs from fit_random: {method}/{ci} row {i} {field}: "
                                     f"{got!r} vs {ref!r}")
    print(f"pool_many equals fit_random bit for bit on {len(rows)} sampled rows (REML+HKSJ, DL+HKSJ)")


def statsmodels_loop(yi, vi) -> np.ndarray:
    """tau^2 from combine_effects(method_re="iterated") (Paule-Mandel), one call per meta-analysis."""
    from statsmodels.stats.meta_analysis import combine_effects

    tau2 = np.empty(len(yi))
    for i in range(len(yi)):
        res = combine_effects(yi[i], vi[i], method_re="iterated")
        tau2[i] = res.tau2
    return tau2


def single_inputs(yi, vi, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The first ``n`` meta-analyses as (yi, vi) of their finite studies, one pair each."""
    out = []
    for i in range(min(n, len(yi))):
        ok = np.isfinite(yi[i]) & np.isfinite(vi[i])
        out.append((yi[i][ok].copy(), vi[i][ok].copy()))
    return out


def fit_random_loop(pairs) -> np.ndarray:
    """tau^2 of fit_random(yi, vi, "REML", "hksj"), one call per meta-analysis (NaN: did not converge)."""
    tau2 = np.full(len(pairs), np.nan)
    for i, (y, v) in enumerate(pairs):
        try:
            tau2[i] = fit_random(y, v, "REML", "hksj")["tau2"] or 0.0
        except ConvergenceError:
            pass
    return tau2


def pimeta_loop(pairs, rma) -> np.ndarray:
    """tau^2 of pimeta's rma(yi, vi, method="REML", test="knha"), one call per meta-analysis."""
    tau2 = np.empty(len(pairs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, (y, v) in enumerate(pairs):
            tau2[i] = rma(y, v, method="REML", test="knha").tau2
    return tau2


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--m", type=int, default=10_000, help="meta-analyses (default 10000)")
    ap.add_argument("--k", type=int, default=10, help="studies per meta-analysis (default 10)")
    ap.add_argument("--seed", type=int, default=20250101)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts (default 3)")
    ap.add_argument("--check", type=int, default=50, help="rows checked against single fits (default 50)")
    ap.add_argument("--single", type=int, default=2000,
                    help="meta-analyses fitted one at a time by fit_random and pimeta (default 2000)")
    args = ap.parse_args(argv)

    yi, vi = simulate(args.m, args.k, args.seed)
    print(f"{args.m} simulated meta-analyses of k = {args.k} (seed {args.seed}); "
          f"{int(np.isnan(yi).sum())} double-zero studies")
    sample = np.random.default_rng(args.seed + 1).choice(args.m, size=min(args.check, args.m), replace=False)
    check_batch_equals_single(yi, vi, np.sort(sample))

    failed = int(np.isnan(pool_many(yi, vi, "REML", "hksj", strict=False)["tau2"]).sum())
    print(f"REML at metafor's defaults (stepadj 1, maxiter 100): {failed} of {args.m} fits do not converge "
          f"(rma() stops on them too); they stay NaN in the batch")
    t_reml = best_time(lambda: pool_many(yi, vi, "REML", "hksj", strict=False), args.repeat)
    t_dl = best_time(lambda: pool_many(yi, vi, "DL", "hksj"), args.repeat)
    sm_tau2 = statsmodels_loop(yi, vi)  # warm-up, and the values for the agreement check
    t_sm = best_time(lambda: statsmodels_loop(yi, vi), args.repeat)

    pm = pool_many(yi, vi, "PM", "z")["tau2"]
    print(f"agreement: engine PM tau2 vs statsmodels 'iterated' (also Paule-Mandel): "
          f"max |diff| = {np.max(np.abs(pm - sm_tau2)):.2e}")
    x, y, z = args.m / t_reml, args.m / t_dl, args.m / t_sm
    print(f"pool_many REML+HKSJ: {t_reml:.3f} s for {args.m} fits ({x:,.0f} fits/s)")
    print(f"pool_many DL+HKSJ:   {t_dl:.3f} s for {args.m} fits ({y:,.0f} fits/s)")
    print(f"statsmodels combine_effects(method_re='iterated', i.e. Paule-Mandel) loop: "
          f"{t_sm:.3f} s ({z:,.0f} fits/s)")

    pairs = single_inputs(yi, vi, args.single)
    n1 = len(pairs)
    fr_tau2 = fit_random_loop(pairs)  # warm-up, and the values for the agreement check
    t_fr = best_time(lambda: fit_random_loop(pairs), args.repeat)
    a = n1 / t_fr
    try:
        from pimeta import rma
    except ImportError:
        rma = None
    print(f"fit_random REML+HKSJ one at a time: {t_fr:.3f} s for {n1} fits ({a:,.0f} fits/s; "
          f"{int(np.isnan(fr_tau2).sum())} raise ConvergenceError)")
    if rma is None:
        print("pimeta not installed: skipped")
    else:
        pi_tau2 = pimeta_loop(pairs, rma)
        t_pi = best_time(lambda: pimeta_loop(pairs, rma), args.repeat)
        b = n1 / t_pi
        both = ~np.isnan(fr_tau2)
        print(f"pimeta rma(method='REML', test='knha') one at a time: {t_pi:.3f} s for {n1} fits ({b:,.0f} fits/s); "
              f"tau2 vs fit_random: max |diff| = {np.max(np.abs(pi_tau2[both] - fr_tau2[both])):.2e}")
    print(f"ratios: pool_many REML+HKSJ / statsmodels loop {x / z:.1f}"
          + ("" if rma is None else f"; fit_random / pimeta, one at a time, {a / b:.2f}"))
    print(f"engine: {x:.0f} REML+HKSJ fits/s, {y:.0f} DL fits/s, statsmodels loop {z:.0f} fits/s, ratio {x / z:.1f}")
    print(f"single: fit_random {a:.0f} fits/s, "
          + ("pimeta not installed: skipped" if rma is None else f"pimeta {b:.0f} fits/s, ratio {a / b:.2f}"))


if __name__ == "__main__":
    main()
