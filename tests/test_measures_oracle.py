"""Every field of every case of tests/data/oracle/measures.json (R metafor 3.8-1 at its defaults):
study yi and vi, the inverse-variance fixed effect, Mantel-Haenszel (OR, RD), Peto, and DL/REML
random effects with Wald z and Hartung-Knapp CIs; then metafor's edge cases in
tests/reference/measures_edges.json (tests/reference/measures_edges.R)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from oracle import MEASURES, close

from metapool.engine.mantel_haenszel import mantel_haenszel
from metapool.engine.model import fit_fixed, fit_random
from metapool.engine.peto import peto
from metapool.measures.binary import effect_from_counts
from metapool.measures.continuous import effect_from_means

COUNTS = ("ai", "n1", "ci", "n2")
MEANS = ("m1", "sd1", "n1", "m2", "sd2", "n2")
FIXED = {"fixed_mh": lambda case: mantel_haenszel(*counts(case), measure=case["measure"]),
         "fixed_peto": lambda case: peto(*counts(case))}
RANDOM = ("DL_z", "DL_knha", "REML_z", "REML_knha")
IDS = [c["name"] for c in MEASURES]


def counts(case):
    return [case[k] for k in COUNTS]


def effects(case):
    if case["type"] == "binary":
        return effect_from_counts(case["measure"], *counts(case))[:2]
    return effect_from_means(case["measure"], *(case[k] for k in MEANS))


def as_list(a) -> list:
    return [None if np.isnan(x) else float(x) for x in np.atleast_1d(a)]


def assert_fields(got: dict, ref: dict):
    for field, value in ref.items():
        assert close(got[field], value), (field, got[field], value)


def blocks(keys):
    return [pytest.param(c, key, id=f"{c['name']}-{key}") for c in MEASURES for key in keys if key in c["ref"]]


def test_every_reference_block_is_tested():
    assert {key for c in MEASURES for key in c["ref"]} == {"yi", "vi", "fixed_iv", *FIXED, *RANDOM}


@pytest.mark.parametrize("case", MEASURES, ids=IDS)
def test_study_effects(case):
    yi, vi = effects(case)
    assert close(as_list(yi), case["ref"]["yi"]) and close(as_list(vi), case["ref"]["vi"])


@pytest.mark.parametrize("case", MEASURES, ids=IDS)
def test_fixed_iv(case):
    assert_fields(fit_fixed(*effects(case)), case["ref"]["fixed_iv"])


@pytest.mark.parametrize("case,key", blocks(FIXED))
def test_fixed_mh_and_peto(case, key):
    assert_fields(FIXED[key](case), case["ref"][key])


def test_peto_is_none_where_rma_peto_stops():
    """large_counts has no fixed_peto: (a + c) n1 overflows R's integers, so sum V is NA and
    rma.peto stops ('missing value where TRUE/FALSE needed')."""
    case = next(c for c in MEASURES if c["name"] == "large_counts_PETO")
    assert "fixed_peto" not in case["ref"] and peto(*counts(case)) is None


@pytest.mark.parametrize("case,key", blocks(RANDOM))
def test_random_effects(case, key):
    method, test = key.split("_")
    got = fit_random(*effects(case), tau2_method=method, ci_method="hksj" if test == "knha" else "z")
    assert_fields(got, case["ref"][key])


# --- tests/reference/measures_edges.json ---------------------------------------------------------

EDGES = json.loads((Path(__file__).parent / "reference" / "measures_edges.json").read_text())
BINARY = EDGES["binary"]
POOLED = {"mh_OR": lambda t: mantel_haenszel(*t, measure="OR"), "mh_RD": lambda t: mantel_haenszel(*t, measure="RD"),
          "peto": lambda t: peto(*t)}


def as_ref_list(x):
    return x if isinstance(x, list) else [x]


@pytest.mark.parametrize("case", BINARY, ids=[c["name"] for c in BINARY])
@pytest.mark.parametrize("measure", ("OR", "RD", "PETO"))
def test_edge_study_effects(case, measure):
    yi, vi, _, _ = effect_from_counts(measure, *counts(case))
    ref = case[f"escalc_{measure}"]
    assert close(as_list(yi), as_ref_list(ref["yi"])) and close(as_list(vi), as_ref_list(ref["vi"]))


@pytest.mark.parametrize("case", BINARY, ids=[c["name"] for c in BINARY])
@pytest.mark.parametrize("key", POOLED)
def test_edge_pooled(case, key):
    """None where metafor stops or has an NA estimate; every other field as rma.mh / rma.peto."""
    got, ref = POOLED[key](counts(case)), case[key]
    if ref == "error" or ref["est"] is None:
        assert got is None
    else:
        assert_fields(got, ref)


@pytest.mark.parametrize("case", BINARY, ids=[c["name"] for c in BINARY])
def test_missing_se_is_metafors_integer_overflow(case):
    """Where our MH RD se or Peto result is missing, metafor has a number for the same tables given
    as doubles (*_double): the gap is R's integer arithmetic on integer counts, not the data."""
    rd = mantel_haenszel(*counts(case), measure="RD")
    if rd["se"] is None:
        assert case["mh_RD"]["se"] is None and math.isfinite(case["mh_RD_double"]["se"])
    if peto(*counts(case)) is None and case["peto_double"] != "error":
        assert case["peto"] == "error"


CONTINUOUS = EDGES["continuous"]


@pytest.mark.parametrize("case", CONTINUOUS, ids=[c["name"] for c in CONTINUOUS])
@pytest.mark.parametrize("measure", ("MD", "SMD", "ROM"))
def test_edge_continuous(case, measure):
    yi, vi = effect_from_means(measure, *(case[k] for k in MEANS))
    ref = case[f"escalc_{measure}"]
    assert close(as_list(yi), ref["yi"]) and close(as_list(vi), ref["vi"])
