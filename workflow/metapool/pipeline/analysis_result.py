"""One analysis computed once (issue 25): `compute` makes an `AnalysisResult` from the typed settings
and the validated rows; its tables, figures, Summary-of-findings rows, version state and digest all
read that object, and pooled.json / living.json are its serialisation (`pooled_json`, `living_json`).

The steps: select the rows (pipeline.analyses), pool them (engine.pool_studies, the restricted
sensitivity analyses, the Bayesian block and the declared interval), run the living-review analyses
(living.run_living) and appraise (appraisal.grade, appraisal.sof). Rows are checked once, when
inputs.trials reads them; the engine is told so (`validated=True`) and does not check them again.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from metapool.engine.render import to_json
from metapool.errors import ConvergenceError, InputError
from metapool.measures.text import nothing_to_pool
from metapool.pipeline.analyses import check_selection, one_population, select, study_entries
from metapool.pipeline.settings import AnalysisSettings


@dataclass(frozen=True)
class AnalysisResult:
    """settings: the analysis' typed settings (after any declared fallback: tau2 DL when the
    estimator asked for did not converge); pooled: the pooled.json contract (docs/design.md) with
    certainty, sof and convergence; living: the living-review block (living.run_living). Both are
    plain JSON values (lists, dicts, str, int, float, bool, None): json.loads(pooled_json()) == pooled."""

    settings: AnalysisSettings
    pooled: dict
    living: dict

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def convergence(self) -> dict | None:
        """pooled.json's `convergence` block: None, or the estimator that failed and the fallback used."""
        return self.pooled.get("convergence")

    def pooled_json(self) -> str:
        return to_json(self.pooled)

    def living_json(self) -> str:
        return to_json({"analysis": self.name, "title": self.settings.title, **self.living})

    def sof_rows(self) -> list:
        """The Summary-of-findings rows (appraisal.sof.SofRow): one, or one per subgroup kept apart."""
        from metapool.appraisal.sof import SofRow

        return [SofRow.from_dict(r) for r in self.pooled["sof"]]

    def state(self) -> dict:
        """The comparable state of the analysis for the published versions (versions.state)."""
        from metapool.versions.state import analysis_state

        return analysis_state(self.pooled, self.living)

    @classmethod
    def from_json(cls, settings: AnalysisSettings, pooled_text: str, living_text: str) -> "AnalysisResult":
        """The object back from its serialisation (pooled.json, living.json)."""
        living = json.loads(living_text)
        return cls(settings, json.loads(pooled_text),
                   {k: v for k, v in living.items() if k not in ("analysis", "title")})


def compute(analysis: AnalysisSettings, rows: list[dict], rob=None) -> AnalysisResult:
    """The analysis of ``rows`` (validated trial rows, inputs.trials) with each study's risk of bias
    from ``rob`` (inputs.rob.RobTable; None: not assessed). InputError when the selection breaks the
    analysis plan (pipeline.analyses.check_selection). An iterative tau^2 estimator that does not
    converge falls back to DerSimonian-Laird, and pooled.json's `convergence` says so."""
    chosen = one_population(select(rows, analysis))
    problems = check_selection(analysis, chosen)
    if problems:
        raise InputError(problems)
    try:
        pooled = pooled_result(analysis, chosen, rob)
        convergence = None
    except ConvergenceError as err:
        convergence = non_convergence(analysis, err)
        analysis = dataclasses.replace(analysis, tau2=FALLBACK_TAU2)
        pooled = pooled_result(analysis, chosen, rob)
        pooled["notes"].insert(0, convergence["sentence"])
    pooled["convergence"] = convergence
    living = living_result(analysis, chosen)
    appraise(analysis, pooled, living)
    return AnalysisResult(analysis, pooled, living)


# The declared fallback when an iterative tau^2 estimator does not converge (issue 24): the
# analysis still finishes, with DerSimonian-Laird (closed form, always defined), and pooled.json
# (`convergence`), the figure (its first note and the method line) and the console say so and
# give metafor's remedy. A reviewer then sets the remedy in the config to get the estimator asked for.
FALLBACK_TAU2 = "DL"
# metafor's advice (help(rma), "Note"): a smaller step length and more iterations for Fisher
# scoring (REML, ML, EB); Paule-Mandel's root search fails only at extreme heterogeneity.
REMEDY = {"PM": "choose another estimator for this analysis in config/config.yaml, e.g. tau2: REML "
                "(the Paule-Mandel root search has no solution; see metafor's help(rma))",
          None: "set control: {stepadj: 0.5, maxiter: 1000} for this analysis in config/config.yaml "
                "(metafor's advice for Fisher scoring, help(rma))"}


