# Parse-time work: validate the config and every trial table (all problems at once, before any
# job runs), select each analysis' rows, and group analyses into jobs.

import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))
import common  # noqa: F401  (makes metapool importable from workflow/, as in every job script)

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from metapool.errors import InputError
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

# Defaults live in metapool.pipeline.settings (the schema documents the same values).
validate(config, schema="../schemas/config.schema.yaml", set_default=False)
WORKFLOW_SETTINGS = WorkflowSettings.from_config(config)


def load_review(cfg, data_dir):
    """Validated trial rows, analyses, and each analysis' selected rows; WorkflowError listing every problem."""
    try:
        files = trial_files(data_dir)
        table = load_trials(files)
        load_rob(rob_files(WORKFLOW_SETTINGS.rob_dir), table.rows).raise_for_problems()
        analyses = analysis_defs.from_config(cfg)
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
# metadata record of every output (13 per analysis), which caption texts would make ~10 KB each.
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


check_published_estimates(WORKFLOW_SETTINGS.published_estimates, TRIALS.rows)
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


def all_outputs():
    """Targets of the default rule: each analysis job's digest, the summaries and the trial table.

    Naming one output per job is enough: Snakemake reruns a job when any of its outputs is missing
    or stale. The digest is the job's first output, so finding its producer is one match; listing
    all 13 files of 1,000 analyses instead costs Snakemake seconds of producer lookups on every
    run, no-op included.
    """
    return (
        all_digests()
        + list(layout.SUMMARY.values())
        + [layout.summary_forest_page(page.id)["svg"] for page in SUMMARY_PAGES]
        + list(layout.SOF.values())
        + list(layout.PRISMA.values())
        + list(layout.CHANGES.values())
        + list(layout.VALIDATION.values())
        + all_network_outputs()
    )
