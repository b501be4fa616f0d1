"""The incidence rate ratio, added as one data kind (events and person-time per arm) and one
measure: checked against metafor escalc("IRR") + rma (tests/reference/irr.R -> irr.json)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from metapool.cli import run
from metapool.errors import InputError
from metapool.inputs.studytable import read_study_table
from metapool.measures import datakinds
from metapool.plotting.effects import POOLED

REF = json.loads((Path(__file__).parent / "reference" / "irr.json").read_text())
COLUMNS = ("events_trt", "ptime_trt", "events_ctl", "ptime_ctl")


def close(got, ref, rtol=1e-6, atol=1e-9) -> bool:
    return abs(got - ref) <= atol or abs(got - ref) <= rtol * abs(ref)


def irr_csv(tmp_path: Path, extra: str = "") -> Path:
    lines = ["study," + ",".join(COLUMNS)]
    for j, name in enumerate(REF["study"]):
        lines.append(",".join([name, *(f"{REF[c][j]:g}" for c in COLUMNS)]))
    path = tmp_path / "irr.csv"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def pool_json(capsys, *argv) -> dict:
    code = run(["pool", *map(str, argv)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("ci, key", [("hksj", "reml_hksj"), ("z", "reml_z")])
def test_cli_irr_matches_metafor(tmp_path, capsys, ci, key):
    result = pool_json(capsys, irr_csv(tmp_path), "--measure", "IRR", "--ci", ci, "--format", "json")
    assert result["measure"] == "IRR" and result["log_scale"] is True
    studies = result["studies"]
    assert [s["status"] for s in studies] == ["rates", "rates_corrected", "rates", "rates", "rates"]
    for s, yi, vi in zip(studies, REF["yi"], REF["vi"]):
        assert close(s["yi"], yi) and close(s["vi"], vi), s["study"]
    ref, fit = REF[key], result["random"]
    assert fit["k"] == 5 and fit["tau2_method"] == "REML"
    for name in ("est", "se", "ci_lb", "ci_ub", "tau2", "I2", "Q"):
        assert close(fit[name], ref[name]), name
    assert close(fit["natural"]["est"], math.exp(ref["est"]))


def test_no_events_in_either_arm_is_not_estimable(tmp_path, capsys):
    result = pool_json(capsys, irr_csv(tmp_path, "Zeta,0,100,0,90\n"), "--measure", "IRR", "--format", "json")
    zeta = result["studies"][-1]
    assert zeta["status"] == "not_estimable" and zeta["reason"] == "no events in either arm"
    assert result["random"]["k"] == 5


def test_rates_do_not_enter_a_risk_ratio(tmp_path, capsys):
    result = pool_json(capsys, irr_csv(tmp_path), "--measure", "RR", "--format", "json")
    assert {s["status"] for s in result["studies"]} == {"no_data"}


def test_the_plot_and_the_engine_share_the_registry_statuses():
    assert {"rates", "rates_corrected"} <= POOLED == set(datakinds.POOLED)
    assert datakinds.DATA_KINDS["rates"].columns == COLUMNS


@pytest.mark.parametrize("row, column, rule", [
    ("Zeta,3,0,4,90", "ptime_trt", "not positive"),
    ("Zeta,3,100,4,", "ptime_ctl", "give person-time for both arms or neither"),
    ("Zeta,,100,4,90", "events_trt", "a person-time needs its events"),
])
def test_person_time_rules(tmp_path, row, column, rule):
    with pytest.raises(InputError) as caught:
        read_study_table(irr_csv(tmp_path, row + "\n"))
    assert any(p.column == column and rule in p.message for p in caught.value.problems), caught.value.problems


def test_the_forest_plot_draws_rate_studies_with_their_weights(tmp_path, capsys):
    from metapool.plotting.forest_rows import forest_rows
    from metapool.plotting.options import ForestOptions

    result = pool_json(capsys, irr_csv(tmp_path), "--measure", "IRR", "--format", "json")
    rows = forest_rows(result, ForestOptions())
    studies = [r for r in rows if r.cells.get("study", "").rstrip("\u00b9") in REF["study"]]
    assert len(studies) == 5 and all(r.interval is not None and r.cells["weight"].endswith("%") for r in studies)


def test_the_forest_plot_shows_events_and_person_time_per_arm(tmp_path, capsys):
    """The arm columns come from the registry (DataKind.forest): events and person-time, summed in
    the total row as RevMan sums events and totals."""
    from metapool.plotting.forest_rows import forest_table
    from metapool.plotting.options import ForestOptions

    result = pool_json(capsys, irr_csv(tmp_path), "--measure", "IRR", "--format", "json")
    table = forest_table(result, ForestOptions())
    assert [c.header[1] for c in table.columns[1:5]] == ["Events", "Person-time", "Events", "Person-time"]
    assert [s[0] for s in table.spans[:2]] == ["Treatment", "Control"]
    first = next(r for r in table.rows if r.cells.get("study", "").startswith(REF["study"][0]))
    assert first.cells["ev_t"] == f"{REF['events_trt'][0]:g}" and first.cells["pt_t"] == f"{REF['ptime_trt'][0]:g}"
    total = next(r for r in table.rows if r.kind == "overall")
    assert total.cells["ev_c"] == f"{sum(REF['events_ctl']):g}"
    assert total.cells["pt_c"] == f"{sum(REF['ptime_ctl']):g}"
