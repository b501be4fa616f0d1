"""An analysis' settings: one typed object from the validated config to every stage.

`AnalysisSettings` holds everything that changes an analysis' numbers or figures; its field
defaults are the only defaults (workflow/schemas/config.schema.yaml states the same values, and
tests/test_settings.py checks that they agree). A config key is a field here and a property in
the schema, with the same name: nested objects (`plot`, `living`, `living.tsa`) are nested
dataclasses. `from_config` merges `defaults:` into each analysis (key by key, also inside the
nested objects); Snakemake passes `to_dict()` as a param and each job rebuilds the object with
`from_dict`.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from dataclasses import dataclass, field

from metapool.engine.restrict import Restriction
from metapool.engine.tau2 import Control
from metapool.measures import registry
from metapool.plotting.options import ForestOptions


@dataclass(frozen=True)
class TsaSettings:
    """Trial sequential analysis: a-priori relative risk reduction (binary measures), or the mean
    difference to detect and its SD (MD; None = median arm SD of the trials), two-sided alpha, beta."""

    rrr: float = 0.2
    alpha: float = 0.05
    beta: float = 0.2
    difference: float | None = None
    sd: float | None = None


@dataclass(frozen=True)
class TimepointSettings:
    """Which row of a trial enters when the filter leaves several time points: the one with the
    longest stated follow-up between min_days and max_days; a row whose time point the source
    does not state (ICU, hospital or unstated mortality) only when ``unstated`` and the trial has
    no row in the window."""

    min_days: int = 28
    max_days: int = 90
    unstated: bool = False

    def __post_init__(self):
        from metapool import bounds

        if self.min_days > self.max_days:
            raise ValueError(f"timepoint: min_days ({self.min_days}) is above max_days ({self.max_days}); "
                             "the window would select no row")
        why = bounds.timepoint_problem(self.max_days)
        if why:
            raise ValueError(f"timepoint: max_days: {why}")


@dataclass(frozen=True)
class LivingSettings:
    """Living-review analyses. acr: assumed control risk; None = median control-arm risk.
    small_study_min_k: the funnel plot, Egger's and Harbord's tests and trim-and-fill only with at
    least this many trials (Cochrane Handbook 13.3.5.4: 10; = metapool.living.K_MIN_SMALL_STUDY)."""

    acr: float | None = None
    tsa: TsaSettings = field(default_factory=TsaSettings)
    small_study_min_k: int = 10


@dataclass(frozen=True)
class BayesSettings:
    """Bayesian random effects (engine.bayes): the prior on tau, its family and scale on the
    analysis scale (None = 0.5 for the log-scale measures RR, OR, PETO, HR, ROM and for SMD; MD and
    RD have units, so they must give one), the scale of the prior-sensitivity result (None = twice
    the scale), and the numbers of trials for which the forest plot shows the Bayesian row and
    the conclusions rest on its credible interval (min_k to max_k)."""

    prior: str = "half-normal"
    scale: float | None = None
    sensitivity_scale: float | None = None
    min_k: int = 2
    max_k: int = 4

    def priors(self, measure: str):
        """(the prior, the sensitivity prior) for ``measure``; ValueError when no scale is given
        for a measure without a default."""
        from metapool.engine.bayes import Prior

        scale = self.scale
        if scale is None:
            if measure in NO_DEFAULT_SCALE:
                raise ValueError(f"bayes.scale: {registry.get(measure).name} ({measure}) has units, so "
                                 "the prior scale on tau must be given (e.g. bayes: {scale: 5})")
            scale = DEFAULT_SCALE
        other = self.sensitivity_scale if self.sensitivity_scale is not None else 2 * scale
        return Prior(self.prior, scale), Prior(self.prior, other)

    def shows(self, k: int) -> bool:
        """Whether the Bayesian result is shown and declared for k trials."""
        return self.min_k <= k <= self.max_k


DEFAULT_SCALE = 0.5       # half-normal(0.5) on tau: log-scale measures and SMD (Rover et al. 2021)
NO_DEFAULT_SCALE = ("MD", "RD")


# This review's restricted sensitivity analyses (engine.restrict.Restriction): a config
# `restrictions:` item names one of these or declares its own {name, label, column, values,
# exclude, unknown}. Population and design (the review's indirect populations and open-label
# trials), the kind of source (leaves out rows read from another review's table) and risk of bias
# (RoB 2 overall; GRADE Handbook 5.2.1: restrict to results at low risk when the risk of bias varies).
_NO_ROB = "risk of bias is not assessed for any pooled trial"
RESTRICTION_RULES = {r["name"]: r for r in (
    dict(name="septic_shock_only", label="trials in septic shock only", column="septic_shock_only",
         values=["yes"]),
    dict(name="blinded", label="double-blind trials only", column="blinding", values=["double-blind"]),
    dict(name="primary_only", label="counts from primary sources only", column="source_kind",
         values=["primary"], unknown="no pooled trial records its kind of source"),
    dict(name="low_risk_only", label="trials at low risk of bias only", column="rob.overall",
         values=["low"], unknown=_NO_ROB),
    dict(name="exclude_high_risk", label="excluding trials at high risk of bias", column="rob.overall",
         values=["high"], exclude=True, unknown=_NO_ROB),
)}


def restriction_rule(item) -> dict:
    """A config `restrictions:` item as the rule's plain mapping: a name of RESTRICTION_RULES, or a
    rule of its own (checked by building its engine.restrict.Restriction)."""
    if isinstance(item, str):
        if item not in RESTRICTION_RULES:
            raise ValueError(f"unknown restriction {item!r}; one of {', '.join(RESTRICTION_RULES)} "
                             "or a mapping {name, label, column, values[, exclude, unknown]}")
        item = RESTRICTION_RULES[item]
    rule = Restriction(**item)
    return {**dataclasses.asdict(rule), "values": list(rule.values)}


@dataclass(frozen=True)
class AnalysisSettings:
    """One analysis (config/config.yaml `analyses:` entry, `defaults:` applied).

    pool_subgroups: with `subgroup`, whether the analysis pools across its subgroups (a total, and
    every output about it) or keeps them apart (per-subgroup estimates in every output: pooled.json,
    summary.tsv, the summary pages, the SoF, the changes report, the forest plot)."""

    name: str
    title: str
    filter: dict
    subgroup: str | None = None
    pool_subgroups: bool = True
    measure: str = registry.DEFAULT
    tau2: str = "REML"
    ci: str = "hksj"
    control: dict = field(default_factory=dict)
    include_adjusted: bool = True
    include_skewed: bool = False
    timepoint: TimepointSettings | None = None
    restrictions: list = field(default_factory=lambda: ["septic_shock_only", "blinded", "primary_only",
                                                        "low_risk_only", "exclude_high_risk"])
    grade_rules: dict = field(default_factory=dict)
    grade: dict = field(default_factory=dict)
    plot: ForestOptions = field(default_factory=ForestOptions)
    living: LivingSettings = field(default_factory=LivingSettings)
    bayes: BayesSettings = field(default_factory=BayesSettings)

    def __post_init__(self):
        object.__setattr__(self, "measure", registry.get(self.measure).code)
        object.__setattr__(self, "tau2", self.tau2.upper())
        object.__setattr__(self, "ci", self.ci.lower())
        object.__setattr__(self, "restrictions", [restriction_rule(r) for r in self.restrictions])
        Control.from_mapping(self.control)  # errors now, not in a job
        self.bayes.priors(self.measure)
        self.certainty_rules()
        self.judgments()

    def engine_control(self) -> Control:
        """The tau^2 iteration settings (metafor's control) as the engine takes them."""
        return Control.from_mapping(self.control)

    def certainty_rules(self):
        """The GRADE rules' thresholds (appraisal.grade_config.GradeRules) from `grade_rules:`."""
        from metapool.appraisal.grade_config import GradeRules

        return GradeRules.from_mapping(self.grade_rules, key=f"analyses.{self.name}.grade_rules")

    def judgments(self):
        """The reviewers' GRADE judgments (appraisal.grade_config.Judgments) from `grade:`."""
        from metapool.appraisal.grade_config import Judgments

        return Judgments.from_mapping(self.grade, key=f"analyses.{self.name}.grade")

    def to_dict(self) -> dict:
        """Plain JSON-able form (the Snakemake param); ``from_dict`` inverts it."""
        return _plain(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, values: dict) -> "AnalysisSettings":
        """Settings from a (merged) config entry; unknown keys are an error."""
        return _build(cls, values)


def _plain(x):
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


@functools.lru_cache(maxsize=None)
def _nested(cls) -> dict:
    """Field name -> its dataclass type (also for ``X | None``), for the fields that hold one;
    cached: typing.get_type_hints costs ~0.2 ms a call, 1,000 analyses call it thousands of times."""
    out = {}
    for key, kind in typing.get_type_hints(cls).items():
        optional = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(optional) == 1 and dataclasses.is_dataclass(optional[0]):
            kind = optional[0]
        if dataclasses.is_dataclass(kind):
            out[key] = kind
    return out


def _build(cls, values: dict):
    """Instantiate dataclass ``cls`` from a dict, recursing into dataclass-typed fields."""
    nested = _nested(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown {cls.__name__} key(s): {', '.join(unknown)}")
    kwargs = {}
    for key, value in values.items():
        kind = nested.get(key)
        if kind is not None and isinstance(value, dict):
            value = _build(kind, value)
        elif key == "xlim" and value is not None:
            value = tuple(value)
        kwargs[key] = value
    return cls(**kwargs)


def merge(base: dict, over: dict) -> dict:
    """``over`` on top of ``base``, key by key, recursing into dicts (filter values replace)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "filter":
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def from_config_entry(name: str, spec: dict, defaults: dict) -> AnalysisSettings:
    """One analysis: its config entry over the config's `defaults:` over the field defaults."""
    merged = merge(defaults or {}, spec or {})
    merged.setdefault("title", name)
    return AnalysisSettings.from_dict({"name": name, **merged})


@dataclass(frozen=True)
class NetworkSettings:
    """One network meta-analysis (config `networks:` entry; metapool.network).

    filter/timepoint: the trial rows, as for an analysis (pipeline.analyses.select); nodes: node ->
    the agent/comparator names it joins (a name not listed is its own node); measure: RR or OR
    (from each row's 2x2 counts); reference: the node every treatment is compared with, first in
    the treatment order; small_values: "good" when fewer events are better (P-scores);
    exclude_trials: trials kept out by name (a subgroup row when its whole trial is in the network).
    """

    name: str
    title: str
    filter: dict
    reference: str
    timepoint: TimepointSettings | None = None
    nodes: dict = field(default_factory=dict)
    measure: str = "RR"
    small_values: str = "good"
    exclude_trials: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return _plain(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, values: dict) -> "NetworkSettings":
        return _build(cls, values)

    def node_of(self, name: str) -> str:
        """The node an agent or comparator name belongs to."""
        for node, names in self.nodes.items():
            if name in names:
                return node
        return name


def network_from_config_entry(name: str, spec: dict) -> NetworkSettings:
    """One network from its config entry (title defaults to the name)."""
    values = {"title": name, **(spec or {}), "name": name}
    return NetworkSettings.from_dict(values)


@dataclass(frozen=True)
class Batching:
    """How analyses are grouped into jobs (pipeline.analyses.batches): one job each up to
    ``one_job_each_up_to`` analyses; beyond, runs of ``analyses_per_job`` analyses of one summary
    forest page."""

    one_job_each_up_to: int = 32
    analyses_per_job: int = 16

    @classmethod
    def from_config(cls, batching: dict | None) -> "Batching":
        return cls(**(batching or {}))


@dataclass(frozen=True)
class WorkflowSettings:
    """The config's workflow keys: data_dir (trial tables), versions_dir (the published versions,
    `metapool publish`), search_dir (the search record), validation_dir (published estimates:
    the reconciliation page), batching (analyses per job)."""

    data_dir: str = "data/raw"
    rob_dir: str = "data/rob"
    versions_dir: str = "data/versions"
    batching: Batching = Batching()
    search_dir: str = "data/search"
    validation_dir: str = "data/validation"

    @property
    def published_estimates(self) -> str:
        return f"{self.validation_dir}/published.yaml"

    @property
    def versions_file(self) -> str:
        return f"{self.versions_dir}/versions.json"

    @property
    def search_records(self) -> str:
        return f"{self.search_dir}/records.csv"

    @classmethod
    def from_config(cls, config: dict) -> "WorkflowSettings":
        values = {"data_dir": config.get("data_dir"), "rob_dir": config.get("rob_dir"),
                  "versions_dir": config.get("versions_dir"), "search_dir": config.get("search_dir"),
                  "validation_dir": config.get("validation_dir"), "batching": Batching.from_config(config.get("batching"))}
        return cls(**{k: v for k, v in values.items() if v is not None})
