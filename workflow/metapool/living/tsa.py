"""Trial sequential analysis (Wetterslev, Thorlund, Brok & Gluud 2008 J Clin Epidemiol 61:64;
Thorlund et al. 2011, User manual for Trial Sequential Analysis, Copenhagen Trial Unit).

1. Required information size for a dichotomous outcome (total participants, 1:1 allocation):
       RIS_fixed = 4 (z_{1-alpha/2} + z_{1-beta})^2 p (1 - p) / (p_c - p_e)^2,
   p_c the assumed control risk, p_e = p_c (1 - RRR), p = (p_c + p_e) / 2 (Pogue & Yusuf 1997).
2. Diversity-adjusted (Wetterslev, Thorlund, Brok & Gluud 2009 BMC Med Res Methodol 9:86):
       D^2 = (V_R - V_F) / V_R,   RIS = RIS_fixed / (1 - D^2),
   V_R and V_F the variances of the random-effects (DerSimonian-Laird, as the TSA software) and
   fixed-effect pooled log RR of all trials.
3. Cumulative Z-curve: Z_k = mu_k / se_k of the random-effects model of trials 1..k (publication
   order), plotted against the accrued participants N_k; information fraction t_k = N_k / RIS.
4. Two-sided Lan-DeMets O'Brien-Fleming alpha-spending monitoring boundaries at the observed t_k,
   and beta-spending futility boundaries (the inner wedge, non-binding), by recursive numerical
   integration (``groupseq``). The first look at or beyond the RIS is the final analysis (t = 1, all
   alpha spent); looks after it have no boundaries.
Conclusion: the Z-curve crossed a monitoring boundary (firm evidence for benefit or harm), entered
the futility wedge (an effect of the anticipated size is unlikely), reached the RIS without either,
or none of these (more participants are needed).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from metapool.engine.model import fit_fixed, fit_random
from metapool.engine.tau2 import DEFAULT, Control
from metapool.measures import registry

from metapool.living.groupseq import efficacy_boundaries, futility_boundaries, obf_spending
from metapool.living.subsets import fit_subsets


def required_information_size(pc: float, rrr: float, alpha: float = 0.05, beta: float = 0.2) -> float:
    """RIS_fixed: total participants to detect a relative risk reduction rrr from control risk pc."""
    pe = pc * (1 - rrr)
    pbar = (pc + pe) / 2
    z = ndtri(1 - alpha / 2) + ndtri(1 - beta)
    return float(4 * z * z * pbar * (1 - pbar) / (pc - pe) ** 2)


def diversity(yi, vi, tau2_method: str = "DL", control: Control = DEFAULT) -> float:
    """D^2 = 1 - V_F / V_R from the pooled variances of all trials (0 for a single trial)."""
    if len(yi) < 2:
        return 0.0
    v_f = fit_fixed(yi, vi)["se"] ** 2
    v_r = fit_random(yi, vi, tau2_method=tau2_method, ci_method="z", control=control)["se"] ** 2
    return max(0.0, 1 - v_f / v_r)


def _fractions(patients: np.ndarray, ris: float) -> tuple[np.ndarray, int]:
    """Information fractions for the boundaries and the number of looks that have one."""
    t = patients / ris
    reached = np.flatnonzero(t >= 1)
    n_looks = int(reached[0]) + 1 if reached.size else len(t)
    return np.minimum(t[:n_looks], 1.0), n_looks


def _conclusion(z, eff, fut, labels, n_looks, ris_reached, measure: str = "RR") -> dict:
    crossed = futile = None
    for k in range(n_looks):
        if crossed is None and abs(z[k]) >= eff[k]:
            crossed = k
        if futile is None and fut[k] > 0 and abs(z[k]) < fut[k]:
            futile = k
    if crossed is not None:
        m = registry.get(measure)
        null = f"{m.null:g}"
        side = f"the intervention ({m.short} < {null})" if z[crossed] < 0 else f"the control ({m.short} > {null})"
        text = (f"The cumulative Z-curve crossed the monitoring boundary favouring {side} at {labels[crossed]}: "
                f"firm evidence, further trials are unlikely to change the conclusion.")
        status = "boundary_crossed"
    elif futile is not None:
        text = (f"The cumulative Z-curve entered the futility region at {labels[futile]}: an effect of the "
                f"anticipated size is unlikely.")
        status = "futility"
    elif ris_reached:
        text = ("The required information size was reached without crossing the monitoring boundary: "
                "the anticipated effect can be rejected.")
        status = "ris_reached"
    else:
        text = ("Neither the monitoring boundary nor the required information size was reached: "
                "the evidence is inconclusive and more participants are needed.")
        status = "inconclusive"
    return {"status": status, "boundary_crossed": crossed is not None,
            "crossed_at": labels[crossed] if crossed is not None else None,
            "futility_crossed": futile is not None, "futility_at": labels[futile] if futile is not None else None,
            "ris_reached": bool(ris_reached), "conclusion": text}


def required_information_size_continuous(difference: float, sd: float, alpha: float = 0.05,
                                          beta: float = 0.2) -> float:
    """RIS_fixed for a mean difference: 4 (z_{1-alpha/2} + z_{1-beta})^2 sd^2 / difference^2 (1:1)."""
    z = ndtri(1 - alpha / 2) + ndtri(1 - beta)
    return float(4 * z * z * sd * sd / difference**2)


def trial_sequential_analysis(yi, vi, patients, labels, acr: float | None = None, rrr: float = 0.2,
                              alpha: float = 0.05, beta: float = 0.2, tau2_method: str = "DL",
                              control: Control = DEFAULT, measure: str = "RR",
                              ris_fixed: float | None = None) -> dict:
    """TSA of the trials in the order given; ``patients`` are each trial's randomised participants.

    The fixed-effect RIS is ``ris_fixed`` when given (a continuous outcome), else the
    dichotomous one from ``acr`` and ``rrr`` (RR, OR, RD alike: it depends on event proportions).
    """
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    accrued = np.cumsum(np.asarray(patients, dtype=float))
    if ris_fixed is None:
        ris_fixed = required_information_size(acr, rrr, alpha, beta)
    d2 = diversity(yi, vi, tau2_method, control)
    ris = ris_fixed / (1 - d2)
    k = len(yi)
    cum = fit_subsets(yi, vi, np.tri(k, dtype=bool), tau2_method, "z", control)
    z = np.asarray(cum["est"] / cum["se"], dtype=float)
    t, n_looks = _fractions(accrued, ris)
    eff = efficacy_boundaries(t, alpha)
    theta = float(ndtri(1 - alpha / 2) + ndtri(1 - beta))
    fut = futility_boundaries(t, eff, beta, theta, alpha)
    pad = [None] * (k - n_looks)
    spent = obf_spending(t, alpha)
    out = {
        "method": "Lan-DeMets O'Brien-Fleming alpha spending (two-sided), beta-spending futility, "
                  "diversity-adjusted required information size (Wetterslev et al. 2008, 2009)",
        "acr": acr, "rrr": rrr, "alpha": alpha, "beta": beta, "tau2_method": tau2_method,
        "ris_fixed": ris_fixed, "D2": d2, "ris": ris, "drift": theta,
        "patients": float(accrued[-1]), "information_fraction_total": float(accrued[-1] / ris),
        "study": list(labels), "accrued": accrued.tolist(), "information_fraction": (accrued / ris).tolist(),
        "z": z.tolist(),
        "efficacy": eff.tolist() + pad, "futility": fut.tolist() + pad, "alpha_spent": spent.tolist() + pad,
    }
    out.update(_conclusion(z, eff, fut, list(labels), n_looks, accrued[-1] >= ris, measure))
    return out


def conventional_z(alpha: float = 0.05) -> float:
    """The fixed-sample two-sided critical value z_{1-alpha/2}, drawn for comparison."""
    return float(ndtri(1 - alpha / 2))
