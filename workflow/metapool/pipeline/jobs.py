"""What each Snakemake job does, as importable functions (workflow/scripts/*.py only call these).

Every job handles a list of analyses (one, or a batch at scale) and writes each analysis' own
files atomically. Imports are local to each function so a job loads only what it uses.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

from metapool.measures.text import nothing_to_pool
from metapool.pipeline import paths as layout
from metapool.pipeline.analyses import check_selection, one_population, select, study_entries
from metapool.pipeline.settings import AnalysisSettings
from metapool.atomic import clear_stale_temps, write_text
from metapool.engine.render import to_json
from metapool.errors import ConvergenceError, InputError

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


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _console(msg: str) -> None:
    """A message for the log and for the console of the run (the job's stderr is its log file)."""
    _log(msg)
    if sys.__stderr__ is not None and sys.stderr is not sys.__stderr__:
        print(msg, file=sys.__stderr__, flush=True)


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def non_convergence(analysis: AnalysisSettings, err: ConvergenceError) -> dict:
    """pooled.json's `convergence` block: what failed, the fallback used and metafor's remedy."""
    remedy = REMEDY.get(err.estimator, REMEDY[None])
    detail = str(err).split(": ", 1)[1] if ": " in str(err) else "no estimate"
    sentence = (f"The {err.estimator} estimator of tau\u00b2 did not converge ({detail}); tau\u00b2 is "
                f"estimated by DerSimonian-Laird ({FALLBACK_TAU2}) instead. To fit {err.estimator}, {remedy}.")
    return {"converged": False, "estimator": err.estimator, "error": str(err), "fallback": FALLBACK_TAU2,
            "remedy": remedy, "sentence": sentence}
def _pool_kwargs(analysis: AnalysisSettings) -> dict:
    return dict(tau2_method=analysis.tau2, ci_method=analysis.ci, control=analysis.engine_control(),
                measure=analysis.measure, include_adjusted=analysis.include_adjusted,
                include_skewed=analysis.include_skewed)


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


def run_analyses(trial_files: list[str], settings: list[dict], rob_files: list[str] = (),
                 versions_file: str | None = None, digest_file: str | None = None) -> None:
    """Each analysis of a batch from the raw tables it draws on (and the risk-of-bias tables of its
    trials): its tables (pooled.{json,tsv}, living.{json,tsv}, sof.md), its figures (drawn from
    those JSON texts and the published versions, if any), and the batch's digest."""
    from metapool.inputs.rob import load_rob
    from metapool.inputs.trials import load_trials
    from metapool.pipeline import digests
    from metapool.pipeline.figures import draw_analysis_figures
    from metapool.versions.store import load_versions

    rows = load_trials(trial_files).rows
    rob = load_rob(rob_files).raise_for_problems()
    versions = load_versions(versions_file) if versions_file else []
    # SHA-256 of every input: `metapool publish` refuses results whose inputs changed since.
    inputs = {str(p): sha256_file(p) for p in [*trial_files, *rob_files, *([versions_file] if versions_file else [])]}
    digest = {}
    if digest_file:
        clear_stale_temps([digest_file])
    for s in settings:
        analysis = AnalysisSettings.from_dict(s)
        figures = layout.figure_outputs(analysis.name)
        clear_stale_temps([*layout.pool_outputs(analysis.name).values(),
                           *(p for paths in figures.values() for p in paths.values())])
        pooled, sens = write_tables(analysis, rows, rob)
        _log(f"{analysis.name}: k = {pooled['k']} of {pooled['k_total']} selected rows")
        draw_analysis_figures(pooled, sens, analysis.plot, figures, versions)
        _log(f"{analysis.name}: figures drawn")
        written = [*layout.pool_outputs(analysis.name).values(), *(p for paths in figures.values() for p in paths.values())]
        # SHA-256 of every output as written: `metapool publish` refuses an output edited since.
        digest[analysis.name] = {**digests.entry(pooled, sens), "files": {str(p): sha256_file(p) for p in written},
                                "inputs": inputs}
    if digest_file:
        write_text(digest_file, to_json(digest))


def write_tables(analysis: AnalysisSettings, rows: list[dict], rob) -> tuple[dict, dict]:
    """Pool, run the living-review analyses of and appraise one analysis; write its tables and
    return (pooled, living) as read back from the JSON written (what the figures and digest use)."""
    from metapool.appraisal.sof import SofRow
    from metapool.appraisal.sof_render import to_markdown as sof_markdown
    from metapool.engine.render import to_tsv
    from metapool.living import living_to_tsv

    chosen = one_population(select(rows, analysis))
    problems = check_selection(analysis, chosen)
    if problems:
        raise InputError(problems)
    out = layout.pool_outputs(analysis.name)
    try:
        pooled = pooled_result(analysis, chosen, rob)
        convergence = None
    except ConvergenceError as err:
        convergence = non_convergence(analysis, err)
        _console(f"warning: analysis {analysis.name}: {convergence['sentence']}")
        analysis = dataclasses.replace(analysis, tau2=FALLBACK_TAU2)
        pooled = pooled_result(analysis, chosen, rob)
        pooled["notes"].insert(0, convergence["sentence"])
    pooled["convergence"] = convergence
    sens = living_result(analysis, chosen)
    appraise(analysis, pooled, sens)
    texts = {"pooled_json": to_json(pooled),
             "living_json": to_json({"analysis": analysis.name, "title": analysis.title, **sens})}
    write_text(out["pooled_json"], texts["pooled_json"])
    write_text(out["pooled_tsv"], to_tsv(pooled, {"analysis": analysis.name}))
    write_text(out["living_json"], texts["living_json"])
    write_text(out["living_tsv"], living_to_tsv(sens))
    write_text(out["sof_md"], sof_markdown([SofRow.from_dict(r) for r in pooled["sof"]],
                                           f"Summary of findings: {analysis.title}"))
    return json.loads(texts["pooled_json"]), json.loads(texts["living_json"])


def summary_rows(pooled_files: list[str]) -> list[dict]:
    """pipeline.summary_rows.summary_rows of each pooled.json, in the order given (config order)."""
    from metapool.pipeline import summary_rows as rows

    return [r for f in pooled_files for r in rows.summary_rows(json.loads(Path(f).read_text(encoding="utf-8")))]


def run_summary(digest_files: list[str], names: list[str], out_tsv: str) -> None:
    """results/summary.tsv: one row per analysis, or per subgroup of an analysis kept apart by
    subgroup (config order), from the batches' digests."""
    from metapool.engine.render import fmt
    from metapool.pipeline import digests

    clear_stale_temps([out_tsv])
    rows = [row for d in digests.load(digest_files, names) for row in d["summary"]]
    cols = list(rows[0]) if rows else ["analysis"]
    text = "\t".join(cols) + "\n" + "".join("\t".join(fmt(r[c]) for c in cols) + "\n" for r in rows)
    write_text(out_tsv, text)


def run_summary_forest(pooled_files: list[str], paths: dict[str, str], title: str) -> None:
    """One page of the summary forest plot (pipeline.summary_pages): its analyses' pooled effects."""
    from metapool.plotting.summary_forest import draw_summary

    clear_stale_temps(paths.values())
    draw_summary(summary_rows(pooled_files), {k: Path(v) for k, v in paths.items()}, title=title)


def run_summary_forest_index(page_list: list[dict], titles: dict[str, str], out_md: str) -> None:
    """results/summary_forest/index.md: the pages and their analyses."""
    from metapool.pipeline.summary_pages import SummaryPage, index_markdown

    clear_stale_temps([out_md])
    pages = [SummaryPage(p["id"], p["title"], tuple(p["analyses"])) for p in page_list]
    write_text(out_md, index_markdown(pages, titles))


def run_sof(digest_files: list[str], names: list[str], paths: dict[str, str]) -> None:
    """results/sof.{tsv,md,html}: the review's summary-of-findings table, one row per analysis."""
    from metapool.appraisal import sof_render
    from metapool.appraisal.sof import SofRow
    from metapool.pipeline import digests

    clear_stale_temps(paths.values())
    rows = [SofRow.from_dict(r) for d in digests.load(digest_files, names) for r in d["sof"]]
    write_text(paths["tsv"], sof_render.to_tsv(rows))
    write_text(paths["md"], sof_render.to_markdown(rows))
    write_text(paths["html"], sof_render.to_html(rows))


def run_validation(pooled_files: list[str], published_file: str, paths: dict[str, str],
                   pooled_across: dict[str, bool] | None = None) -> None:
    """results/validation.{json,md,html}: each analysis beside its closest published estimate
    (pipeline.reconcile), from the pooled.json files (config order) and data/validation/;
    ``pooled_across``: analysis -> its plot `overall` (False: not pooled across subgroups)."""
    from metapool.inputs.published import load_published
    from metapool.pipeline import reconcile

    clear_stale_temps(paths.values())
    pooled = [json.loads(Path(f).read_text(encoding="utf-8")) for f in pooled_files]
    rows = reconcile.reconcile(pooled, load_published(published_file), pooled_across)
    write_text(paths["json"], reconcile.to_json(rows))
    write_text(paths["md"], reconcile.to_markdown(rows))
    write_text(paths["html"], reconcile.to_html(rows))


def run_trials_table(trial_files: list[str], out_tsv: str) -> None:
    """results/trials.tsv: every validated row of data/raw/, with how it enters pooling; warnings to the log."""
    from metapool.engine.render import fmt
    from metapool.inputs.trials import columns, load_trials, study_label

    clear_stale_temps([out_tsv])
    table = load_trials(trial_files)
    for w in table.warnings:
        _log(f"warning: {w}")
    cols = ["label", "file", "row", "poolable"] + list(columns())
    lines = ["\t".join(cols)]
    for r in sorted(table.rows, key=lambda r: (r["trial"], r["outcome"], r["timepoint_days"] or 0)):
        r = {**r, "label": study_label(r), "file": Path(r["file"]).name}
        lines.append("\t".join(fmt(r.get(c)) for c in cols))
    write_text(out_tsv, "\n".join(lines) + "\n")
