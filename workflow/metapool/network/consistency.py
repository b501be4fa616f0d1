"""Consistency checks of a network: the design-by-treatment interaction test and node splitting.

Design-by-treatment interaction (Higgins et al. 2012, Res Synth Methods 3:98): a design is the set
of treatments of a study; the inconsistency model gives every design its own effects (one column
per design and non-baseline treatment of it). Fixed effect: Q_total (the consistency model's QE) =
Q_within (the inconsistency model's QE: heterogeneity within designs) + Q_between (inconsistency
between designs), df_between = sum over designs of (t_d - 1) - (T - 1). Random effects (Jackson et
al. 2014): tau^2 by REML under the inconsistency model; Q_between = r_c' S^-1 r_c - r_i' S^-1 r_i,
S = V + tau^2 R, the drop in the weighted residual sum of squares from the consistency (c) to the
inconsistency (i) model = the Wald test of the inconsistency parameters.

Node splitting by back-calculation (Dias et al. 2010, Stat Med 29:932; netmeta netsplit's
"back-calculation"): for a comparison A vs B with direct evidence (studies with both arms),
direct = the inverse-variance mean of the studies' own A vs B contrasts (weights 1/(v + tau^2),
tau^2 = the network's: 0 for fixed effect); network = the model's d_A - d_B; indirect =
(network/v_net - direct/v_dir) / (1/v_net - 1/v_dir), v_ind = 1/(1/v_net - 1/v_dir) (i.e.
(network - w direct)/(1 - w) with w = v_net/v_dir, the proportion of direct evidence). The
difference direct - indirect has se sqrt(v_dir + v_ind), z and a two-sided P. A comparison has
indirect evidence when A and B stay connected without the studies that hold both.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr
from scipy.stats import chi2

from metapool.network import arms as armmod
from metapool.network import graph, model, summaries


def design_of(s: armmod.StudyContrasts) -> tuple[str, ...]:
    """A study's design: its treatments, baseline first (treatment order)."""
    return (s.baseline, *s.treatments)


def inconsistency_stack(st: model.Stacked, studies: list[armmod.StudyContrasts]) -> model.Stacked:
    """The design-by-treatment model: one column per (design, non-baseline treatment of it)."""
    columns: dict[tuple, int] = {}
    for s in studies:
        for t in s.treatments:
            columns.setdefault((design_of(s), t), len(columns))
    X = np.zeros((len(st.y), len(columns)))
    row = 0
    for s in studies:
        for t in s.treatments:
            X[row, columns[(design_of(s), t)]] = 1
            row += 1
    return model.Stacked(st.y, st.V, st.R, X)


def _p(q: float, df: int) -> float | None:
    return float(chi2.sf(q, df)) if df > 0 else None


def _wrss(st: model.Stacked, S: np.ndarray) -> float:
    beta, _ = model.gls(st.y, S, st.X)
    r = st.y - st.X @ beta
    return float(r @ np.linalg.solve(S, r))


def design_by_treatment(st: model.Stacked, studies: list[armmod.StudyContrasts]) -> dict:
    """{"designs", "fixed": {Q/df/p total, within, between}, "random": {tau2, Q, df, p}}."""
    inc = inconsistency_stack(st, studies)
    q_total, df_total, _ = model.q_statistic(st)
    q_within, df_within, _ = model.q_statistic(inc)
    df_between = inc.X.shape[1] - st.X.shape[1]
    q_between = q_total - q_within
    tau2 = model.reml_tau2(inc)
    S = st.V + tau2 * st.R
    q_random = _wrss(st, S) - _wrss(inc, S)
    return {
        "designs": len({design_of(s) for s in studies}),
        "fixed": {"Q_total": q_total, "df_total": df_total, "p_total": _p(q_total, df_total),
                  "Q_within": q_within, "df_within": df_within, "p_within": _p(q_within, df_within),
                  "Q_between": q_between, "df_between": df_between, "p_between": _p(q_between, df_between)},
        "random": {"tau2_within": tau2, "Q_between": q_random, "df_between": df_between,
                   "p_between": _p(q_random, df_between)},
    }


