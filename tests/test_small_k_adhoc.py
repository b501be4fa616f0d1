"""`ci: hksj_adhoc` (metafor rma(..., test="adhoc")) against tests/data/oracle/small_k.json: every
adhoc_* field of every case and estimator, through the engine and through `metapool pool`."""

import json
import math

import numpy as np
import pytest
from oracle import SMALL_K, close

from metapool.cli import run
from metapool.engine.model import fit_random, pool_many
from metapool.engine.pool import pool_studies
from metapool.measures.binary import Z975

BLOCKS = [pytest.param(c, key, id=f"{c['name']}-{key}") for c in SMALL_K for key in c["ref"] if key.startswith("adhoc_")]


def from_counts(case) -> bool:
    """Whether the counts give the case's yi (every study estimable). small_k.json's nielweise2007
    and double_zero* cases keep the double-zero study with 0.5 added to its cells (against the
    README's "estimable studies only"; metapool drops it, as cases.json does): those go in as
    their yi with the 95% CI yi +- 1.959964 sqrt(vi), a reported effect (generic inverse variance);
    so does a case given as yi, vi only (tests/reference/small_k_random.json)."""
    return "ai" in case and len(case["yi"]) == sum(1 for a, c in zip(case["ai"], case["ci"]) if a or c)


def case_csv(tmp_path, case) -> str:
    if from_counts(case):
        lines = ["study,events_trt,total_trt,events_ctl,total_ctl"]
        lines += [f"s{i + 1},{a},{n1},{c},{n2}" for i, (a, n1, c, n2) in
                  enumerate(zip(case["ai"], case["n1"], case["ci"], case["n2"]))]
    else:
        lines = ["study,effect_measure,effect,effect_lower,effect_upper"]
        for i, (y, v) in enumerate(zip(case["yi"], case["vi"])):
            half = Z975 * math.sqrt(v)
            lines.append(f"s{i + 1},RR,{math.exp(y)!r},{math.exp(y - half)!r},{math.exp(y + half)!r}")
    path = tmp_path / f"{case['name']}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_every_case_has_all_seven_estimators():
    assert len(BLOCKS) == 7 * len(SMALL_K) and len(SMALL_K) == 33
    assert sum(map(from_counts, SMALL_K)) == 29


@pytest.mark.parametrize("case,key", BLOCKS)
def test_engine_matches_metafor_adhoc(case, key):
    got = fit_random(case["yi"], case["vi"], key.split("_")[1], "hksj_adhoc")
    assert got["ci_method"] == "hksj_adhoc"
    for field, ref in case["ref"][key].items():
        assert close(got[field], ref), (field, got[field], ref)


@pytest.mark.parametrize("case,key", BLOCKS)
def test_command_line_matches_metafor_adhoc(tmp_path, capsys, case, key):
    method = key.split("_")[1]
    code = run(["pool", case_csv(tmp_path, case), "--tau2", method, "--ci", "hksj_adhoc", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0 and err == "", err
    res = json.loads(out)
    assert res["settings"]["ci_method"] == res["random"]["ci_method"] == "hksj_adhoc"
    for field, ref in case["ref"][key].items():
        assert close(res["random"][field], ref), (field, res["random"][field], ref)


@pytest.mark.parametrize("case,key", BLOCKS[::5])
def test_pool_many_row_is_the_single_fit(case, key):
    method = key.split("_")[1]
    other = SMALL_K[0]
    width = max(len(case["yi"]), len(other["yi"]))
    pad = lambda a: np.concatenate([a, np.full(width - len(a), np.nan)])  # noqa: E731
    batch = pool_many(np.vstack([pad(other["yi"]), pad(case["yi"])]), np.vstack([pad(other["vi"]), pad(case["vi"])]),
                      method, "hksj_adhoc")
    single = fit_random(case["yi"], case["vi"], method, "hksj_adhoc")
    for field in case["ref"][key]:
        got = float(batch[field][1])
        assert (single[field] is None and np.isnan(got)) or got == single[field], field


@pytest.mark.parametrize("case", SMALL_K, ids=[c["name"] for c in SMALL_K])
def test_adhoc_is_never_narrower_than_wald_on_the_same_quantile_nor_than_hksj(case):
    if len(case["yi"]) < 2:
        pytest.skip("one study")
    adhoc = fit_random(case["yi"], case["vi"], "REML", "hksj_adhoc")
    knha = fit_random(case["yi"], case["vi"], "REML", "hksj")
    assert adhoc["se"] >= adhoc["se_wald"] * (1 - 1e-15)
    assert adhoc["se"] == pytest.approx(max(adhoc["se_wald"], knha["se"]), rel=1e-12)
    assert adhoc["ci_ub"] - adhoc["ci_lb"] >= (knha["ci_ub"] - knha["ci_lb"]) * (1 - 1e-12)


def test_subgroups_use_the_adhoc_interval():
    case = next(c for c in SMALL_K if c["name"] == "subgroups")
    studies = [{"study": f"s{i}", "events_trt": a, "total_trt": n1, "events_ctl": c, "total_ctl": n2, "g": i % 2}
               for i, (a, n1, c, n2) in enumerate(zip(case["ai"], case["n1"], case["ci"], case["n2"]))]
    res = pool_studies(studies, "REML", "hksj_adhoc", by="g")
    for group in res["subgroups"]["groups"]:
        assert group["random"]["ci_method"] == "hksj_adhoc"
        members = [s for s, e in zip(studies, res["studies"]) if e["group"] == group["group"] and e["yi"] is not None]
        alone = pool_studies(members, "REML", "hksj_adhoc")["random"]
        assert group["random"]["ci_lb"] == alone["ci_lb"] and group["random"]["ci_ub"] == alone["ci_ub"]


@pytest.mark.parametrize("name", ["k3_homog", "k8_hetero", "bcg"])
def test_living_refits_take_the_adhoc_scale(name):
    """Meta-regression (Egger, trim-and-fill) and influence refits: s2w = max(1, q) (metafor test="adhoc")."""
    from metapool.living.metareg import fit_metareg

    case = next(c for c in SMALL_K if c["name"] == name)
    y, v = np.array(case["yi"]), np.array(case["vi"])
    X = np.column_stack([np.ones(len(y)), np.sqrt(v)])
    knha = fit_metareg(y, v, X, "REML", "hksj")
    adhoc = fit_metareg(y, v, X, "REML", "hksj_adhoc")
    assert adhoc["s2w"] == max(1.0, knha["s2w"]) and adhoc["df"] == knha["df"]
    assert np.allclose(adhoc["se"], knha["se"] * np.sqrt(adhoc["s2w"] / knha["s2w"]), rtol=1e-12)
    single = fit_metareg(y, v, X[:, :1], "REML", "hksj_adhoc")
    assert close(float(single["se"][0]), case["ref"]["adhoc_REML"]["se"])
