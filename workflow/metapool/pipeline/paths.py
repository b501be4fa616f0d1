"""Where the workflow's outputs live: one place for the Snakefile and the job scripts."""

from __future__ import annotations

RESULTS = "results"

POOL_OUTPUTS = {
    "pooled_json": "pooled.json",
    "pooled_tsv": "pooled.tsv",
    "living_json": "living.json",
    "living_tsv": "living.tsv",
    "sof_md": "sof.md",
}
# The forest plot is the publication figure: SVG, PNG (300 dpi) and PDF. The living-review
# figures are SVG only: vector, editable, shown by the HTML report, and a third of the cost of
# adding a 300-dpi PNG (rasterising text dominates drawing time at 1,000 analyses).
FIGURES = {
    "forest": ("svg", "png", "pdf"),
    "cumulative": ("svg",),
    "leave1out": ("svg",),
    "funnel": ("svg",),
    "tsa": ("svg",),
    "versions": ("svg",),
    "rob_summary": ("svg",),
    "rob_summary_weight": ("svg",),
    "rob_traffic_light": ("svg",),
}
SUMMARY = {
    "summary_tsv": f"{RESULTS}/summary.tsv",
    "summary_forest_index": f"{RESULTS}/summary_forest/index.md",
    "trials_tsv": f"{RESULTS}/trials.tsv",
}
SOF = {
    "tsv": f"{RESULTS}/sof.tsv",
    "md": f"{RESULTS}/sof.md",
    "html": f"{RESULTS}/sof.html",
}
# The PRISMA 2020 flow diagram of the search record (data/search/records.csv).
PRISMA = {"svg": f"{RESULTS}/prisma.svg"}
# The reconciliation with published meta-analyses (data/validation/published.yaml).
VALIDATION = {
    "json": f"{RESULTS}/validation.json",
    "md": f"{RESULTS}/validation.md",
    "html": f"{RESULTS}/validation.html",
}
CHANGES = {
    "json": f"{RESULTS}/changes.json",
    "md": f"{RESULTS}/changes.md",
    "html": f"{RESULTS}/changes.html",
}


def analysis_dir(name: str) -> str:
    return f"{RESULTS}/{name}"


def pool_outputs(name: str) -> dict[str, str]:
    """Tables the analysis job writes for one analysis."""
    return {key: f"{analysis_dir(name)}/{leaf}" for key, leaf in POOL_OUTPUTS.items()}


def figure_outputs(name: str) -> dict[str, dict[str, str]]:
    """Figures the analysis job draws for one analysis: {figure: {format: path}}."""
    return {fig: {ext: f"{analysis_dir(name)}/{fig}.{ext}" for ext in exts} for fig, exts in FIGURES.items()}


def digest(batch: str) -> str:
    """The analysis job's digest of its batch (pipeline.digests)."""
    return f"{RESULTS}/digests/{batch}.json"


def summary_forest_page(page_id: str) -> dict[str, str]:
    """The files of one page of the summary forest plot (pipeline.summary_pages)."""
    return {ext: f"{RESULTS}/summary_forest/{page_id}.{ext}" for ext in ("svg", "png", "pdf")}