def direct_contrasts(studies: list[armmod.StudyContrasts], a: str, b: str) -> list[tuple[str, float, float]]:
    """(study, y, v) of a vs b from every study with both arms (from its contrasts vs baseline)."""
    out = []
    for s in studies:
        arms = design_of(s)
        if a in arms and b in arms:
            y = {s.baseline: 0.0, **dict(zip(s.treatments, s.y))}
            idx = {t: i for i, t in enumerate(s.treatments)}
            out.append((s.study, y[a] - y[b], _pair_var(s, a, b, idx)))
    return out


def _pair_var(s: armmod.StudyContrasts, a: str, b: str, idx: dict[str, int]) -> float:
    """var(y_a - y_b) within one study: contrasts vs baseline c_t with cov V."""
    if a == s.baseline:
        return float(s.V[idx[b], idx[b]])
    if b == s.baseline:
        return float(s.V[idx[a], idx[a]])
    i, j = idx[a], idx[b]
    return float(s.V[i, i] + s.V[j, j] - 2 * s.V[i, j])


def pool_direct(contrasts: list[tuple[str, float, float]], tau2: float) -> tuple[float, float]:
    """Inverse-variance mean and its variance, weights 1/(v + tau2)."""
    w = np.array([1 / (v + tau2) for _, _, v in contrasts])
    y = np.array([y for _, y, _ in contrasts])
    return float(w @ y / w.sum()), float(1 / w.sum())


def has_indirect(studies: list[armmod.StudyContrasts], order: list[str], a: str, b: str) -> bool:
    """A and B connected by the studies that do not hold both."""
    others = [design_of(s) for s in studies if not (a in design_of(s) and b in design_of(s))]
    return any(a in part and b in part for part in graph.components(order, others))


def split(d_net: float, v_net: float, d_dir: float, v_dir: float) -> dict:
    """Back-calculated indirect estimate and the direct - indirect test."""
    v_ind = 1 / (1 / v_net - 1 / v_dir)
    d_ind = (d_net / v_net - d_dir / v_dir) * v_ind
    diff, se = d_dir - d_ind, math.sqrt(v_dir + v_ind)
    z = diff / se
    return {"network": summaries.interval(d_net, math.sqrt(v_net)),
            "direct": summaries.interval(d_dir, math.sqrt(v_dir)),
            "indirect": summaries.interval(d_ind, math.sqrt(v_ind)),
            "prop_direct": v_net / v_dir,
            "difference": {**summaries.interval(diff, se), "z": z, "p": float(2 * ndtr(-abs(z)))}}


def node_split(st: model.Stacked, studies: list[armmod.StudyContrasts], order: list[str], reference: str,
               fit: model.Fit) -> dict[str, dict]:
    """Per comparison "A|B" (A vs B, B earlier in the order) with direct and indirect evidence."""
    d, vd = summaries.effects(fit.beta, fit.vb, order, reference)
    out = {}
    for j, b in enumerate(order):
        for i in range(j + 1, len(order)):
            a = order[i]
            direct = direct_contrasts(studies, a, b)
            if not direct or not has_indirect(studies, order, a, b):
                continue
            d_dir, v_dir = pool_direct(direct, fit.tau2)
            v_net = summaries.pair_se(vd, i, j) ** 2
            out[f"{a}{summaries.SEP}{b}"] = {"k_direct": len(direct),
                                             **split(float(d[i] - d[j]), v_net, d_dir, v_dir)}
    return out


def direct_estimates(studies: list[armmod.StudyContrasts], order: list[str], tau2: float) -> dict[str, dict]:
    """Every "A|B" (B earlier in the order) with direct evidence: the pairwise inverse-variance mean."""
    out = {}
    for j, b in enumerate(order):
        for a in order[j + 1:]:
            direct = direct_contrasts(studies, a, b)
            if direct:
                est, var = pool_direct(direct, tau2)
                out[f"{a}{summaries.SEP}{b}"] = {"k": len(direct), **summaries.interval(est, math.sqrt(var))}
    return out
