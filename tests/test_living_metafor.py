"""Living-review analyses against metafor: every field of tests/data/oracle/extras.json for all 13
oracle cases (REML, Wald z, metafor's defaults) and of tests/data/control_stepadj05/extras.json
(control stepadj 0.5, maxiter 1000), and tests/reference/settings.json (tests/reference/settings.R)
for the other tau^2 estimators, the Hartung-Knapp CI and the R0 trim-and-fill estimator."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import oracle
import pytest

from metapool.measures.binary import log_rr_from_counts
from metapool.living import run_living
from metapool.living.cumulative import cumulative
from metapool.living.influence import influence
from metapool.living.leave1out import leave1out
from metapool.living.smallstudy import egger_lm, egger_rma
from metapool.living.trimfill import trimfill

HERE = Path(__file__).parent
CASES = {c["name"]: c for c in oracle.CASES}
EXTRAS = {e["name"]: e for e in oracle.EXTRAS}
CONTROLS = {name: control for name, (control, _, _) in oracle.REFERENCES.items()}
EXTRAS_BY_REF = {name: {e["name"]: e for e in extras} for name, (_, _, extras) in oracle.REFERENCES.items()}
SETTINGS = json.loads((HERE / "reference" / "settings.json").read_text())
close = oracle.close
BLOCKS = ("cumul", "leave1out", "influence", "egger_rma", "egger_lm", "trimfill")


@lru_cache(maxsize=None)
def effects(name: str) -> tuple[np.ndarray, np.ndarray]:
    c = CASES[name]
    yi, vi, _ = log_rr_from_counts(c["ai"], c["n1"], c["ci"], c["n2"])
    keep = np.isfinite(yi)
    return yi[keep], vi[keep]


@lru_cache(maxsize=None)
def ours(name: str, tau2_method: str = "REML", ci_method: str = "z", ref: str = "default") -> dict:
    yi, vi = effects(name)
    control = CONTROLS[ref]
    out = {
        "cumul": cumulative(yi, vi, tau2_method, ci_method, control),
        "leave1out": leave1out(yi, vi, tau2_method, ci_method, control),
        "influence": influence(yi, vi, tau2_method, ci_method, control),
        "egger_rma": egger_rma(yi, vi, tau2_method, ci_method, control),
        "egger_lm": egger_lm(yi, vi),
    }
    for key, est in (("trimfill", "L0"), ("trimfill_R0", "R0")):
        try:
            out[key] = trimfill(yi, vi, tau2_method, ci_method, estimator=est, control=control)
        except Exception as exc:  # compared with metafor's failure below
            out[key] = exc
    return out


EXTRA_PARAMS = [
    pytest.param(ref, name, block, field, id=f"{ref}-{name}-{block}-{field}")
    for ref, extras in EXTRAS_BY_REF.items()
    for name, e in extras.items() for block in BLOCKS if block in e for field in e[block]
]


def test_extras_cover_every_case():
    assert set(EXTRAS) == set(CASES) and len(CASES) == 13
    assert len({p.values[1] for p in EXTRA_PARAMS}) == 12  # all but k2, which has no extras


@pytest.mark.parametrize("ref_name,name,block,field", EXTRA_PARAMS)
def test_extras_field(ref_name, name, block, field):
    ref = EXTRAS_BY_REF[ref_name][name][block][field]
    got = ours(name, ref=ref_name)[block][field]
    assert close(got, ref), f"{name} {block}.{field}: {got} vs metafor {ref}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_blocks_present_exactly_where_metafor_has_them(name):
    c = CASES[name]
    studies = [{"study": f"s{j}", "events_trt": a, "total_trt": n1, "events_ctl": cc, "total_ctl": n2}
               for j, (a, n1, cc, n2) in enumerate(zip(c["ai"], c["n1"], c["ci"], c["n2"]))]
    res = run_living(studies, ci_method="z")  # extras.json: REML with Wald z (run_living defaults to HKSJ)
    assert res["settings"]["ci_method"] == "z"
    k = EXTRAS[name]["k"]
    assert res["settings"]["k"] == k
    for block in ("leave1out", "influence"):
        assert (res[block] is not None) == (block in EXTRAS[name])
        assert (res[block] is None) == (block in res["reasons"])
    for block in ("egger_rma", "egger_lm", "trimfill"):
        assert (res[block] is not None) == (k >= 10)
    if "cumul" in EXTRAS[name]:
        for field in ("est", "se", "ci_lb", "ci_ub"):
            assert close(res["cumulative"][field], EXTRAS[name]["cumul"][field]), field
        assert res["cumulative"]["study"] == res["leave1out"]["study"]
    if k >= 10:
        for block in ("egger_rma", "egger_lm", "trimfill"):
            for field, ref in EXTRAS[name][block].items():
                assert close(res[block][field], ref), (block, field)


SETTING_PARAMS = [
    pytest.param(i, block, id=f"{s['name']}-{s['tau2_method']}-{s['ci_method']}-{block}")
    for i, s in enumerate(SETTINGS)
    for block in ("cumul", "leave1out", "influence", "egger_rma", "trimfill", "trimfill_R0")
]


@pytest.mark.parametrize("i,block", SETTING_PARAMS)
def test_other_settings(i, block):
    ref = SETTINGS[i]
    got = ours(ref["name"], ref["tau2_method"], ref["ci_method"])[block]
    if ref[block] is None:  # metafor stopped (e.g. trim-and-fill did not converge): so must we
        assert isinstance(got, Exception)
        return
    for field, expected in ref[block].items():
        assert close(got[field], expected), f"{block}.{field}: {got[field]} vs metafor {expected}"
