"""One settings path: config -> AnalysisSettings (one set of defaults) -> every stage."""

from pathlib import Path

import dataclasses
import json

import pytest
import yaml

from metapool.pipeline.analyses import from_config
from metapool.pipeline.settings import (AnalysisSettings, Batching, BayesSettings, LivingSettings, TimepointSettings,
                                       TsaSettings, WorkflowSettings)
from metapool.plotting.options import ForestOptions

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
DEFS = SCHEMA["$defs"]


def schema_defaults(node: dict) -> dict:
    """{property: default} of a schema object node, following $ref to $defs."""
    out = {}
    for key, prop in node.get("properties", {}).items():
        target = DEFS[prop["$ref"].rsplit("/", 1)[1]] if "$ref" in prop else prop
        if "default" in prop:
            out[key] = prop["default"]
        elif "default" in target:
            out[key] = target["default"]
    return out


def field_defaults(cls) -> dict:
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
            if not dataclasses.is_dataclass(value):
                out[f.name] = value
    return out


@pytest.mark.parametrize("cls,node", [
    (AnalysisSettings, DEFS["settings"]),
    (ForestOptions, DEFS["plot"]),
    (LivingSettings, DEFS["living"]),
    (TsaSettings, DEFS["living"]["properties"]["tsa"]),
    (TimepointSettings, DEFS["timepoint"]),
    (BayesSettings, DEFS["bayes"]),
])
def test_schema_states_the_settings_defaults(cls, node):
    """Every default the schema documents is the dataclass' own default, and vice versa."""
    ours = field_defaults(cls)
    theirs = schema_defaults(node)
    if cls is AnalysisSettings:  # subgroup is declared with title and filter, per analysis
        theirs["subgroup"] = SCHEMA["properties"]["analyses"]["additionalProperties"]["properties"]["subgroup"]["default"]
    assert theirs == ours


def test_every_settings_field_is_a_schema_key():
    """A key is one field and one schema property with the same name (nested objects too)."""
    per_analysis = set(DEFS["settings"]["properties"]) | set(
        SCHEMA["properties"]["analyses"]["additionalProperties"]["properties"])
    assert {f.name for f in dataclasses.fields(AnalysisSettings)} - {"name"} == per_analysis
    assert {f.name for f in dataclasses.fields(ForestOptions)} == set(DEFS["plot"]["properties"])
    assert {f.name for f in dataclasses.fields(LivingSettings)} == set(DEFS["living"]["properties"])
    assert {f.name for f in dataclasses.fields(TsaSettings)} == set(DEFS["living"]["properties"]["tsa"]["properties"])
    assert {f.name for f in dataclasses.fields(TimepointSettings)} == set(DEFS["timepoint"]["properties"])


def test_workflow_settings_defaults_match_the_schema():
    props = SCHEMA["properties"]
    batching = Batching(**{k: v["default"] for k, v in props["batching"]["properties"].items()})
    assert WorkflowSettings() == WorkflowSettings(props["data_dir"]["default"], props["rob_dir"]["default"],
                                                  props["versions_dir"]["default"], batching)
    assert {f.name for f in dataclasses.fields(Batching)} == set(props["batching"]["properties"])


def test_defaults_merge_key_by_key_into_nested_objects():
    cfg = {"defaults": {"tau2": "DL", "plot": {"show_fixed": True}, "living": {"tsa": {"rrr": 0.25}}},
           "analyses": {"a": {"title": "A", "filter": {"outcome": "all-cause mortality"},
                              "subgroup": "agent", "pool_subgroups": False, "plot": {"show_title": False},
                              "living": {"acr": 0.3}},
                        "b": {"title": "B", "filter": {"outcome": "all-cause mortality"}, "tau2": "PM"}}}
    a, b = from_config(cfg)
    assert (a.tau2, a.plot.show_fixed, a.plot.show_title, a.pool_subgroups, a.living.acr, a.living.tsa.rrr) == \
        ("DL", True, False, False, 0.3, 0.25)
    assert a.living.tsa.alpha == TsaSettings().alpha and a.plot.prediction_interval is True
    assert (b.tau2, b.plot.show_fixed, b.plot.show_title, b.pool_subgroups, b.living.acr) == ("PM", True, True, True, None)


def test_round_trip_through_the_snakemake_param():
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    for a in from_config(cfg):
        d = a.to_dict()
        assert yaml.safe_load(yaml.safe_dump(d)) == d  # plain data: hashable by Snakemake's params trigger
        assert AnalysisSettings.from_dict({k: v for k, v in d.items()}) == a


def test_unknown_keys_and_bad_values_are_errors():
    with pytest.raises(ValueError, match="unknown ForestOptions key"):
        AnalysisSettings.from_dict({"name": "x", "title": "x", "filter": {}, "plot": {"colour": 1}})
    with pytest.raises(ValueError, match="unknown effect measure"):
        AnalysisSettings(name="x", title="x", filter={}, measure="NNT")
    with pytest.raises(ValueError, match="control"):
        AnalysisSettings(name="x", title="x", filter={}, control={"stepadj": 0})


def test_timepoint_rule_takes_the_longest_stated_follow_up_in_its_window():
    from metapool.pipeline.analyses import by_timepoint

    data = ("counts",)
    rows = [{"trial": "A", "timepoint_days": 28, "poolable": data}, {"trial": "A", "timepoint_days": 90, "poolable": data},
            {"trial": "A", "timepoint_days": 180, "poolable": data}, {"trial": "B", "timepoint_days": 2, "poolable": data},
            {"trial": "B", "timepoint_days": None, "poolable": data}, {"trial": "C", "timepoint_days": 30, "poolable": data},
            {"trial": "D", "timepoint_days": 28, "poolable": data}, {"trial": "D", "timepoint_days": 90, "poolable": ()},
            {"trial": "E", "timepoint_days": 28, "poolable": ()}]
    got = by_timepoint(rows, TimepointSettings())
    assert [(r["trial"], r["timepoint_days"]) for r in got] == [("A", 90), ("C", 30), ("D", 28), ("E", 28)]
    got = by_timepoint(rows, TimepointSettings(unstated=True))
    assert [(r["trial"], r["timepoint_days"]) for r in got] == [("A", 90), ("B", None), ("C", 30), ("D", 28), ("E", 28)]
    a = AnalysisSettings.from_dict({"name": "x", "title": "x", "filter": {}, "timepoint": {"max_days": 28}})
    assert a.timepoint == TimepointSettings(max_days=28)


def test_the_snakefiles_c_yaml_loader_reads_the_config_as_the_pure_python_one():
    """snakemake_speedups.smk swaps yte's yaml.FullLoader for CFullLoader (speed): same objects, same order."""
    text = (ROOT / "config" / "config.yaml").read_text(encoding="utf-8")
    fast = yaml.load(text, Loader=yaml.CFullLoader)
    assert fast == yaml.load(text, Loader=yaml.FullLoader)
    assert json.dumps(fast) == json.dumps(yaml.load(text, Loader=yaml.FullLoader))
    speedups = (ROOT / "workflow" / "rules" / "snakemake_speedups.smk").read_text()
    assert 'yaml.FullLoader = getattr(yaml, "CFullLoader", yaml.FullLoader)' in speedups


def test_snakemake_reads_each_metadata_record_once():
    """snakemake_speedups.smk makes Snakemake's metadata-record cache unbounded (it thrashed at 128)."""
    from snakemake.persistence.file import FilePersistence

    exec(compile((ROOT / "workflow" / "rules" / "snakemake_speedups.smk").read_text(), "speedups", "exec"), {})
    assert FilePersistence._read_record_cached.cache_info().maxsize is None
