"""Render pooled results as JSON (for programs) and TSV (for people). Both byte-stable."""

from __future__ import annotations

import json

from metapool.safetext import tsv_cell

TSV_COLUMNS = (
    "row", "name", "group", "k", "status", "measure", "effect", "ci_lb", "ci_ub", "pi_lb", "pi_ub",
    "yi", "se", "pval", "weight_fixed", "weight_random", "tau2", "tau2_ci_lb", "tau2_ci_ub",
    "I2", "I2_ci_lb", "I2_ci_ub", "H2", "Q", "Qp", "method",
)
"""effect, ci_lb ... pi_ub on the people's scale; yi (study) or the pooled est, and se, on the analysis scale."""
FIXED = (("fixed_iv", "fixed effect (inverse variance)", "fixed IV"),
         ("fixed_mh", "fixed effect (Mantel-Haenszel)", "fixed MH"),
         ("fixed_peto", "fixed effect (Peto)", "fixed Peto"))


def to_json(result: dict) -> str:
    """Indented JSON, keys in contract order, floats as stored (12 significant digits), newline-terminated."""
    return json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def fmt(x) -> str:
    """A TSV cell: '' for missing, integers as is, floats to 6 significant digits, text through
    safetext.tsv_cell (one line; a formula-like cell prefixed with ', OWASP CSV injection)."""
    if x is None:
        return ""
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return f"{x:.6g}"
    return tsv_cell(str(x))


def _block_row(row: str, name: str, group: str | None, block: dict, method: str, measure: str) -> dict:
    eff = block.get("natural") or {}
    return {
        "row": row, "name": name, "group": group, "k": block.get("k"), "status": "", "measure": measure,
        "effect": eff.get("est"), "ci_lb": eff.get("ci_lb"), "ci_ub": eff.get("ci_ub"),
        "pi_lb": eff.get("pi_lb"), "pi_ub": eff.get("pi_ub"), "yi": block.get("est"),
        "se": block.get("se"), "pval": block.get("pval"), "tau2": block.get("tau2"),
        "tau2_ci_lb": block.get("tau2_ci_lb"), "tau2_ci_ub": block.get("tau2_ci_ub"),
        "I2": block.get("I2"), "I2_ci_lb": block.get("I2_ci_lb"), "I2_ci_ub": block.get("I2_ci_ub"),
        "H2": block.get("H2"), "Q": block.get("Q"), "Qp": block.get("Qp"), "method": method,
    }


def tsv_rows(result: dict) -> list[dict]:
    """One row per study, then the pooled blocks (fixed IV, MH or Peto, random), subgroups, their test, the notes."""
    s = result["settings"]
    measure = result.get("measure")
    re_method = f"random effects, {s['tau2_method']}, CI {s['ci_method']}"
    rows = []
    for st in result["studies"]:
        eff = st.get("natural") or {}
        rows.append({
            "row": "study", "name": st.get("label") or st["study"], "group": st.get("group"),
            "status": st["status"], "measure": measure, "effect": eff.get("est"), "ci_lb": eff.get("ci_lb"),
            "ci_ub": eff.get("ci_ub"), "yi": st.get("yi"), "se": st.get("se"),
            "weight_fixed": st.get("weight_fixed"), "weight_random": st.get("weight_random"),
        })
    for key, name, method in FIXED:
        if result.get(key):
            rows.append(_block_row("pooled", name, None, result[key], method, measure))
    if result.get("random"):
        rows.append(_block_row("pooled", "random effects", None, result["random"], re_method, measure))
    if result.get("bayes"):
        rows.append(_bayes_row(result["bayes"], measure))
    sub = result.get("subgroups")
    if sub:
        for g in sub["groups"]:
            if g["random"]:
                rows.append(_block_row("subgroup", f"{sub['by']} = {g['group']}", g["group"], g["random"],
                                       re_method, measure))
        if sub.get("test"):
            t = sub["test"]
            rows.append({"row": "subgroup_test", "name": "test for subgroup differences", "Q": t["Q_between"],
                         "k": t["df"] + 1, "pval": t["p"], "I2": t.get("I2"), "method": f"chi2 on {t['df']} df"})
    rows += [{"row": "note", "name": note} for note in result.get("notes") or ()]
    return rows


def to_tsv(result: dict, extra: dict | None = None) -> str:
    """Tab-separated table of :func:`tsv_rows`, with leading ``extra`` columns (e.g. the analysis name)."""
    extra = extra or {}
    cols = tuple(extra) + TSV_COLUMNS
    lines = ["\t".join(cols)]
    for r in tsv_rows(result):
        r = {**extra, **r}
        lines.append("\t".join(fmt(r.get(c)) for c in cols))
    return "\n".join(lines) + "\n"


def _bayes_row(b: dict, measure: str) -> dict:
    """The Bayesian block as a pooled row: posterior median, 95% credible and predictive intervals."""
    nat = b["natural"]
    label = f"{b['prior']['family']}({b['prior']['scale']:g})"
    return {"row": "pooled", "name": f"Bayesian random effects ({label} prior on tau)", "k": b["k"],
            "measure": measure, "effect": nat["mu_median"], "ci_lb": nat["mu_lb"], "ci_ub": nat["mu_ub"],
            "pi_lb": nat["pred_lb"], "pi_ub": nat["pred_ub"], "yi": b["mu_median"], "se": b["mu_sd"],
            "method": f"posterior median, 95% credible interval; tau median {fmt(b['tau_median'])}"}
