# Parse-time work: validate the config and every trial table (all problems at once, before any
# job runs), select each analysis' rows, and group analyses into jobs.

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))
import common  # noqa: F401  (makes metapool importable from workflow/, as in every job script)

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

try:
    common.check_metapool()  # the jobs check the same: one metapool per run
except RuntimeError as err:
    raise WorkflowError(str(err)) from None

from metapool.errors import InputError, Problem
from metapool import bounds
from metapool.inputs.glyphs import (
    config_texts,
    figure_text_problems,
    rob_texts,
    trial_texts,
)

from metapool.inputs.published import load_published
from metapool.inputs.rob import load_rob, rob_files
from metapool.inputs.search import load_search, queries_path
from metapool.inputs.trials import load_trials, slugify, trial_files
from metapool.pipeline import analyses as analysis_defs
from metapool.pipeline import captions
from metapool.pipeline import network_job
from metapool.pipeline import networks as network_defs
from metapool.pipeline import paths as layout
from metapool.pipeline import summary_pages
from metapool.pipeline.settings import WorkflowSettings
from metapool.versions.store import load_versions

# Defaults live in metapool.pipeline.settings (the schema documents the same values).
validate(config, schema="../schemas/config.schema.yaml", set_default=False)
WORKFLOW_SETTINGS = WorkflowSettings.from_config(config)


def load_review(cfg, data_dir):
    """Validated trial rows, analyses, and each analysis' selected rows; WorkflowError listing every problem."""
    if not Path(data_dir).is_dir():
        raise WorkflowError(
            f"Invalid input, nothing was run:\nconfig/config.yaml, key 'data_dir': "
            f"the folder {data_dir!r} does not exist (relative to {Path.cwd()}); "
            "set data_dir to the folder of the trial tables (data/raw)"
        )
    files = trial_files(data_dir)
    if not files:
        raise WorkflowError(f"no trial tables (*.csv) in {data_dir}")
    try:
        not_finite = bounds.nonfinite_keys(cfg)
        if not_finite:
            raise InputError(
                [
                    Problem(
                        "config/config.yaml",
                        None,
                        key,
                        "not a finite number (.nan/.inf)",
                    )
                    for key in not_finite
                ]
            )
        table = load_trials(files)
        rob = load_rob(
            rob_files(WORKFLOW_SETTINGS.rob_dir), table.rows
        ).raise_for_problems()
        analyses = analysis_defs.from_config(cfg)
        # One check for text that reaches a figure (metapool.inputs.glyphs): in the fonts, or an error.
        glyphs = figure_text_problems(
            [
                *trial_texts(table.rows),
                *rob_texts(rob.rows),
                *config_texts(analyses, "config/config.yaml"),
            ]
        )
        if glyphs:
            raise InputError(glyphs)
        index = analysis_defs.RowIndex(table.rows)
        selected = {a.name: analysis_defs.select(index, a) for a in analyses}
        problems = [
            p
            for a in analyses
            for p in analysis_defs.check_filter_values(a, index)
            + analysis_defs.check_selection(a, selected[a.name])
        ]
        try:
            networks, network_rows = network_defs.load(cfg, index)
        except InputError as err:
            problems += err.problems
        if problems:
            raise InputError(problems)
    except InputError as err:
        raise WorkflowError(f"Invalid input, nothing was run:\n{err}") from None
    if not files:
        raise WorkflowError(f"no trial tables (*.csv) in {data_dir}")
    return files, table, analyses, selected, networks, network_rows


TRIAL_FILES, TRIALS, ANALYSES, SELECTED, NETWORKS, NETWORK_ROWS = load_review(
    config, WORKFLOW_SETTINGS.data_dir
)
SETTINGS = {a.name: a.to_dict() for a in ANALYSES}
# What the report's captions say about each analysis (workflow/report/*.rst look it up by the job's
# analysis names). In the config, not in a param: Snakemake copies a job's params into the
# metadata record of every output (each table and figure of the analysis), which caption texts would make ~10 KB each.
config["report_captions"] = {a.name: captions.caption(a) for a in ANALYSES}
NETWORK_SETTINGS = {n.name: n.to_dict() for n in NETWORKS}


def network_trial_files(name):
    """The raw tables with rows in the network (adding or editing one reruns it, and only it)."""
    used = {r["file"] for r in NETWORK_ROWS[name]}
    return sorted(str(f) for f in TRIAL_FILES if str(f) in used)


def network_report_outputs(name):
    """The network job's outputs; its SVG figures are pages of the HTML report, under Networks."""
    out = network_job.outputs(name)
    for key, path in out.items():
        if key.endswith("_svg"):
            out[key] = report(
                path,
                caption="../report/network.rst",
                category="Networks",
                subcategory=NETWORK_SETTINGS[name]["title"],
                labels={"network": name, "figure": key[: -len("_svg")]},
            )
    return out


def all_network_outputs():
    return [network_job.outputs(name)["json"] for name in NETWORK_SETTINGS]


def check_search_record(records_file, data_dir):
    """Validate the search record (a few ms): a problem stops the run, like a bad trial table."""
    try:
        return load_search(records_file, data_dir)
    except InputError as err:
        raise WorkflowError(f"Invalid input, nothing was run:\n{err}") from None


check_search_record(WORKFLOW_SETTINGS.search_records, WORKFLOW_SETTINGS.data_dir)


def check_published_estimates(path, rows):
    """Validate data/validation/published.yaml against the trial tables' names and values."""
    try:
        return load_published(
            path,
            {r["trial"] for r in rows},
            {r["agent"] for r in rows},
            {r["comparator_class"] for r in rows},
        )
    except InputError as err:
        raise WorkflowError(f"Invalid input, nothing was run:\n{err}") from None


