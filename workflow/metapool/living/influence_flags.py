"""Which studies are influential, by the criteria of metafor's ``influence.rma.uni``
(Viechtbauer & Cheung 2010 Res Synth Methods 1:112), for the intercept-only model (p = 1).

A study is flagged when at least one of
    |DFFITS_i| > 3 sqrt(p / (k - p)),
    P(chi^2_p <= D_i) > 0.5      (Cook's distance D_i above the chi^2_p median),
    h_i > 3 p / k                (hat value),
    |DFBETAS_i| > 1
holds. DFBETAS is not among the living-review block's fields; metafor computes it as
    DFBETAS_i = (mu - mu_(i)) / sqrt(s2w_(i) / sum_j 1 / (v_j + tau2_(i)))
(the sum over all k studies), and with DFFITS_i = (mu - mu_(i)) / sqrt(s2w_(i) h_i (v_i + tau2_(i)))
that is DFFITS_i sqrt(h_i (v_i + tau2_(i)) sum_j 1 / (v_j + tau2_(i))).
"""

from __future__ import annotations

import math

from scipy.special import chdtr


def dfbetas(influence: dict, vi: list[float]) -> list[float]:
    """DFBETAS per study from the influence block (dffits, hat, tau2_del) and all studies' vi."""
    out = []
    for f, h, t2, v in zip(influence["dffits"], influence["hat"], influence["tau2_del"], vi):
        if f is None or t2 is None:
            out.append(math.nan)
            continue
        out.append(f * math.sqrt(h * (v + t2) * sum(1.0 / (vj + t2) for vj in vi)))
    return out


def influential(influence: dict, vi: list[float], p: int = 1) -> list[bool]:
    """metafor's influential flag per study (a criterion that cannot be computed counts as not met)."""
    k = len(vi)
    dffits_cut = 3 * math.sqrt(p / (k - p))
    hat_cut = 3 * p / k
    flags = []
    for f, d, h, b in zip(influence["dffits"], influence["cooks_d"], influence["hat"],
                          dfbetas(influence, vi)):
        flags.append(bool((f is not None and abs(f) > dffits_cut)
                          or (d is not None and chdtr(p, d) > 0.5)
                          or (h is not None and h > hat_cut)
                          or (not math.isnan(b) and abs(b) > 1)))
    return flags
