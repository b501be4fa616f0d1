"""Subgroup analysis: a separate model per subgroup and the test for subgroup differences."""

from __future__ import annotations

import numpy as np
from scipy.special import chdtrc


def subgroup_difference(est: list[float], se: list[float]) -> dict | None:
    """Q_between = sum (mu_g - mu_FE)^2 / se_g^2 with mu_FE the inverse-variance mean of the subgroup
    estimates; chi^2 on G - 1 df (Borenstein et al. 2009, ch. 19; RevMan, metafor). I2 = max(0,
    (Q - df) / Q) in percent, the I^2 of the test for subgroup differences (Borenstein & Higgins 2013
    Prev Sci 14:134; RevMan). None if G < 2."""
    if len(est) < 2:
        return None
    mu = np.asarray(est, dtype=float)
    w = 1 / np.asarray(se, dtype=float) ** 2
    centre = np.sum(w * mu) / np.sum(w)
    q = float(np.sum(w * (mu - centre) ** 2))
    df = len(est) - 1
    return {"Q_between": q, "df": df, "p": float(chdtrc(df, q)), "I2": subgroup_i2(q, df)}


def subgroup_i2(q: float, df: int) -> float:
    """I^2 (percent) of the test for subgroup differences: 100 max(0, (Q - df) / Q); 0 when Q = 0."""
    return 0.0 if q <= 0 else 100.0 * max(0.0, (q - df) / q)


def subgroup_title(title: str, group: str) -> str:
    """An analysis' title narrowed to one of its subgroups: 'Adjunct agents ...: beta-1 blocker'."""
    return f"{title}: {group}"


def pooled_across(result: dict) -> bool:
    """A result pools across its subgroups (or has none): pooled.json "pool_subgroups", true when absent."""
    return result.get("pool_subgroups", True) is not False


def subgroup_parts(result: dict) -> list[dict]:
    """Per subgroup of a result kept apart by subgroup (pool_subgroups false), a pooled.json-shaped
    dict of that subgroup alone: its studies (weights within the subgroup), its own random and
    fixed-effect blocks, its restricted analyses, title "<title>: <group>" and "subgroup". What the
    SoF, summary.tsv, the summary pages and the versions state read for each subgroup; [] for a
    result pooled across its subgroups."""
    if pooled_across(result):
        return []
    out = []
    for g in (result.get("subgroups") or {}).get("groups") or []:
        members = [s for s in result.get("studies") or [] if s.get("group") == g["group"]]
        rest = {k: v for k, v in result.items() if k not in ("subgroups", "sof", "certainty")}
        out.append({**rest, "subgroup": g["group"], "title": subgroup_title(result.get("title") or "", g["group"]),
                    "pool_subgroups": True, "studies": members, "k": g["k"], "k_total": len(members),
                    "fixed_iv": g.get("fixed_iv"), "fixed_mh": None, "fixed_peto": None, "random": g.get("random"),
                    "restricted": g.get("restricted") or [], "certainty": g.get("certainty"), "notes": [],
                    "bayes": g.get("bayes"), "conclusion": g.get("conclusion")})
    return out
