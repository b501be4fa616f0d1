"""Network meta-analysis equal to metafor rma.mv: every field of every case of the oracle's nma.json
(tests/data/oracle/nma.json), through the API and through `metapool network`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import oracle
from metapool.cli import EXIT_INPUT, run
from metapool.network import analysis, model

CASES = {c["name"]: c for c in oracle.load("oracle", "nma.json")}
NAMES = list(CASES)


def arm_rows(case: dict) -> list[dict]:
    columns = case["arms"]
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def arms_csv(tmp_path: Path, case: dict) -> Path:
    path = tmp_path / f"{case['name']}.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(case["arms"]))
        writer.writerows(zip(*case["arms"].values()))
    return path


def loglik_at(case: dict, tau2: float) -> float:
    net = analysis.prepare(arm_rows(case), case["measure"], case["reference"], case["treatments"])
    return model.reml_loglik(model.stack(net.studies, net.order, net.reference), tau2)


STOPS_SHORT = ["hasselblad1998_OR"]
"""Where metafor's optimiser (nlminb on log tau2, relative convergence at rel.tol 1e-10) stops short
of the REML maximum by more than the default tolerance allows: at the exact maximum the random
block would not match; our tau2 is nlminb's (engine.nlminb), so it does."""


def assert_matches(got: dict, case: dict) -> None:
    """Same keys and order, every number within 1e-6 relative (1e-9 absolute)."""
    ref = case["ref"]
    assert list(got) == list(ref)
    rtol, atol = oracle.RTOL, oracle.ATOL
    for model_name, block in ref.items():
        assert set(got[model_name]) == set(block)
        for field, value in block.items():
            if isinstance(value, dict):
                assert list(got[model_name][field]) == list(value), (case["name"], model_name, field)
                for key, inner in value.items():
                    inner = inner if isinstance(inner, dict) else {"": inner}
                    have = got[model_name][field][key]
                    have = have if isinstance(have, dict) else {"": have}
                    for k, v in inner.items():
                        assert close(have[k], v, rtol, atol), (case["name"], model_name, field, key, k, have[k], v)
            else:
                assert close(got[model_name][field], value, rtol, atol), (case["name"], model_name, field)


def close(got: float, ref: float, rtol: float, atol: float = oracle.ATOL) -> bool:
    return abs(got - ref) <= max(atol, rtol * abs(ref))


@pytest.mark.parametrize("name", NAMES)
def test_every_field_matches_at_metafors_own_tau2(name):
    """The GLS model given tau2 is metafor's to 1e-6 in every field, optimiser aside."""
    case = CASES[name]
    net = analysis.prepare(arm_rows(case), case["measure"], case["reference"], case["treatments"])
    st = model.stack(net.studies, net.order, net.reference)
    got = analysis.block(net, model.fit(st, True, case["ref"]["random"]["tau2"]), case["small_values_good"], True)
    for field, value in case["ref"]["random"].items():
        if isinstance(value, dict):
            for key, inner in value.items():
                for k, v in (inner.items() if isinstance(inner, dict) else [("", inner)]):
                    have = got[field][key][k] if k else got[field][key]
                    assert oracle.close(have, v), (name, field, key, k)
        else:
            assert oracle.close(got[field], value), (name, field)


@pytest.mark.parametrize("name", NAMES)
def test_reml_tau2_is_metafors(name):
    """Our tau2 is where metafor's nlminb stops, to 1e-8 relative or 1e-13 absolute (tighter than
    the reference tolerance): the same evaluation sequence, with only our restricted
    log-likelihood's rounding between them."""
    case = CASES[name]
    got = analysis.analyse(arm_rows(case), case["measure"], case["reference"], case["treatments"],
                           case["small_values_good"])["random"]["tau2"]
    ref = case["ref"]["random"]["tau2"]
    assert close(got, ref, 1e-8, 1e-13), (name, got, ref)


@pytest.mark.parametrize("name", STOPS_SHORT)
def test_the_exact_maximum_would_not_match(name):
    """Where nlminb stops short, the exact REML maximum (model.reml_tau2) has a higher restricted
    likelihood than metafor's tau2 and its random block fails the default tolerance: reproducing
    the optimiser is what makes the case match."""
    case = CASES[name]
    net = analysis.prepare(arm_rows(case), case["measure"], case["reference"], case["treatments"])
    st = model.stack(net.studies, net.order, net.reference)
    tmax = model.reml_tau2(st)
    assert loglik_at(case, tmax) > loglik_at(case, case["ref"]["random"]["tau2"])
    at_max = analysis.block(net, model.fit(st, True, tmax), case["small_values_good"], True)
    with pytest.raises(AssertionError):
        assert_matches({"fixed": case["ref"]["fixed"], "random": at_max}, case)


