"""Brent's root finder, as R's ``uniroot``.

A line-by-line port of R's ``R_zeroin2`` (src/library/stats/src/zeroin.c; Brent 1973,
*Algorithms for Minimization without Derivatives*, ch. 4), which ``uniroot`` calls. metafor
finds the Paule-Mandel estimate and the Q-profile confidence limits of tau^2 with
``uniroot(tol = .Machine$double.eps^0.25)``, so the iterates, and hence the digits, depend on
the exact algorithm: porting it reproduces metafor's values rather than merely the roots.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

R_TOL = float(np.finfo(float).eps ** 0.25)
_EPS2 = 2 * float(np.finfo(float).eps)


def zeroin(f: Callable[[float], float], a: float, b: float, fa: float, fb: float, tol: float = R_TOL,
           maxiter: int = 1000) -> tuple[float, bool]:
    """The root of ``f`` in [a, b], given fa = f(a) and fb = f(b) of opposite signs (as ``uniroot``
    requires): (root, converged); without convergence in ``maxiter`` steps, the last iterate."""
    c, fc = a, fa
    if fa == 0.0:
        return a, True
    if fb == 0.0:
        return b, True
    half_tol = tol / 2
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = _EPS2 * abs(b) + half_tol
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b, True
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):  # interpolation
            cb = c - b
            if a == c:  # linear
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:  # inverse quadratic
                qq = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0))
                q = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            p = abs(p)
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b = b + new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b, False
