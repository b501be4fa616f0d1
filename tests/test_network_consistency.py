"""Network consistency checks against R (tests/reference/nma_consistency.R and its JSON): the
design-by-treatment interaction test and node splitting by back-calculation, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import oracle
from metapool.cli import run
from test_network_oracle import CASES, arms_csv

REF = json.loads((Path(__file__).parent / "reference" / "nma_consistency.json").read_text())


def consistency_of(name: str, tmp_path: Path, capsys) -> dict:
    case = CASES[name]
    args = ["network", str(arms_csv(tmp_path, case)), "--measure", case["measure"], "--reference",
            case["reference"], "--order", ",".join(case["treatments"]), "--consistency"]
    assert run(args) == 0
    return json.loads(capsys.readouterr().out)["consistency"]


@pytest.mark.parametrize("name", list(REF))
def test_design_by_treatment_matches_r(name, tmp_path, capsys):
    got = consistency_of(name, tmp_path, capsys)["design_by_treatment"]
    ref = REF[name]["design_by_treatment"]
    fixed, random = got["fixed"], got["random"]
    assert got["designs"] == ref["designs"]
    for field in ("Q_total", "df_total", "Q_within", "df_within", "Q_between", "df_between", "p_between"):
        assert oracle.close(fixed[field], ref[field]), (name, field, fixed[field], ref[field])
    assert oracle.close(fixed["Q_within"] + fixed["Q_between"], fixed["Q_total"])
    assert oracle.close(random["tau2_within"], ref["tau2_within"]), (name, random["tau2_within"])
    assert oracle.close(random["Q_between"], ref["Q_between_random"]), (name, random["Q_between"])
    assert oracle.close(random["p_between"], ref["p_between_random"])


@pytest.mark.parametrize("name", list(REF))
def test_node_split_matches_r(name, tmp_path, capsys):
    got = consistency_of(name, tmp_path, capsys)["node_split"]
    for model_name in ("fixed", "random"):
        ref = REF[name]["node_split"][model_name]
        ref = ref if isinstance(ref, dict) else {}
        assert list(got[model_name]) == list(ref), (name, model_name)
        for pair, r in ref.items():
            g = got[model_name][pair]
            values = {"k_direct": g["k_direct"], "network": g["network"]["est"], "network_se": g["network"]["se"],
                      "direct": g["direct"]["est"], "direct_se": g["direct"]["se"],
                      "indirect": g["indirect"]["est"], "indirect_se": g["indirect"]["se"],
                      "prop_direct": g["prop_direct"], "diff": g["difference"]["est"],
                      "diff_se": g["difference"]["se"], "z": g["difference"]["z"], "p": g["difference"]["p"]}
            for field, value in r.items():
                assert oracle.close(values[field], value), (name, model_name, pair, field, values[field], value)


def test_a_comparison_only_in_multi_arm_studies_has_no_indirect_evidence(tmp_path, capsys):
    """woods2010: every comparison comes from the studies that hold both arms: nothing to split."""
    got = consistency_of("woods2010_RR", tmp_path, capsys)["node_split"]
    assert got == {"fixed": {}, "random": {}}