def non_convergence(analysis: AnalysisSettings, err: ConvergenceError) -> dict:
    """pooled.json's `convergence` block: what failed, the fallback used and metafor's remedy."""
    remedy = REMEDY.get(err.estimator, REMEDY[None])
    detail = str(err).split(": ", 1)[1] if ": " in str(err) else "no estimate"
    sentence = (f"The {err.estimator} estimator of tau\u00b2 did not converge ({detail}); tau\u00b2 is "
                f"estimated by DerSimonian-Laird ({FALLBACK_TAU2}) instead. To fit {err.estimator}, {remedy}.")
    return {"converged": False, "estimator": err.estimator, "error": str(err), "fallback": FALLBACK_TAU2,
            "remedy": remedy, "sentence": sentence}


def _pool_kwargs(analysis: AnalysisSettings) -> dict:
    """The engine's arguments from the typed settings (stated once); validated: the rows were
    checked by inputs.trials when they were read, so the engine does not check them again."""
    return dict(tau2_method=analysis.tau2, ci_method=analysis.ci, control=analysis.engine_control(),
                measure=analysis.measure, include_adjusted=analysis.include_adjusted,
                include_skewed=analysis.include_skewed, validated=True)


def pooled_across(analysis: AnalysisSettings) -> bool:
    """The analysis plan: one total across the subgroups (or no subgroups), else each subgroup apart."""
    return analysis.subgroup is None or analysis.pool_subgroups


def subgroup_members(studies: list[dict], result: dict) -> list[tuple[str, list[dict]]]:
    """(group, its studies) in the engine's group order, for an analysis kept apart by subgroup;
    a group whose studies none enters is kept (its rows say why), the others are pooled on their own."""
    from metapool.engine.pool import group_label

    by = result["subgroups"]["by"]
    order = [g["group"] for g in result["subgroups"]["groups"]]
    return [(g, [s for s in studies if group_label(s.get(by)) == g]) for g in order]


def pooled_result(analysis: AnalysisSettings, rows: list[dict], rob=None) -> dict:
    """pool_studies on the analysis' selection (with each study's risk of bias from ``rob``, an
    inputs.rob.RobTable; None: not assessed), its restricted sensitivity analyses, plus
    "analysis" and "title". Kept apart by subgroup (pool_subgroups: false): no total, and each
    subgroup carries its own restricted analyses (subgroups.groups[i].restricted)."""
    from metapool.engine.pool import pool_studies
    from metapool.engine.restrict import restrictions
    from metapool.inputs.rob import RobTable, attach_rob

    studies = attach_rob(study_entries(rows, analysis.subgroup), rob or RobTable())
    kwargs = _pool_kwargs(analysis)
    prior, other = analysis.bayes.priors(analysis.measure)
    across = pooled_across(analysis)
    result = pool_studies(studies, by=analysis.subgroup, pool_subgroups=across, bayes=prior, **kwargs)
    if across:
        result["restricted"] = restrictions(studies, result, analysis.restrictions, **kwargs)
    else:
        result["restricted"] = []
        for g, (_, members) in zip(result["subgroups"]["groups"], subgroup_members(studies, result)):
            part = pool_studies(members, bayes=prior, **kwargs)
            g["restricted"] = restrictions(members, part, analysis.restrictions, **kwargs) if part["k"] else []
            if part["k"]:  # the subgroup's own declared interval, as for an analysis of its trials
                bayes_and_conclusion(analysis, part, prior, other)
                g["bayes"], g["conclusion"] = part.get("bayes"), part.get("conclusion")
    bayes_and_conclusion(analysis, result, prior, other)
    if not result["k"]:
        result["notes"].insert(0, nothing_to_pool(len(rows)))
    return {"analysis": analysis.name, "title": analysis.title, **result}


