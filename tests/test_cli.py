"""The `metapool` command line: pool counts, reported effects or both for every measure, subgroups, TSV,
bad input."""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import oracle
import pytest

from metapool.cli import run
from metapool.engine.render import TSV_COLUMNS
from metapool.engine.pool import pool_studies
from metapool.engine.tau2 import METHODS
from metapool.measures import registry

ORACLE = {c["name"]: c for c in json.loads((Path(__file__).parent / "data" / "oracle" / "cases.json").read_text())}
LEGACY_CASES = json.loads((Path(__file__).parent / "data" / "control_stepadj05" / "cases.json").read_text())
COUNTS_HEADER = "study,events_trt,total_trt,events_ctl,total_ctl"
EFFECT_HEADER = "study,effect_measure,effect,effect_lower,effect_upper"
MEASURES = {c["name"]: c for c in oracle.MEASURES}


def close(got, ref, rtol=1e-6, atol=1e-9) -> bool:
    return abs(got - ref) <= atol or abs(got - ref) <= rtol * abs(ref)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def oracle_csv(tmp_path: Path, name: str, group: bool = False) -> Path:
    case = ORACLE[name]
    header = COUNTS_HEADER + (",agent_class" if group else "")
    lines = [header]
    for i, (a, n1, c, n2) in enumerate(zip(case["ai"], case["n1"], case["ci"], case["n2"])):
        lines.append(f"s{i + 1},{a},{n1},{c},{n2}" + (f",{case['group'][i]}" if group else ""))
    return write(tmp_path, f"{name}.csv", "\n".join(lines) + "\n")


