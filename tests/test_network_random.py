"""Network meta-analysis equal to metafor rma.mv on 24 synthetic networks the implementation was not
developed against (tests/reference/nma_random.R and its JSON): OR, RR and MD; 3-6 treatments; two-,
three- and four-arm studies; loops and stars; zero-event and all-event arms (0.5 added), studies
with no or only events (left out); tau2 from 0 to large; small values good and bad. Every field of
every case through `metapool network`, within 1e-6 relative or 1e-9 absolute: tau2 is where metafor's
optimiser (R's nlminb, engine.nlminb) stops, not the exact REML maximum."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metapool.network import analysis, model
from test_network_oracle import arm_rows, assert_matches, cli_json, close, loglik_at

CASES = {c["name"]: c for c in json.loads((Path(__file__).parent / "reference" / "nma_random.json").read_text())}
NAMES = list(CASES)

STOPS_SHORT = ["or_four_arm", "rr_star5", "or_rare"]
"""Where metafor's nlminb stops short of the REML maximum by more than the default tolerance allows
(or_four_arm: tau2 1.09e-6 relative above the maximum, league C|D's bound off 1.26e-6 relative;
rr_star5: 7.7e-7 below, the bound of W|Z off 1.3e-7 absolute; or_rare: the maximum is tau2 = 0,
which nlminb on log tau2 cannot reach: metafor has 2.7e-9): matched only by reproducing nlminb."""


@pytest.mark.parametrize("name", NAMES)
def test_cli_matches_metafor(name, tmp_path, capsys):
    assert_matches(cli_json(CASES[name], tmp_path, capsys), CASES[name])


@pytest.mark.parametrize("name", NAMES)
def test_every_field_matches_at_metafors_own_tau2(name):
    """Given metafor's tau2 the random block is metafor's to 1e-6 in every field: the GLS model
    apart from the optimiser."""
    case = CASES[name]
    net = analysis.prepare(arm_rows(case), case["measure"], case["reference"], case["treatments"])
    st = model.stack(net.studies, net.order, net.reference)
    got = {block: analysis.block(net, model.fit(st, random, tau2), case["small_values_good"], random)
           for block, random, tau2 in (("fixed", False, None), ("random", True, case["ref"]["random"]["tau2"]))}
    assert_matches(got, case)


@pytest.mark.parametrize("name", NAMES)
def test_tau2_is_metafors(name):
    """Our tau2 is where metafor's nlminb stops, to 1e-8 relative or 1e-13 absolute (tighter than
    the reference tolerance): near tau2 = 0 the restricted likelihood is flat in log tau2, so an
    ulp of difference in the log-likelihood moves where nlminb stops (or_rare: 2.71158845e-9 here,
    2.71159844e-9 in metafor, 1e-14 apart)."""
    case = CASES[name]
    got = analysis.analyse(arm_rows(case), case["measure"], case["reference"], case["treatments"],
                           case["small_values_good"])["random"]["tau2"]
    assert close(got, case["reml"]["tau2_metafor"], 1e-8, 1e-13), (name, got, case["reml"]["tau2_metafor"])


@pytest.mark.parametrize("name", NAMES)
def test_exact_reml_maximum(name):
    """model.reml_tau2 (the exact maximum, used by the design-by-treatment model) is the REML maximum
    that R finds as the root of the score (base R uniroot; 0 when the score at 0 is not positive),
    to 1e-9 relative."""
    case = CASES[name]
    net = analysis.prepare(arm_rows(case), case["measure"], case["reference"], case["treatments"])
    got = model.reml_tau2(model.stack(net.studies, net.order, net.reference))
    assert close(got, case["reml"]["tau2_max"], 1e-9, 1e-15), (name, got, case["reml"]["tau2_max"])


@pytest.mark.parametrize("name", STOPS_SHORT)
def test_the_exact_maximum_would_not_match(name):
    """Where nlminb stops short: the restricted log-likelihood at the maximum is at least that at
    metafor's tau2, in our terms and in metafor's own logLik (refitted at the maximum), and the
    random block at the maximum fails the default tolerance (the entry is not stale)."""
    case = CASES[name]
    net = analysis.prepare(arm_rows(case), case["measure"], case["reference"], case["treatments"])
    st = model.stack(net.studies, net.order, net.reference)
    reml = case["reml"]
    assert loglik_at(case, reml["tau2_max"]) >= loglik_at(case, reml["tau2_metafor"])
    assert reml["loglik_max"] >= reml["loglik_metafor"]
    got = {block: analysis.block(net, model.fit(st, random, tau2), case["small_values_good"], random)
           for block, random, tau2 in (("fixed", False, None), ("random", True, reml["tau2_max"]))}
    with pytest.raises(AssertionError):
        assert_matches(got, case)
