"""What each Snakemake job does, as importable functions (workflow/scripts/*.py only call these).

Every job handles a list of analyses (one, or a batch at scale) and writes each analysis' own
files atomically. Imports are local to each function so a job loads only what it uses.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from metapool.pipeline import paths as layout
from metapool.pipeline.settings import AnalysisSettings
from metapool.atomic import clear_stale_temps, write_text
from metapool.engine.render import to_json

if TYPE_CHECKING:
    from metapool.pipeline.analysis_result import AnalysisResult

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



def run_analyses(trial_files: list[str], settings: list[dict], rob_files: list[str] = (),
                 versions_file: str | None = None, digest_file: str | None = None) -> None:
    """Each analysis of a batch from the raw tables it draws on (and the risk-of-bias tables of its
    trials): its tables (pooled.{json,tsv}, living.{json,tsv}, sof.md), its figures (drawn from
    the analysis object and the published versions, if any), and the batch's digest."""
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
        result = write_tables(analysis, rows, rob)
        _log(f"{analysis.name}: k = {result.pooled['k']} of {result.pooled['k_total']} selected rows")
        entry = digests.entry(result)
        draw_analysis_figures(result, figures, versions)
        _log(f"{analysis.name}: figures drawn")
        written = [*layout.pool_outputs(analysis.name).values(), *(p for paths in figures.values() for p in paths.values())]
        # SHA-256 of every output as written: `metapool publish` refuses an output edited since.
        digest[analysis.name] = {**entry, "files": {str(p): sha256_file(p) for p in written}, "inputs": inputs}
    if digest_file:
        write_text(digest_file, to_json(digest))


def write_tables(analysis: AnalysisSettings, rows: list[dict], rob) -> AnalysisResult:
    """Compute one analysis (pipeline.analysis_result.compute) and write its tables: pooled.json,
    pooled.tsv, living.json, living.tsv and sof.md, each the object's serialisation."""
    from metapool.appraisal.sof_render import to_markdown as sof_markdown
    from metapool.engine.render import to_tsv
    from metapool.living import living_to_tsv
    from metapool.pipeline.analysis_result import compute

    result = compute(analysis, rows, rob)
    if result.convergence:
        _console(f"warning: analysis {analysis.name}: {result.convergence['sentence']}")
    out = layout.pool_outputs(analysis.name)
    write_text(out["pooled_json"], result.pooled_json())
    write_text(out["pooled_tsv"], to_tsv(result.pooled, {"analysis": analysis.name}))
    write_text(out["living_json"], result.living_json())
    write_text(out["living_tsv"], living_to_tsv(result.living))
    write_text(out["sof_md"], sof_markdown(result.sof_rows(), f"Summary of findings: {analysis.title}"))
    return result


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


def run_validation(pooled_files: list[str], published_file: str, paths: dict[str, str]) -> None:
    """results/validation.{json,md,html}: each analysis beside its closest published estimate
    (pipeline.reconcile), from the pooled.json files (config order) and data/validation/."""
    from metapool.inputs.published import load_published
    from metapool.pipeline import reconcile

    clear_stale_temps(paths.values())
    pooled = [json.loads(Path(f).read_text(encoding="utf-8")) for f in pooled_files]
    rows = reconcile.reconcile(pooled, load_published(published_file))
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