def pool(capsys, *argv) -> tuple[int, str, str]:
    code = run(["pool", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def pool_json(capsys, *argv) -> dict:
    code, out, err = pool(capsys, *argv)
    assert code == 0, err
    assert err == ""
    return json.loads(out)


# --- help ---------------------------------------------------------------------------------------

def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as exit_:
        run(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for word in ("metapool pool FILE.csv", "--tau2", "--ci", "hksj", "--by COLUMN", "--format", "--control",
                 "stepadj=0.5,maxiter=1000",
                 "json", "tsv", "events_trt,total_trt,events_ctl", "effect_measure,effect,effect_lower,effect_upper",
                 "n_trt,mean_trt,sd_trt", "median_trt", "effect_adjusted", "--measure", "RR|OR|RD|PETO|IRR|MD|SMD|ROM|HR",
                 "--exclude-adjusted", "--include-skewed", "not estimable", "other_measure", "adjusted_excluded",
                 "Exit status", "null, never NaN", "pi_lb", "tau2_ci_lb"):
        assert word in text, word
    for method in METHODS:
        assert f"{method} " in text, method


def test_pool_help_lists_its_options(capsys):
    with pytest.raises(SystemExit):
        run(["pool", "--help"])
    text = capsys.readouterr().out
    assert all(opt in text for opt in ("--tau2", "--ci", "--by", "--format", "REML,DL,PM,ML,SJ,HE,EB", "--measure",
                                       "RR,OR,RD,PETO,IRR,MD,SMD,ROM,HR", "--exclude-adjusted", "--include-skewed"))


# --- pooling ------------------------------------------------------------------------------------

def test_counts_only_file_matches_metafor(tmp_path, capsys):
    res = pool_json(capsys, oracle_csv(tmp_path, "bcg"))
    ref = ORACLE["bcg"]["ref"]
    assert res["k"] == 13 and res["settings"] == {"tau2_method": "REML", "ci_method": "hksj", "level": 95,
                                                 "control": {"threshold": 1e-5, "maxiter": 100, "stepadj": 1.0},
                                                 "include_adjusted": True, "include_skewed": False}
    assert (res["measure"], res["measure_name"], res["log_scale"]) == ("RR", "Risk ratio", True)
    assert {s["status"] for s in res["studies"]} == {"counts"}
    for field, value in ref["REML_knha"].items():
        assert close(res["random"][field], value), field
    for field, value in ref["fixed_mh"].items():
        assert close(res["fixed_mh"][field], value), field
    assert res["random"]["natural"]["est"] == pytest.approx(math.exp(res["random"]["est"]), rel=1e-11)
    assert res["fixed_peto"] is None


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("ci,key", [("z", "z"), ("hksj", "knha")])
def test_tau2_and_ci_options(tmp_path, capsys, method, ci, key):
    res = pool_json(capsys, oracle_csv(tmp_path, "k8_hetero"), "--tau2", method.lower(), "--ci", ci)
    assert res["random"]["tau2_method"] == method and res["random"]["ci_method"] == ci
    for field, value in ORACLE["k8_hetero"]["ref"][f"{method}_{key}"].items():
        assert close(res["random"][field], value), field


@pytest.mark.parametrize("method", ["REML", "ML", "EB"])
def test_control_option_reproduces_the_stepadj05_reference(tmp_path, capsys, method):
    """--control stepadj=0.5,maxiter=1000 gives rma(..., control=list(stepadj=0.5, maxiter=1000))."""
    legacy = {c["name"]: c for c in LEGACY_CASES}["lau1992"]["ref"][f"{method}_z"]
    default = ORACLE["lau1992"]["ref"][f"{method}_z"]
    res = pool_json(capsys, oracle_csv(tmp_path, "lau1992"), "--tau2", method, "--ci", "z",
                    "--control", "stepadj=0.5,maxiter=1000")
    assert res["settings"]["control"] == {"threshold": 1e-5, "maxiter": 1000, "stepadj": 0.5}
    for field, value in legacy.items():
        assert close(res["random"][field], value), field
    plain = pool_json(capsys, oracle_csv(tmp_path, "lau1992"), "--tau2", method, "--ci", "z")
    for field, value in default.items():
        assert close(plain["random"][field], value), field


@pytest.mark.parametrize("text", ["stepadj=0", "maxiter=1.5", "speed=2", "stepadj", "maxiter=-3"])
def test_bad_control_is_an_argument_error(tmp_path, capsys, text):
    with pytest.raises(SystemExit) as exit_:
        run(["pool", str(oracle_csv(tmp_path, "bcg")), "--control", text])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "--control" in err


def measure_csv(tmp_path: Path, name: str) -> Path:
    """A measures.json case as a study table: 2x2 counts, or n, mean and SD per arm."""
    case = MEASURES[name]
    if case["type"] == "binary":
        lines = [COUNTS_HEADER] + [f"s{i + 1},{a},{n1},{c},{n2}" for i, (a, n1, c, n2) in
                                   enumerate(zip(case["ai"], case["n1"], case["ci"], case["n2"]))]
    else:
        lines = ["study,n_trt,mean_trt,sd_trt,n_ctl,mean_ctl,sd_ctl"] + [
            f"s{i + 1},{n1},{m1!r},{s1!r},{n2},{m2!r},{s2!r}" for i, (m1, s1, n1, m2, s2, n2) in
            enumerate(zip(case["m1"], case["sd1"], case["n1"], case["m2"], case["sd2"], case["n2"]))]
    return write(tmp_path, f"{name}.csv", "\n".join(lines) + "\n")


def assert_block(got: dict | None, ref: dict, name: str) -> None:
    assert got is not None, name
    for field, value in ref.items():
        assert oracle.close(got[field], value), (name, field, got[field], value)


@pytest.mark.parametrize("name", sorted(MEASURES))
@pytest.mark.parametrize("options,key", [((), "REML_knha"), (("--tau2", "DL", "--ci", "z"), "DL_z")],
                         ids=["default", "DL-z"])
def test_every_measure_matches_metafor(tmp_path, capsys, name, options, key):
    """metapool pool f.csv --measure M gives metafor's escalc + rma (+ rma.mh / rma.peto) for M."""
    case = MEASURES[name]
    measure, ref = case["measure"], case["ref"]
    res = pool_json(capsys, measure_csv(tmp_path, name), "--measure", measure.lower(), *options)
    m = registry.get(measure)
    assert (res["measure"], res["measure_name"], res["log_scale"]) == (measure, m.name, m.log_scale)
    assert oracle.close([s["yi"] for s in res["studies"]], ref["yi"])
    assert oracle.close([s["vi"] for s in res["studies"]], ref["vi"])
    assert_block(res["fixed_iv"], ref["fixed_iv"], "fixed_iv")
    assert_block(res["random"], ref[key], key)
    assert (res["fixed_mh"] is None) == ("fixed_mh" not in ref)
    assert (res["fixed_peto"] is None) == ("fixed_peto" not in ref)
    for fixed in ("fixed_mh", "fixed_peto"):
        if fixed in ref:
            assert_block(res[fixed], ref[fixed], fixed)
    people = math.exp if m.log_scale else float
    for field in ("est", "ci_lb", "ci_ub"):
        assert res["random"]["natural"][field] == pytest.approx(people(res["random"][field]), rel=1e-11)


@pytest.mark.parametrize("measure", ["RD", "MD"])
def test_tsv_gives_differences_on_their_own_scale(tmp_path, capsys, measure):
    name = "bcg_RD" if measure == "RD" else "normand1999_MD"
    code, out, _ = pool(capsys, measure_csv(tmp_path, name), "--measure", measure, "--format", "tsv")
    assert code == 0
    rows = [dict(zip(TSV_COLUMNS, line.split("\t"))) for line in out.splitlines()[1:]]
    random_row = next(r for r in rows if r["name"] == "random effects")
    assert random_row["measure"] == measure
    assert float(random_row["effect"]) == pytest.approx(MEASURES[name]["ref"]["REML_knha"]["est"], rel=1e-5)
    assert float(random_row["yi"]) == pytest.approx(float(random_row["effect"]), rel=1e-12)


def test_unknown_measure_is_an_argument_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        run(["pool", str(oracle_csv(tmp_path, "bcg")), "--measure", "IRD"])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "--measure" in err


def test_a_reported_effect_enters_only_its_own_measure(tmp_path, capsys):
    path = write(tmp_path, "mixed.csv", COUNTS_HEADER + ",effect_measure,effect,effect_lower,effect_upper\n"
                 "A,30,100,40,100,,,,\nB,12,60,15,58,,,,\nI-MICRO,,,,,RR,1.08,0.80,1.5\n"
                 "SEPSIS-ACT,,,,,RD,-0.036,-0.09,0.02\nLiu,,,,,OR,0.7,0.45,1.1\n")
    expected = {"RR": ["counts", "counts", "reported", "other_measure", "other_measure"],
                "OR": ["counts", "counts", "other_measure", "other_measure", "reported"],
                "RD": ["counts", "counts", "other_measure", "reported", "other_measure"],
                "PETO": ["counts", "counts", "other_measure", "other_measure", "other_measure"]}
    for measure, status in expected.items():
        res = pool_json(capsys, path, "--measure", measure)
        assert [s["status"] for s in res["studies"]] == status, measure
        assert res["k"] == status.count("counts") + status.count("reported")


def test_exclude_adjusted(tmp_path, capsys):
    path = write(tmp_path, "adj.csv", EFFECT_HEADER + ",effect_adjusted\n"
                 "a,RR,0.8,0.6,1.05,yes\nb,RR,0.9,0.7,1.2,no\nc,RR,1.1,0.8,1.4,\n")
    res = pool_json(capsys, path)
    assert [s["status"] for s in res["studies"]] == ["reported"] * 3 and res["k"] == 3
    assert [s["reported"]["adjusted"] for s in res["studies"]] == [True, False, None]
    res = pool_json(capsys, path, "--exclude-adjusted")
    assert [s["status"] for s in res["studies"]] == ["adjusted_excluded", "reported", "reported"]
    assert res["k"] == 2 and res["settings"]["include_adjusted"] is False
    assert "a: not pooled (adjusted effect only; this analysis excludes adjusted effects)." in res["notes"]


def test_include_skewed_is_recorded(tmp_path, capsys):
    res = pool_json(capsys, oracle_csv(tmp_path, "bcg"), "--include-skewed")
    assert res["settings"]["include_skewed"] is True
    assert res["random"] == pool_json(capsys, oracle_csv(tmp_path, "bcg"))["random"]


def test_rr_only_file(tmp_path, capsys):
    path = write(tmp_path, "imicro.csv", EFFECT_HEADER + "\nI-MICRO,RR,1.08,0.80,1.5\n")
    res = pool_json(capsys, path)
    (study,) = res["studies"]
    assert study["status"] == "reported" and study["study"] == "I-MICRO"
    assert study["reported"] == {"measure": "RR", "est": 1.08, "ci_lb": 0.8, "ci_ub": 1.5, "adjusted": None}
    assert study["yi"] == pytest.approx(math.log(1.08), rel=1e-11)
    assert study["se"] == pytest.approx((math.log(1.5) - math.log(0.8)) / (2 * 1.959964), rel=1e-11)
    assert res["k"] == 1 and res["fixed_mh"] is None
    assert res["random"]["natural"]["est"] == pytest.approx(1.08, rel=1e-11)
    assert res["random"]["tau2"] is None and res["random"]["pi_lb"] is None
    assert any("Only one study" in n for n in res["notes"])


def test_mixed_file(tmp_path, capsys):
    path = write(tmp_path, "mixed.csv",
                 COUNTS_HEADER + ",effect_measure,effect,effect_lower,effect_upper\n"
                 "A,30,100,40,100,,,,\nB,12,60,15,58,,,,\nC,0,40,3,41,,,,\nD,0,20,0,22,,,,\n"
                 "I-MICRO,,,,,RR,1.08,0.80,1.5\n")
    res = pool_json(capsys, path)
    assert [s["status"] for s in res["studies"]] == \
        ["counts", "counts", "counts_corrected", "not_estimable", "reported"]
    assert res["k"] == 4 and res["k_total"] == 5
    assert res["fixed_mh"] is None
    assert any("Mantel-Haenszel not computed" in n for n in res["notes"])
    assert any(n.startswith("D: not pooled (no events in either arm") or n.startswith("D: not pooled (events in every")
               for n in res["notes"])
    rows = [{"study": "A", "events_trt": 30, "total_trt": 100, "events_ctl": 40, "total_ctl": 100},
            {"study": "B", "events_trt": 12, "total_trt": 60, "events_ctl": 15, "total_ctl": 58},
            {"study": "C", "events_trt": 0, "total_trt": 40, "events_ctl": 3, "total_ctl": 41},
            {"study": "D", "events_trt": 0, "total_trt": 20, "events_ctl": 0, "total_ctl": 22},
            {"study": "I-MICRO", "effect_measure": "RR", "effect": 1.08, "effect_lower": 0.80, "effect_upper": 1.5}]
    assert res["random"] == pool_studies(rows)["random"]


def test_by_column_gives_subgroups_matching_metafor(tmp_path, capsys):
    res = pool_json(capsys, oracle_csv(tmp_path, "subgroups", group=True), "--by", "agent_class", "--ci", "z")
    ref = ORACLE["subgroups"]["ref"]["subgroups"]
    sub = res["subgroups"]
    assert sub["by"] == "agent_class"
    groups = {g["group"]: g for g in sub["groups"]}
    assert set(groups) == set(ref["est"])
    for name, est in ref["est"].items():
        assert close(groups[name]["random"]["est"], est)
        assert close(groups[name]["random"]["se"], ref["se"][name])
    assert close(sub["test"]["Q_between"], ref["Q_between"]) and sub["test"]["df"] == ref["df"]
    assert [s["group"] for s in res["studies"]] == ORACLE["subgroups"]["group"]


def test_tsv_output(tmp_path, capsys):
    code, out, err = pool(capsys, oracle_csv(tmp_path, "subgroups", group=True), "--by", "agent_class",
                          "--format", "tsv")
    assert code == 0 and err == ""
    lines = out.rstrip("\n").split("\n")
    assert lines[0].split("\t") == list(TSV_COLUMNS)
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(r) == len(TSV_COLUMNS) for r in rows)
    kinds = [r[0] for r in rows]
    groups = len(set(ORACLE["subgroups"]["group"]))
    assert kinds == ["study"] * 11 + ["pooled"] * 3 + ["subgroup"] * groups + ["subgroup_test"]
    random_row = dict(zip(TSV_COLUMNS, rows[13]))
    res = pool_studies([{"study": f"s{i + 1}", "events_trt": a, "total_trt": n1, "events_ctl": c,
                         "total_ctl": n2} for i, (a, n1, c, n2) in
                        enumerate(zip(*(ORACLE["subgroups"][x] for x in ("ai", "n1", "ci", "n2"))))])
    assert float(random_row["effect"]) == pytest.approx(res["random"]["natural"]["est"], rel=1e-5)
    assert float(random_row["yi"]) == pytest.approx(res["random"]["est"], rel=1e-5)
    assert float(random_row["pi_lb"]) == pytest.approx(res["random"]["natural"]["pi_lb"], rel=1e-5)
    assert {r[TSV_COLUMNS.index("measure")] for r in rows if r[0] in ("study", "pooled", "subgroup")} == {"RR"}
    assert "nan" not in out.lower()


def test_tsv_lists_notes(tmp_path, capsys):
    path = write(tmp_path, "one.csv", EFFECT_HEADER + "\nI-MICRO,RR,1.08,0.80,1.5\n")
    code, out, _ = pool(capsys, path, "--format", "tsv")
    assert code == 0
    assert any(line.startswith("note\tOnly one study") for line in out.splitlines())


def test_output_is_byte_identical_across_runs(tmp_path, capsys):
    path = oracle_csv(tmp_path, "li2007")
    first = pool(capsys, path, "--tau2", "PM")[1]
    assert first == pool(capsys, path, "--tau2", "PM")[1]


# --- bad input: exit 2, file/row/column on stderr, nothing on stdout ---------------------------

@pytest.mark.parametrize("text,expected", [
    (COUNTS_HEADER + "\nA,30,100,40,100\nB,120,60,15,58\n", ["row 3", "column 'events_trt'", "exceeds"]),
    (COUNTS_HEADER + "\nA,30,100,-4,100\n", ["row 2", "column 'events_ctl'"]),
    (COUNTS_HEADER + "\nA,30,100,4.5,100\n", ["row 2", "column 'events_ctl'"]),
    ("study,events_trt,total_trt,events_ctl\nA,1,2,3\n", ["row 1", "column 'total_ctl'", "missing"]),
    (EFFECT_HEADER + "\nA,RR,1.6,0.8,1.5\n", ["row 2", "column 'effect_upper'", "below effect (1.6)"]),
    (EFFECT_HEADER + "\nA,OR,0,0.8,1.5\n", ["row 2", "column 'effect'", "0 is not positive; an odds ratio"]),
    (EFFECT_HEADER + ",effect_adjusted\nA,RR,1.1,0.8,1.5,maybe\n", ["row 2", "column 'effect_adjusted'"]),
    (EFFECT_HEADER + "\nA,XX,1.1,0.8,1.5\n", ["row 2", "column 'effect_measure'", "is not a measure"]),
    ("study,n_trt,mean_trt,sd_trt,n_ctl,mean_ctl,sd_ctl\nA,10,5,0,10,6,1\n", ["row 2", "column 'sd_trt'"]),
    ("study,n_trt,median_trt,q1_trt,n_ctl,median_ctl,q1_ctl,q3_ctl\nA,10,5,3,10,6,4,8\n",
     ["row 2", "column 'q3_trt'", "give q1_trt and q3_trt together"]),
    (COUNTS_HEADER + "\n", ["no data rows"]),
    ("", ["empty"]),
])
def test_bad_file_exits_2_naming_file_row_column(tmp_path, capsys, text, expected):
    path = write(tmp_path, "bad.csv", text)
    code, out, err = pool(capsys, path)
    assert code == 2
    assert out == ""
    assert "bad.csv" in err
    for piece in expected:
        assert piece in err, (piece, err)


def test_every_problem_is_reported(tmp_path, capsys):
    path = write(tmp_path, "bad.csv", COUNTS_HEADER + "\nA,30,100,40,100\nB,120,60,15,58\nC,1,x,2,3\n")
    code, out, err = pool(capsys, path)
    assert code == 2 and out == ""
    assert "row 3" in err and "row 4" in err


def test_missing_file_exits_2(tmp_path, capsys):
    code, out, err = pool(capsys, tmp_path / "nowhere.csv")
    assert code == 2 and out == "" and "nowhere.csv" in err


def test_by_unknown_column_exits_2(tmp_path, capsys):
    code, out, err = pool(capsys, oracle_csv(tmp_path, "bcg"), "--by", "agent_clas")
    assert code == 2 and out == ""
    assert "bcg.csv" in err and "column 'agent_clas'" in err


def test_unknown_estimator_is_an_argument_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        run(["pool", str(oracle_csv(tmp_path, "bcg")), "--tau2", "XYZ"])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "--tau2" in err


def test_non_convergence_exits_3_naming_the_estimator(tmp_path, capsys):
    """Log RRs 0, 0.01 and 40 (mad tiny, spread huge): metafor's PM stops too (tests/reference)."""
    path = write(tmp_path, "extreme.csv", EFFECT_HEADER + "\na,RR,1,0.9,1.1\nb,RR,1.01,0.91,1.12\n"
                                          "c,RR,2.35e17,2.1e17,2.6e17\n")
    code, out, err = pool(capsys, path, "--tau2", "PM")
    assert code == 3 and out == ""
    assert "PM estimator" in err and "--tau2" in err
    assert pool(capsys, path, "--tau2", "DL")[0] == 0


# --- the installed console script ---------------------------------------------------------------

def test_installed_console_script(tmp_path, capsys):
    exe = shutil.which("metapool", path=str(Path(sys.executable).parent)) or shutil.which("metapool")
    assert exe, "the metapool console script is not installed (pip install -e .)"
    path = oracle_csv(tmp_path, "bcg")
    proc = subprocess.run([exe, "pool", str(path), "--tau2", "DL", "--format", "tsv"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == pool(capsys, path, "--tau2", "DL", "--format", "tsv")[1]
    bad = write(tmp_path, "bad.csv", COUNTS_HEADER + "\nA,30,100,40\n")
    proc = subprocess.run([exe, "pool", str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == "" and "bad.csv" in proc.stderr


# --- living -----------------------------------------------------------------------------

def test_living_command(tmp_path, capsys):
    from metapool.living import BLOCKS

    path = oracle_csv(tmp_path, "k8_hetero")
    assert run(["living", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == "" and set(BLOCKS) <= set(json.loads(out))
    assert run(["living", str(path), "--format", "tsv"]) == 0
    assert "\t" in capsys.readouterr().out
    bad = write(tmp_path, "bad.csv", COUNTS_HEADER + "\nA,3,2,1,5\n")
    assert run(["living", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "bad.csv" in err
