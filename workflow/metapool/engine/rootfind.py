"""Brent's root finder, vectorised over independent problems.

A line-by-line port of R's ``R_zeroin2`` (src/library/stats/src/zeroin.c; Brent 1973,
*Algorithms for Minimization without Derivatives*, ch. 4), which ``uniroot`` calls. metafor
finds the Paule-Mandel estimate and the Q-profile confidence limits of tau^2 with
``uniroot(tol = .Machine$double.eps^0.25)``, so the iterates, and hence the digits, depend on
the exact algorithm: porting it reproduces metafor's values rather than merely the roots.
Each element of the arrays is its own problem; all advance in lock step and stop independently.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

R_TOL = np.finfo(float).eps ** 0.25
_EPS = np.finfo(float).eps


def zeroin(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    lower: np.ndarray,
    upper: np.ndarray,
    f_lower: np.ndarray,
    f_upper: np.ndarray,
    tol: float = R_TOL,
    maxiter: int = 1000,
) -> tuple[np.ndarray, np.ndarray]:
    """Roots of ``f`` in [lower, upper] for each element; ``f(x, idx)`` evaluates rows ``idx``.

    Returns (root, converged). Elements must bracket a sign change (as ``uniroot`` requires).
    """
    a = np.array(lower, dtype=float, copy=True)
    b = np.array(upper, dtype=float, copy=True)
    fa = np.array(f_lower, dtype=float, copy=True)
    fb = np.array(f_upper, dtype=float, copy=True)
    c = a.copy()
    fc = fa.copy()
    n = a.shape[0]
    done = np.zeros(n, dtype=bool)
    conv = np.zeros(n, dtype=bool)
    root = np.full(n, np.nan)

    at_a = fa == 0.0
    root[at_a] = a[at_a]
    at_b = ~at_a & (fb == 0.0)
    root[at_b] = b[at_b]
    done |= at_a | at_b
    conv |= at_a | at_b

    for _ in range(maxiter + 1):
        act = ~done
        if not act.any():
            break
        i = np.flatnonzero(act)
        ai, bi, ci_, fai, fbi, fci = a[i], b[i], c[i], fa[i], fb[i], fc[i]
        prev_step = bi - ai
        swap = np.abs(fci) < np.abs(fbi)
        ai = np.where(swap, bi, ai)
        bi, ci_ = np.where(swap, ci_, bi), np.where(swap, bi, ci_)
        fai = np.where(swap, fbi, fai)
        fbi, fci = np.where(swap, fci, fbi), np.where(swap, fbi, fci)

        tol_act = 2 * _EPS * np.abs(bi) + tol / 2
        new_step = (ci_ - bi) / 2
        finished = (np.abs(new_step) <= tol_act) | (fbi == 0.0)

        interp = (np.abs(prev_step) >= tol_act) & (np.abs(fai) > np.abs(fbi)) & ~finished
        with np.errstate(divide="ignore", invalid="ignore"):
            cb = ci_ - bi
            linear = ai == ci_
            t1_lin = fbi / fai
            p_lin = cb * t1_lin
            q_lin = 1.0 - t1_lin
            qq = fai / fci
            t1 = fbi / fci
            t2 = fbi / fai
            p_quad = t2 * (cb * qq * (qq - t1) - (bi - ai) * (t1 - 1.0))
            q_quad = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            p = np.where(linear, p_lin, p_quad)
            q = np.where(linear, q_lin, q_quad)
            q = np.where(p > 0, -q, q)
            p = np.abs(p)
            accept = interp & (p < (0.75 * cb * q - np.abs(tol_act * q) / 2)) & (
                p < np.abs(prev_step * q / 2)
            )
            new_step = np.where(accept, p / q, new_step)
        small = np.abs(new_step) < tol_act
        new_step = np.where(small, np.where(new_step > 0, tol_act, -tol_act), new_step)

        # rows that finished this round keep b as their root
        fin_idx = i[finished]
        root[fin_idx] = bi[finished]
        done[fin_idx] = True
        conv[fin_idx] = True

        go = ~finished
        gi = i[go]
        a_new = bi[go]
        fa_new = fbi[go]
        b_new = bi[go] + new_step[go]
        fb_new = np.asarray(f(b_new, gi), dtype=float)
        same_sign = ((fb_new > 0) & (fci[go] > 0)) | ((fb_new < 0) & (fci[go] < 0))
        c_new = np.where(same_sign, a_new, ci_[go])
        fc_new = np.where(same_sign, fa_new, fci[go])
        a[gi], fa[gi], b[gi], fb[gi], c[gi], fc[gi] = a_new, fa_new, b_new, fb_new, c_new, fc_new
        # keep swapped state for finished rows irrelevant; for ongoing rows state is updated above

    left = ~done
    root[left] = b[left]
    return root, conv
