"""Peto's fixed-effect odds ratio (metafor ``rma.peto``; Yusuf et al. 1985)."""

from __future__ import annotations

import math

import numpy as np

from metapool.engine.fixed_result import fixed_result
from metapool.engine.r_integer import overflows
from metapool.measures.binary import effect_from_counts


def peto(ai, n1, ci, n2, level: float = 0.95) -> dict | None:
    """Pooled log Peto OR = sum(O - E) / sum V from raw counts, var = 1 / sum V, as ``rma.peto``.

    O = a, E = (a+c) n1/N, V = (a+c)(b+d) (n1/N)(n2/N) / (N-1). Q = sum (O-E)^2/V - (sum(O-E))^2 / sum V
    over the tables with V > 0, on k_yi - 1 df (k_yi: tables with an escalc "PETO" yi; Qp, I^2, H^2
    as metafor: Qp = 1, I^2 = 0, H^2 = 1 unless two tables have V > 0).
    None where metafor stops: no table with both outcomes (sum V = 0), or (a+c) n1 or (a+c)(b+d)
    beyond R's integer range (metafor's sum V is NA).
    """
    a, n1, c, n2 = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (ai, n1, ci, n2))
    events, others = a + c, (n1 - a) + (n2 - c)
    if overflows(events, n1) or overflows(events, others):
        return None
    big_n = n1 + n2
    o_e = a - events * n1 / big_n
    v = events * others * (n1 / big_n) * (n2 / big_n) / (big_n - 1)
    sum_v = float(np.sum(v))
    if sum_v == 0:
        return None
    est = float(np.sum(o_e)) / sum_v
    pos = v > 0
    q = max(0.0, float(np.sum(o_e[pos] ** 2 / v[pos]) - np.sum(o_e) ** 2 / sum_v))
    k_yi = int(effect_from_counts("PETO", a, n1, c, n2)[3].sum())
    # metafor asks for two tables with V > 0 but takes the df from the escalc yi
    return fixed_result(int(len(a)), est, math.sqrt(1 / sum_v), q, k_yi if pos.sum() > 1 else 1, level)