def bayes_and_conclusion(analysis: AnalysisSettings, result: dict, prior, other) -> None:
    """The Bayesian block's prior sensitivity, MID probabilities and `shown`, and the declared
    `conclusion` interval (engine.conclusion)."""
    from metapool.engine.conclusion import bayes_extras, declared_interval
    from metapool.engine.pool import clean
    from metapool.measures import registry

    bayes = result.get("bayes")
    shown = analysis.bayes.shows(result["k"]) and bayes is not None
    if bayes is not None:
        pooled = [s for s in result["studies"] if s.get("weight_random") is not None]
        mid = analysis.certainty_rules().mid_for(analysis.measure)
        bayes.update(clean(bayes_extras(registry.get(analysis.measure), [s["yi"] for s in pooled],
                                        [s["vi"] for s in pooled], other, mid, prior)))
        bayes["shown"] = shown
    result["conclusion"] = clean(declared_interval(result, shown))
def appraise(analysis: AnalysisSettings, pooled: dict, living: dict) -> None:
    """Add the GRADE certainty (appraisal.grade; None when nothing is pooled) and the summary-of-
    findings rows (appraisal.sof; a list: one row, or one per subgroup when the analysis keeps its
    subgroups apart, each graded on its own trials) to ``pooled``."""
    from metapool.appraisal.grade import grade_certainty
    from metapool.appraisal.sof import sof_row
    from metapool.engine.pool import clean
    from metapool.engine.subgroups import subgroup_parts

    rules, judgments = analysis.certainty_rules(), analysis.judgments()
    if not pooled_across(analysis):
        pooled["certainty"] = None
        rows = []
        groups = pooled["subgroups"]["groups"]
        for group, part, part_living in zip(groups, subgroup_parts(pooled), living.get("subgroups") or []):
            certainty = grade_certainty(part, part_living, rules, judgments)
            group["certainty"] = part["certainty"] = clean(certainty.to_dict()) if certainty else None
            if part["k"]:  # an empty subgroup takes no row
                rows.append(clean(sof_row(part, part_living).to_dict()))
        pooled["sof"] = rows or [clean(sof_row({**pooled, "random": None}, None).to_dict())]
        return
    certainty = grade_certainty(pooled, living, rules, judgments)
    pooled["certainty"] = clean(certainty.to_dict()) if certainty else None
    pooled["sof"] = [clean(sof_row(pooled, living).to_dict())]


NOT_ACROSS = ("Not computed: this analysis keeps its subgroups (by {by}) apart, so there is no pooled estimate "
              "across trials to follow over time, to delete trials from or to test for small-study effects, and "
              "with 1 to 3 trials per subgroup these analyses would say nothing. Each subgroup's absolute effects "
              "are in the summary of findings.")


def living_result(analysis: AnalysisSettings, rows: list[dict]) -> dict:
    """Living-review analyses (cumulative, leave-one-out, influence, small-study, absolute, TSA).

    An analysis kept apart by subgroup runs none of them across trials (NOT_ACROSS says why); each
    subgroup gets its absolute effects (for its summary-of-findings row) under "subgroups"."""
    from metapool.engine.pool import group_label, clean
    from metapool.living import run_living
    from metapool.living.run import BLOCKS

    living = analysis.living
    kwargs = dict(_pool_kwargs(analysis), acr=living.acr, tsa_rrr=living.tsa.rrr, alpha=living.tsa.alpha,
                  beta=living.tsa.beta, tsa_difference=living.tsa.difference, tsa_sd=living.tsa.sd,
                  small_study_min_k=living.small_study_min_k)
    studies = study_entries(rows)
    if pooled_across(analysis):
        return run_living(studies, **kwargs)
    why = NOT_ACROSS.format(by=analysis.subgroup.replace("_", " "))
    labels = [group_label(r.get(analysis.subgroup)) for r in rows]
    parts = []
    for g in dict.fromkeys(labels):
        part = run_living([s for s, lab in zip(studies, labels) if lab == g], **kwargs)
        reasons = {name: why for name, _, _ in BLOCKS if name != "absolute"}
        if part["absolute"] is None:
            reasons["absolute"] = part["reasons"]["absolute"]
        parts.append({"group": g, **{name: None for name, _, _ in BLOCKS}, "absolute": part["absolute"],
                      "reasons": reasons, "settings": part["settings"]})
    out = {name: None for name, _, _ in BLOCKS}
    out["settings"] = {"measure": analysis.measure, "k_total": len(rows), "pool_subgroups": False,
                       "by": analysis.subgroup}
    out["reasons"] = {name: why for name, _, _ in BLOCKS}
    out["subgroups"] = parts
    return clean(out)