def check_versions(versions_file):
    """The published versions, read and verified (digests, structure) as every job reads them."""
    try:
        load_versions(versions_file)
    except InputError as err:
        raise WorkflowError(f"Invalid input, nothing was run:\n{err}") from None


check_published_estimates(WORKFLOW_SETTINGS.published_estimates, TRIALS.rows)


check_versions(WORKFLOW_SETTINGS.versions_file)


def check_lock(locks=Path(".snakemake") / "locks"):
    """A second run while one holds the lock: say so first. Snakemake checks for incomplete files
    before it takes its lock, so the second run would otherwise get IncompleteFilesException and
    advice (--rerun-incomplete) that only leads to the lock error. Dry runs take no lock.
    """
    held = sorted(locks.glob("*.lock")) if locks.is_dir() else []
    if (
        not held
        or not workflow.is_main_process
        or workflow.dryrun
        or "--unlock" in sys.argv
    ):
        return
    if not getattr(workflow.execution_settings, "lock", True):
        return
    raise WorkflowError(
        f"Directory cannot be locked: another Snakemake run in this directory holds "
        f"{held[0]}. Wait for it to finish. If no run is active (one was killed), "
        "remove the stale lock with `snakemake --unlock`, then run again."
    )


check_lock()
SUMMARY_PAGES = summary_pages.pages(ANALYSES)
BATCHES = analysis_defs.batches(
    [(page.id, page.analyses) for page in SUMMARY_PAGES], WORKFLOW_SETTINGS.batching
)


def batch_rule_name(stage, batch):
    """Rule name of a stage's job for one batch, e.g. pool_iloprost_vs_placebo_28d."""
    return f"{stage}_{batch.replace('-', '_')}"


def batch_trial_files(batch):
    """The raw tables that the batch's analyses draw rows from (adding or editing one reruns them)."""
    used = {r["file"] for name in BATCHES[batch] for r in SELECTED[name]}
    return sorted(str(f) for f in TRIAL_FILES if str(f) in used)


def batch_rob_files(batch):
    """The risk-of-bias tables of the batch's trials (data/rob/<slug>.csv where one exists)."""
    trials = {slugify(r["trial"]) for name in BATCHES[batch] for r in SELECTED[name]}
    return [
        str(f) for f in rob_files(WORKFLOW_SETTINGS.rob_dir) if Path(f).stem in trials
    ]


def batch_definitions(batch):
    """SHA-256 of the batch's analysis definitions (a param: editing one reruns the batch; the
    job rebuilds them from the config). Snakemake copies params into every output's metadata
    record: the definitions themselves made 260 MB of records to read at 1,000 analyses.
    """
    return analysis_defs.definitions_digest([SETTINGS[name] for name in BATCHES[batch]])


def all_digests():
    """Every analysis job's digest (pipeline.digests): what the across-analysis rules read."""
    return [layout.digest(batch) for batch in BATCHES]


def batch_pool_outputs(batch):
    """The analysis job's tables (pooled/living json+tsv, sof.md) of the batch, all pooled.json first.

    Order matters at scale: Snakemake finds a file's producer by matching it against each output of
    a rule in turn (a regex each), and the summary pages ask for pooled.json files.
    """
    return [
        layout.pool_outputs(name)[key]
        for key in layout.POOL_OUTPUTS
        for name in BATCHES[batch]
    ]


def report_figure(path, name, figure):
    """An analysis figure in the HTML report, under its analysis, with the figure's caption."""
    return report(
        path,
        caption=f"../report/{figure}.rst",
        category="Analyses",
        subcategory=SETTINGS[name]["title"],
        labels={"analysis": name, "figure": figure, "format": path.rsplit(".", 1)[1]},
    )


def batch_figure_outputs(batch):
    return [
        report_figure(path, name, figure) if ext in ("svg",) else path
        for name in BATCHES[batch]
        for figure, paths in layout.figure_outputs(name).items()
        for ext, path in paths.items()
    ]


def published_versions():
    """data/versions/versions.json once `metapool publish` has written it, else nothing."""
    path = Path(WORKFLOW_SETTINGS.versions_file)
    return [str(path)] if path.exists() else []


def all_pooled_json():
    return [layout.pool_outputs(name)["pooled_json"] for name in SETTINGS]


def search_queries_file():
    """queries.csv next to records.csv: the queries the records name."""
    return str(queries_path(WORKFLOW_SETTINGS.search_records))


def missing_job_outputs():
    """Declared outputs of the analysis jobs that do not exist (deleted, or a job killed before
    its atomic rename left only a .tmp): naming them as targets makes Snakemake rebuild them.
    Snakemake checks only the outputs something asks for, so a job whose digest is present would
    otherwise never rerun for its deleted pooled.json or forest.png."""
    return [
        path
        for batch in BATCHES
        for path in batch_pool_outputs(batch)
        + [
            p
            for name in BATCHES[batch]
            for ps in layout.figure_outputs(name).values()
            for p in ps.values()
        ]
        if not os.path.exists(path)
    ]


def all_outputs():
    """Targets of the default rule: each analysis job's digest, its missing outputs, the summaries
    and the trial table.

    The digest is the job's first output, so finding its producer is one match; listing all 13
    files of 1,000 analyses instead costs Snakemake seconds of producer lookups on every run,
    no-op included. A stat per output (missing_job_outputs) costs milliseconds, and names only
    the missing ones: their jobs rerun.
    """
    return (
        all_digests()
        + missing_job_outputs()
        + list(layout.SUMMARY.values())
        + [layout.summary_forest_page(page.id)["svg"] for page in SUMMARY_PAGES]
        + list(layout.SOF.values())
        + list(layout.PRISMA.values())
        + list(layout.CHANGES.values())
        + list(layout.VALIDATION.values())
        + all_network_outputs()
    )
