"""run_living as a whole: Harbord against tests/reference/harbord.R, absolute effects, the k rules
and their reasons, JSON safety, determinism, ordering, and the TSV rendering."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from metapool.engine.pool import pool_studies
from metapool.living import BLOCKS, run_living, living_to_tsv
from metapool.living.absolute import absolute_effects
from metapool.living.smallstudy import harbord

HERE = Path(__file__).parent
CASES = {c["name"]: c for c in json.loads((HERE / "data" / "oracle" / "cases.json").read_text())}
HARBORD = json.loads((HERE / "reference" / "harbord.json").read_text())


def studies_of(name: str) -> list[dict]:
    c = CASES[name]
    return [{"study": f"{name}-{j}", "events_trt": a, "total_trt": n1, "events_ctl": cc, "total_ctl": n2}
            for j, (a, n1, cc, n2) in enumerate(zip(c["ai"], c["n1"], c["ci"], c["n2"]))]


@lru_cache(maxsize=None)
def result(name: str) -> str:
    """run_living of an oracle case as JSON text (NaN refused), computed once per session."""
    return json.dumps(run_living(studies_of(name)), allow_nan=False, sort_keys=True)


@pytest.mark.parametrize("ref", HARBORD, ids=[r["name"] for r in HARBORD])
def test_harbord_against_r(ref):
    c = CASES[ref["name"]]
    got = harbord(c["ai"], c["n1"], c["ci"], c["n2"])
    for field in ("k", "bias", "se_bias", "t", "df", "p"):
        assert got[field] == pytest.approx(ref[field], rel=1e-6, abs=1e-9), field


def test_harbord_reported_for_k_at_least_10():
    res = json.loads(result("bcg"))
    ref = next(r for r in HARBORD if r["name"] == "bcg")
    assert res["harbord"]["t"] == pytest.approx(ref["t"], rel=1e-9)
    assert json.loads(result("k8_hetero"))["harbord"] is None


@pytest.mark.parametrize("name", ["k2", "k3_homog", "double_zero", "subgroups"])
def test_deterministic(name):
    first = result(name)
    assert json.dumps(run_living(studies_of(name)), allow_nan=False, sort_keys=True) == first


def test_every_block_is_present_or_has_a_reason():
    for name in CASES:
        res = json.loads(result(name))  # also: JSON without NaN for every case
        for block in BLOCKS:
            assert (res[block] is None) == (block in res["reasons"]), (name, block)


def test_small_k_reasons():
    res = json.loads(result("k2"))
    assert res["leave1out"] is None and res["influence"] is None
    assert "10" in res["reasons"]["egger_rma"] and "Cochrane" in res["reasons"]["trimfill"]
    assert res["cumulative"] is not None and len(res["cumulative"]["est"]) == 2


def test_no_estimable_study():
    res = run_living([{"study": "a", "events_trt": 0, "total_trt": 10, "events_ctl": 0, "total_ctl": 12},
                           {"study": "b"}])
    assert all(res[b] is None for b in BLOCKS if b != "tsa")
    json.dumps(res, allow_nan=False)


def test_one_study():
    res = run_living(studies_of("bcg")[:1])
    cu = res["cumulative"]
    assert cu["tau2"] == [0.0] and cu["I2"] == [0.0]
    assert cu["est"][0] == pytest.approx(CASES["bcg"]["ref"]["yi"][0], rel=1e-11)


def test_order_reorders_cumulative_only():
    studies = studies_of("bcg")
    labels = [s["study"] for s in studies]
    fwd = run_living(studies)
    rev = run_living(studies, order=labels[::-1])
    assert rev["cumulative"]["study"] == labels[::-1]
    assert rev["cumulative"]["est"][-1] == pytest.approx(fwd["cumulative"]["est"][-1], rel=1e-9)
    assert rev["leave1out"] == fwd["leave1out"]
    assert rev["tsa"]["study"] == labels[::-1]
    with pytest.raises(ValueError):
        run_living(studies, order=labels[:3])


def test_double_zero_study_left_out_of_lists():
    res = json.loads(result("double_zero"))
    assert res["settings"]["status"][0] == "not_estimable"
    assert res["leave1out"]["study"] == [f"double_zero-{j}" for j in range(1, 5)]


def test_absolute_effects_from_median_control_risk():
    studies = studies_of("bcg")
    res = run_living(studies, ci_method="hksj")
    acr = float(np.median([s["events_ctl"] / s["total_ctl"] for s in studies]))
    ab = res["absolute"]
    assert ab["acr"] == pytest.approx(acr, rel=1e-11)
    assert ab["corresponding_per_1000"] == pytest.approx(1000 * acr * ab["effect"], rel=1e-9)
    assert ab["rd_ci_lb"] == pytest.approx(1000 * acr * (ab["effect_ci_lb"] - 1), rel=1e-9)
    assert ab["effect"] == pytest.approx(math.exp(CASES["bcg"]["ref"]["REML_knha"]["est"]), rel=1e-6)
    assert ab["effect_ci_ub"] == pytest.approx(math.exp(CASES["bcg"]["ref"]["REML_knha"]["ci_ub"]), rel=1e-6)
    given = run_living(studies, acr=0.25)["absolute"]
    assert given["assumed_per_1000"] == pytest.approx(250.0) and given["acr_source"] == "given"


def test_absolute_risks_capped_at_1000():
    ab = absolute_effects(2.0, 1.5, 3.0, 0.4)
    assert ab["corresponding_ci_ub"] == 1000 and ab["corresponding_per_1000"] == 800
    assert ab["rd_ci_ub"] == 600


def reported(name: str, est: float, lower: float, upper: float, measure: str = "RR", **extra) -> dict:
    return {"study": name, "effect_measure": measure, "effect": est, "effect_lower": lower, "effect_upper": upper,
            **extra}


def test_reported_rr_studies_pool_but_give_no_control_risk():
    studies = studies_of("bcg")[:4] + [reported("rr", 0.7, 0.5, 0.98)]
    res = run_living(studies)
    assert res["cumulative"]["study"][-1] == "rr" and len(res["leave1out"]["est"]) == 5
    # which control arms (events / total of each), so a reader sees where the assumed risk comes from
    assert res["absolute"]["acr_source"] == ("median control-arm risk of 4 trials (bcg-0: 7.9%; bcg-1: 9.6%; "
                                             "bcg-2: 5.0%; bcg-3: 1.9%)")
    assert res["settings"]["status"][-1] == "reported"


def test_living_defaults_to_hksj_as_pool_studies():
    studies = studies_of("bcg")
    res = run_living(studies)
    assert (res["settings"]["tau2_method"], res["settings"]["ci_method"]) == ("REML", "hksj")
    pooled = pool_studies(studies)["random"]
    for field in ("est", "se", "ci_lb", "ci_ub"):
        assert res["cumulative"][field][-1] == pytest.approx(pooled[field], rel=1e-9), field
    assert res["absolute"]["effect_ci_lb"] == pytest.approx(pooled["natural"]["ci_lb"], rel=1e-9)


@pytest.mark.parametrize("measure", ["OR", "RD"])
def test_living_for_another_binary_measure(measure):
    same = (reported("same", 0.8, 0.6, 1.05, measure="OR") if measure == "OR"
            else reported("same", -0.01, -0.03, 0.01, measure="RD"))
    studies = studies_of("bcg")[:6] + [reported("rr-only", 0.7, 0.5, 0.98), same]
    res = run_living(studies, measure=measure)
    pooled = pool_studies(studies, measure=measure)
    assert res["settings"]["measure"] == measure and res["settings"]["k"] == pooled["k"] == 7
    assert res["settings"]["status"] == [s["status"] for s in pooled["studies"]]
    assert res["settings"]["status"][6] == "other_measure"           # an RR never enters an OR/RD analysis
    assert "rr-only" not in res["cumulative"]["study"] and res["cumulative"]["study"][-1] == "same"
    assert res["cumulative"]["est"][-1] == pytest.approx(pooled["random"]["est"], rel=1e-9)
    assert res["absolute"]["measure"] == measure and res["tsa"] is not None
    assert res["absolute"]["acr_source"].startswith("median control-arm risk of 6 trials (bcg-0: 7.9%; ")


@pytest.mark.parametrize("measure", ["PETO", "HR"])
def test_absolute_effects_and_tsa_only_where_defined(measure):
    if measure == "PETO":
        studies = studies_of("bcg")
    else:
        studies = [reported(f"s{i}", 0.8 + 0.05 * i, 0.5 + 0.02 * i, 1.2 + 0.1 * i, measure="HR") for i in range(4)]
    res = run_living(studies, measure=measure)
    assert res["absolute"] is None and f"not {measure}" in res["reasons"]["absolute"]
    assert res["tsa"] is None and f"not {measure}" in res["reasons"]["tsa"]
    assert res["cumulative"] is not None and res["leave1out"] is not None
    json.dumps(res, allow_nan=False)


def test_living_excludes_adjusted_effects_on_request():
    studies = studies_of("bcg")[:4] + [reported("adj", 0.7, 0.5, 0.98, effect_adjusted="yes")]
    assert run_living(studies)["settings"]["k"] == 5
    res = run_living(studies, include_adjusted=False)
    assert res["settings"]["k"] == 4 and res["settings"]["status"][-1] == "adjusted_excluded"
    assert "adj" not in res["cumulative"]["study"]


def test_tsv_has_every_block():
    text = living_to_tsv(json.loads(result("k8_hetero")))
    for block in BLOCKS:
        assert f"# {block}\n" in text
    assert "not computed\tk = 8 < 10: funnel plot, Egger's and Harbord's tests and trim-and-fill not run" in text
    section = text.split("# small_study\n")[1].split("\n\n")[0].splitlines()
    assert section[0] == "field\tvalue" and sorted(section[1:]) == [
        "k\t8", "min_k\t10", "reason\tk = 8 < 10: funnel plot, Egger's and Harbord's tests and trim-and-fill not "
        "run (Cochrane Handbook 13.3.5.4: with fewer than 10 trials they cannot tell small-study effects from "
        "chance).", "run\tno"]
    assert "nan" not in text.lower()
    rows = text.split("# cumulative\n")[1].split("\n\n")[0].splitlines()
    assert rows[0].startswith("study\tRR\tRR_lower\tRR_upper") and len(rows) == 9


def test_equal_standard_errors_leave_small_study_blocks_with_a_reason():
    # metafor stops too: with one standard error for all, sei is collinear with the intercept
    studies = [reported(f"s{i}", 0.8 + 0.01 * i, (0.8 + 0.01 * i) * 0.8, (0.8 + 0.01 * i) / 0.8) for i in range(12)]
    res = run_living(studies)
    for block in ("egger_rma", "egger_lm", "trimfill"):
        assert res[block] is None and "full rank" in res["reasons"][block]
    assert res["leave1out"] is not None
