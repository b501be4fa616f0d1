"""From a list of studies to the pooled-result dictionary (the JSON contract in docs/design.md)."""

from __future__ import annotations

import math

import numpy as np

from . import model
from .effects import log_rr_from_ci, log_rr_from_counts
from .mantel_haenszel import mantel_haenszel
from .subgroups import subgroup_difference
from .tau2 import CONTROL, METAFOR_DEFAULT, METHODS, Control

COUNTS = ("events_trt", "total_trt", "events_ctl", "total_ctl")
REPORTED = ("rr", "rr_lower", "rr_upper")
STATUS_TEXT = {
    "counts": "pooled from 2x2 counts",
    "counts_corrected": "pooled from 2x2 counts (0.5 added to each cell: a zero cell)",
    "reported_rr": "pooled from the reported RR and 95% CI (generic inverse variance)",
    "not_estimable": "not estimable: no events (or only events) in both arms",
    "no_data": "no usable data: neither complete counts nor an RR with its 95% CI",
}


def _has(study: dict, keys: tuple[str, ...]) -> bool:
    return all(study.get(k) is not None for k in keys)


def study_effects(studies: list[dict]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """yi, vi and status per study: counts when all four are given, else a reported RR, else no data."""
    n = len(studies)
    yi = np.full(n, np.nan)
    vi = np.full(n, np.nan)
    status = ["no_data"] * n
    for j, s in enumerate(studies):
        if _has(s, COUNTS):
            y, v, corr = log_rr_from_counts(*(s[k] for k in COUNTS))
            yi[j], vi[j] = y, v
            status[j] = "not_estimable" if not np.isfinite(y) else ("counts_corrected" if corr else "counts")
        elif _has(s, REPORTED):
            y, v = log_rr_from_ci(*(s[k] for k in REPORTED))
            yi[j], vi[j] = y, v
            status[j] = "reported_rr"
    return yi, vi, status


def clean(x):
    """JSON-safe value: NaN/inf -> None, numpy scalars -> Python, floats to 12 significant digits."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return [clean(v) for v in x.tolist()]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return None if not math.isfinite(x) else float(f"{x:.12g}")
    return x


def _rr(block: dict, with_pi: bool = False) -> dict:
    keys = ("est", "ci_lb", "ci_ub") + (("pi_lb", "pi_ub") if with_pi else ())
    return {k: (math.exp(block[k]) if block.get(k) is not None else None) for k in keys}


def _fixed(yi, vi) -> dict:
    out = model.fit_fixed(yi, vi)
    out.pop("weights")
    out["rr"] = _rr(out)
    return out


def _random(yi, vi, tau2_method, ci_method, control: Control = CONTROL) -> dict:
    out = model.fit_random(yi, vi, tau2_method, ci_method, control=control)
    out.pop("weights")
    out["rr"] = _rr(out, with_pi=True)
    return out


def _mh(studies: list[dict], status: list[str], notes: list[str]) -> dict | None:
    if not any(s in ("counts", "counts_corrected") for s in status):
        return None
    if "reported_rr" in status:
        notes.append("Mantel-Haenszel not computed: some studies enter by reported RR only, "
                     "and MH needs 2x2 counts from every study.")
        return None
    rows = [s for s, st in zip(studies, status) if st != "no_data"]
    out = mantel_haenszel(*([s[k] for s in rows] for k in COUNTS))
    if out is not None:
        out["rr"] = _rr(out)
    return out


def pool_studies(studies: list[dict], tau2_method: str = "REML", ci_method: str = "hksj",
                 by: str | None = None) -> dict:
    """Pool risk ratios; see docs/design.md for the returned structure."""
    tau2_method, ci_method = tau2_method.upper(), ci_method.lower()
    if tau2_method not in METHODS:
        raise ValueError(f"unknown tau^2 estimator {tau2_method!r}; choose one of {', '.join(METHODS)}")
    if ci_method not in model.CI_METHODS:
        raise ValueError(f"unknown CI method {ci_method!r}; choose one of {', '.join(model.CI_METHODS)}")
    yi, vi, status = study_effects(studies)
    pooled = np.isfinite(yi)
    k = int(pooled.sum())
    notes: list[str] = []
    fixed = random = mh = None
    w_fixed = w_random = np.full(len(studies), np.nan)
    if k:
        fixed = _fixed(yi[pooled], vi[pooled])
        random = _random(yi[pooled], vi[pooled], tau2_method, ci_method)
        w_fixed = np.full(len(studies), np.nan)
        w_random = np.full(len(studies), np.nan)
        w_fixed[pooled] = model.fit_fixed(yi[pooled], vi[pooled])["weights"]
        w_random[pooled] = model.fit_random(yi[pooled], vi[pooled], tau2_method, "z")["weights"]
        mh = _mh(studies, status, notes)
    if k == 0:
        notes.append("No study with usable data: nothing to pool.")
    elif k == 1:
        notes.append("Only one study: no heterogeneity is estimable; the pooled estimate is the study itself.")
    elif k == 2:
        notes.append("Two studies: no prediction interval (it needs k >= 3).")
    for s, st in zip(studies, status):
        if st in ("not_estimable", "no_data"):
            notes.append(f"{s['study']}: {STATUS_TEXT[st]}.")

    entries = []
    for j, s in enumerate(studies):
        e = dict(s)
        se = math.sqrt(vi[j]) if pooled[j] else None
        e.update({
            "yi": yi[j], "vi": vi[j], "se": se,
            "ci_lb": yi[j] - 1.959963984540054 * se if se else None,
            "ci_ub": yi[j] + 1.959963984540054 * se if se else None,
            "weight_fixed": w_fixed[j], "weight_random": w_random[j], "status": status[j],
        })
        e["rr"] = _rr({"est": yi[j], "ci_lb": e["ci_lb"], "ci_ub": e["ci_ub"]}) if pooled[j] else \
            {"est": None, "ci_lb": None, "ci_ub": None}
        if by is not None:
            e["group"] = _group_label(s.get(by))
        entries.append(e)

    result = {
        "measure": "RR", "k": k, "k_total": len(studies),
        "settings": {"tau2_method": tau2_method, "ci_method": ci_method, "level": 95},
        "studies": entries, "fixed_iv": fixed, "fixed_mh": mh, "random": random,
        "subgroups": _subgroups(studies, yi, vi, by, tau2_method, ci_method) if by else None,
        "notes": notes,
    }
    return clean(result)


def _group_label(value) -> str:
    return "(not given)" if value is None or str(value).strip() == "" else str(value)


def _subgroups(studies, yi, vi, by, tau2_method, ci_method) -> dict:
    labels = [_group_label(s.get(by)) for s in studies]
    order = list(dict.fromkeys(labels))
    groups, est, se = [], [], []
    for g in order:
        sel = np.array([lab == g for lab in labels]) & np.isfinite(yi)
        kg = int(sel.sum())
        entry = {"group": g, "k": kg, "fixed_iv": None, "random": None}
        if kg:
            entry["fixed_iv"] = _fixed(yi[sel], vi[sel])
            # metafor's default control, as the reference's per-subgroup rma() fits
            entry["random"] = _random(yi[sel], vi[sel], tau2_method, ci_method, METAFOR_DEFAULT)
            est.append(entry["random"]["est"])
            se.append(entry["random"]["se_wald"])
        groups.append(entry)
    return {"by": by, "groups": groups, "test": subgroup_difference(est, se)}