@pytest.mark.parametrize("name", NAMES)
def test_api_matches_metafor(name):
    case = CASES[name]
    got = analysis.analyse(arm_rows(case), case["measure"], case["reference"], case["treatments"],
                           case["small_values_good"])
    assert_matches(got, case)


def cli_json(case: dict, tmp_path: Path, capsys) -> dict:
    """`metapool network` (in process) on a case's arms, order and direction: its JSON output."""
    args = ["network", str(arms_csv(tmp_path, case)), "--measure", case["measure"].lower(),
            "--reference", case["reference"], "--order", ",".join(case["treatments"]),
            "--small-values", "good" if case["small_values_good"] else "bad", "--format", "json"]
    assert run(args) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", NAMES)
def test_cli_matches_metafor(name, tmp_path, capsys):
    case = CASES[name]
    assert_matches(cli_json(case, tmp_path, capsys), case)


@pytest.mark.parametrize("name", NAMES)
def test_default_order_gives_the_same_numbers(name, tmp_path, capsys):
    """Without --order the baselines change (reference first, then first appearance); the model
    does not depend on which arm is a study's baseline."""
    case = CASES[name]
    rows = arm_rows(case)
    rows.reverse()
    path = tmp_path / "reversed.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(case["arms"]))
        writer.writeheader()
        writer.writerows(rows)
    args = ["network", str(path), "--measure", case["measure"], "--reference", case["reference"],
            "--small-values", "good" if case["small_values_good"] else "bad"]
    assert run(args) == 0
    got = json.loads(capsys.readouterr().out)
    for block in ("fixed", "random"):
        for pair, ref in case["ref"][block]["league"].items():
            assert oracle.close(got[block]["league"][pair]["est"], ref["est"]), (name, pair)


def test_disconnected_network_names_its_components(tmp_path, capsys):
    path = tmp_path / "arms.csv"
    path.write_text("study,treatment,events,total\ns1,A,3,10\ns1,B,4,10\ns2,C,5,12\ns2,D,2,12\n"
                    "s3,A,1,9\ns3,B,2,8\n")
    assert run(["network", str(path), "--measure", "RR", "--reference", "A"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "disconnected" in err and "{A, B}" in err and "{C, D}" in err


def test_a_study_without_events_leaves_the_network_and_may_disconnect_it(tmp_path, capsys):
    path = tmp_path / "arms.csv"
    path.write_text("study,treatment,events,total\ns1,A,3,10\ns1,B,4,10\ns2,B,0,12\ns2,C,0,12\n")
    assert run(["network", str(path), "--measure", "OR", "--reference", "A"]) == EXIT_INPUT
    assert "{A, B}; {C}" in capsys.readouterr().err


@pytest.mark.parametrize("text, where", [
    ("study,treatment,events,total\ns1,A,3,10\ns1,A,4,10\ns2,A,1,5\ns2,B,2,5\n", "row 3, column 'treatment'"),
    ("study,treatment,events,total\ns1,A,3,10\ns2,A,4,10\ns2,B,1,5\n", "row 2, column 'study'"),
    ("study,treatment,events,total\ns1,A,11,10\ns1,B,4,10\n", "row 2, column 'events'"),
    ("study,treatment,events,total\ns1,A,1,0\ns1,B,4,10\n", "row 2, column 'total'"),
    ("study,treatment,events,total\ns1,,1,5\ns1,B,4,10\n", "row 2, column 'treatment'"),
    ("study,treatment,events,total\ns1,A,1.5,5\ns1,B,4,10\n", "row 2, column 'events'"),
    ("study,treatment,n,mean\ns1,A,1,5\ns1,B,4,10\n", "row 1, column 'events'"),
])
def test_bad_arm_tables_are_located(tmp_path, capsys, text, where):
    path = tmp_path / "arms.csv"
    path.write_text(text)
    assert run(["network", str(path), "--measure", "RR", "--reference", "A"]) == EXIT_INPUT
    captured = capsys.readouterr()
    assert where in captured.err and captured.out == ""


def test_md_needs_positive_sd_and_order_must_list_every_treatment(tmp_path, capsys):
    path = tmp_path / "arms.csv"
    path.write_text("study,treatment,n,mean,sd\ns1,A,10,1.0,0\ns1,B,10,2.0,1\n")
    assert run(["network", str(path), "--measure", "MD", "--reference", "A"]) == EXIT_INPUT
    assert "row 2, column 'sd'" in capsys.readouterr().err
    path.write_text("study,treatment,n,mean,sd\ns1,A,10,1.0,1\ns1,B,10,2.0,1\n")
    assert run(["network", str(path), "--measure", "MD", "--reference", "A", "--order", "A,C"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "lacks treatments of the file: B" in err and "does not have: C" in err
    assert run(["network", str(path), "--measure", "MD", "--reference", "Z"]) == EXIT_INPUT
    assert "--reference 'Z'" in capsys.readouterr().err
