"""From a list of studies to the pooled-result dictionary (the JSON contract in docs/design.md)."""

from __future__ import annotations

import math

import numpy as np

from metapool.engine import model
from metapool.measures.binary import log_rr_from_ci, log_rr_from_counts
from metapool.errors import InputError, Problem
from metapool.engine.mantel_haenszel import mantel_haenszel
from metapool.engine.subgroups import subgroup_difference
from metapool.engine.tau2 import DEFAULT, METHODS, Control

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


def _is_count(x) -> bool:
    return not isinstance(x, bool) and isinstance(x, (int, float, np.integer, np.floating)) \
        and math.isfinite(x) and x >= 0 and float(x).is_integer()


def _is_positive(x) -> bool:
    return not isinstance(x, bool) and isinstance(x, (int, float, np.integer, np.floating)) \
        and math.isfinite(x) and x > 0


def study_problems(studies: list[dict]) -> list[Problem]:
    """Impossible numbers in every complete set of counts or of RR and CI (an incomplete set is unused).

    Counts: non-negative whole numbers, totals >= 1, events <= total. RR: finite and > 0,
    rr_lower <= rr <= rr_upper, rr_lower < rr_upper (a zero-width CI has no variance).
    """
    problems = []
    for j, s in enumerate(studies, start=1):
        where = f"study {j} ({s.get('study')!r})"

        def report(column: str, message: str, where: str = where) -> None:
            problems.append(Problem(where, None, column, message))

        if _has(s, COUNTS):
            bad = [c for c in COUNTS if not _is_count(s[c])]
            for c in bad:
                report(c, f"{s[c]!r} is not a non-negative whole number")
            for events, total in (COUNTS[:2], COUNTS[2:]):
                if events in bad or total in bad:
                    continue
                if s[total] < 1:
                    report(total, "a total must be at least 1")
                elif s[events] > s[total]:
                    report(events, f"{s[events]!r} events exceed {total} = {s[total]!r}")
        if _has(s, REPORTED):
            bad = [c for c in REPORTED if not _is_positive(s[c])]
            for c in bad:
                report(c, f"{s[c]!r} is not a positive number")
            if not bad:
                rr, lower, upper = (s[c] for c in REPORTED)
                if not lower <= rr <= upper:
                    report("rr", f"rr = {rr!r} lies outside its CI [{lower!r}, {upper!r}]")
                elif lower == upper:
                    report("rr_upper", "rr_lower equals rr_upper; a zero-width CI has no variance")
    return problems


def study_effects(studies: list[dict]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """yi, vi and status per study: counts when all four are given, else a reported RR, else no data.

    Raises InputError (every problem at once) for impossible numbers (:func:`study_problems`).
    """
    problems = study_problems(studies)
    if problems:
        raise InputError(problems)
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


def _fixed(yi, vi) -> tuple[dict, np.ndarray]:
    """Fixed-effect block and its percent weights."""
    out = model.fit_fixed(yi, vi)
    weights = out.pop("weights")
    out["rr"] = _rr(out)
    return out, weights


def _random(yi, vi, tau2_method, ci_method, control: Control = DEFAULT) -> tuple[dict, np.ndarray]:
    """Random-effects block and its percent weights (they do not depend on the CI method)."""
    out = model.fit_random(yi, vi, tau2_method, ci_method, control=control)
    weights = out.pop("weights")
    out["rr"] = _rr(out, with_pi=True)
    return out, weights


def _mh(studies: list[dict], status: list[str], notes: list[str]) -> dict | None:
    """MH over every study with counts, including not-estimable ones (as metafor rma.mh)."""
    if not any(s in ("counts", "counts_corrected") for s in status):
        return None
    if "reported_rr" in status:
        notes.append("Mantel-Haenszel not computed: some studies enter by reported RR only, "
                     "and MH needs 2x2 counts from every study.")
        return None
    rows = [s for s, st in zip(studies, status) if st != "no_data"]
    out = mantel_haenszel(*([s[k] for s in rows] for k in COUNTS))
    if out is None:
        notes.append("Mantel-Haenszel not computed: one arm has no events in any study, "
                     "so the MH risk ratio is 0 or infinite.")
        return None
    out["rr"] = _rr(out)
    return out


def pool_studies(studies: list[dict], tau2_method: str = "REML", ci_method: str = "hksj",
                 by: str | None = None, control: Control = DEFAULT) -> dict:
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
        fixed, wf = _fixed(yi[pooled], vi[pooled])
        random, wr = _random(yi[pooled], vi[pooled], tau2_method, ci_method, control)
        w_fixed = np.full(len(studies), np.nan)
        w_random = np.full(len(studies), np.nan)
        w_fixed[pooled] = wf
        w_random[pooled] = wr
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
        e = {"study": s.get("study"), **dict.fromkeys(COUNTS),
             **{key: val for key, val in s.items() if key not in REPORTED}}
        # the input's reported RR keeps its values under its own name; "rr" is the computed block
        e["reported_rr"] = ({"est": s["rr"], "ci_lb": s["rr_lower"], "ci_ub": s["rr_upper"]}
                            if _has(s, REPORTED) else None)
        se = math.sqrt(vi[j]) if pooled[j] else None
        e.update({
            "yi": yi[j], "vi": vi[j], "se": se,
            "ci_lb": yi[j] - 1.959963984540054 * se if se is not None else None,
            "ci_ub": yi[j] + 1.959963984540054 * se if se is not None else None,
            "weight_fixed": w_fixed[j], "weight_random": w_random[j], "status": status[j],
        })
        e["rr"] = _rr({"est": yi[j], "ci_lb": e["ci_lb"], "ci_ub": e["ci_ub"]}) if pooled[j] else \
            {"est": None, "ci_lb": None, "ci_ub": None}
        if by is not None:
            e["group"] = _group_label(s.get(by))
        entries.append(e)

    result = {
        "measure": "RR", "k": k, "k_total": len(studies),
        "settings": {"tau2_method": tau2_method, "ci_method": ci_method, "level": 95,
                     "control": control.settings()},
        "studies": entries, "fixed_iv": fixed, "fixed_mh": mh, "random": random,
        "subgroups": _subgroups(studies, yi, vi, by, tau2_method, ci_method, control) if by else None,
        "notes": notes,
    }
    return clean(result)


def _group_label(value) -> str:
    return "(not given)" if value is None or str(value).strip() == "" else str(value)


def _subgroups(studies, yi, vi, by, tau2_method, ci_method, control: Control) -> dict:
    labels = [_group_label(s.get(by)) for s in studies]
    order = list(dict.fromkeys(labels))
    groups, est, se = [], [], []
    for g in order:
        sel = np.array([lab == g for lab in labels]) & np.isfinite(yi)
        kg = int(sel.sum())
        entry = {"group": g, "k": kg, "fixed_iv": None, "random": None}
        if kg:
            entry["fixed_iv"] = _fixed(yi[sel], vi[sel])[0]
            entry["random"] = _random(yi[sel], vi[sel], tau2_method, ci_method, control)[0]
            est.append(entry["random"]["est"])
            se.append(entry["random"]["se_wald"])
        groups.append(entry)
    return {"by": by, "groups": groups, "test": subgroup_difference(est, se)}
