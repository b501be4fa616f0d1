"""Case-deletion diagnostics of the random-effects model, as metafor ``influence.rma.uni``
(Viechtbauer & Cheung 2010 Res Synth Methods 1:112).

With the full fit (mu, Var(mu) = se^2, tau^2, w_i = 1/(v_i + tau^2)) and the fit without study i
(mu_(i), se_(i), tau2_(i), and s2w_(i), the Knapp-Hartung scale (max(1, q) ad hoc), 1 for Wald z):
  rstudent_i = (y_i - mu_(i)) / sqrt(s2w_(i) (v_i + tau2_(i)) + se_(i)^2)
  dffits_i   = (mu - mu_(i)) / sqrt(s2w_(i) h_i (v_i + tau2_(i)))
  cooks_d_i  = (mu - mu_(i))^2 / se^2
  covratio_i = se_(i)^2 / se^2
  hat_i = w_i / sum w,  weight_i = 100 w_i / sum w.
"""

from __future__ import annotations

import numpy as np

from metapool.engine.model import HKSJ
from metapool.engine.tau2 import DEFAULT, Control

from metapool.living.influence_flags import dfbetas, influential
from metapool.living.leave1out import deletion_fits

_EPS = np.finfo(float).eps


def influence(yi, vi, tau2_method: str = "REML", ci_method: str = "z", control: Control = DEFAULT,
              fits: dict | None = None) -> dict:
    """rstudent, dffits, cooks_d, covratio, hat, weight, tau2_del, Q_del, dfbetas and influential
    (living.influence_flags: metafor's inf flag) per study (lists of length k);
    ``fits``: the ``leave1out.deletion_fits`` when already computed."""
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    k = len(y)
    fits = deletion_fits(y, v, tau2_method, ci_method, control) if fits is None else fits
    mu, se, tau2 = fits["est"][0], fits["se"][0], fits["tau2"][0]
    w = 1.0 / (v + tau2)
    hat = w / w.sum()
    hat = np.where(hat > 1 - 10 * _EPS, 1.0, hat)
    dele = {key: fits[key][1:] for key in ("est", "se", "se_wald", "tau2", "Q")}
    mu_d, se_d, tau2_d = dele["est"], dele["se"], dele["tau2"]
    s2w_d = (se_d / dele["se_wald"]) ** 2 if ci_method in HKSJ else np.ones(k)
    resid = y - mu_d
    resid = np.where(np.abs(resid) < 100 * _EPS, 0.0, resid)
    with np.errstate(divide="ignore", invalid="ignore"):
        rstudent = resid / np.sqrt(s2w_d * (v + tau2_d) + se_d**2)
        dffits = (mu - mu_d) / np.sqrt(s2w_d * hat * (tau2_d + v))
    out = {"rstudent": rstudent.tolist(), "dffits": dffits.tolist(),
           "cooks_d": ((mu - mu_d) ** 2 / se**2).tolist(), "covratio": (se_d**2 / se**2).tolist(),
           "hat": hat.tolist(), "weight": (100 * w / w.sum()).tolist(),
           "tau2_del": np.asarray(tau2_d, dtype=float).tolist(), "Q_del": np.asarray(dele["Q"], dtype=float).tolist()}
    # clean() in run_living turns the nan of an uncomputable criterion into null
    return {**out, "dfbetas": dfbetas(out, v.tolist()), "influential": influential(out, v.tolist())}
