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
# The forest plot is the publication figure: SVG, PNG (200 dpi) and PDF. The living-review
# figures are SVG only: vector, editable, shown by the HTML report, and a third of the cost of
# adding a 200-dpi PNG (rasterising text dominates drawing time at 1,000 analyses).
FIGURES = {
    "forest": ("svg", "png", "pdf"),
    "cumulative": ("svg",),
    "leave1out": ("svg",),
    "funnel": ("svg",),
    "tsa": ("svg",),
    "versions": ("svg",),
    "rob_summary": ("svg",),
    "rob_traffic_light": ("svg",),
}
SUMMARY = {
    "summary_tsv": f"{RESULTS}/summary.tsv",
    "summary_forest_svg": f"{RESULTS}/summary_forest.svg",
    "summary_forest_png": f"{RESULTS}/summary_forest.png",
    "summary_forest_pdf": f"{RESULTS}/summary_forest.pdf",
    "trials_tsv": f"{RESULTS}/trials.tsv",
}
SOF = {
    "tsv": f"{RESULTS}/sof.tsv",
    "md": f"{RESULTS}/sof.md",
    "html": f"{RESULTS}/sof.html",
}
# The PRISMA 2020 flow diagram of the search record (data/search/records.csv).
PRISMA = {"svg": f"{RESULTS}/prisma.svg"}
CHANGES = {
    "json": f"{RESULTS}/changes.json",
    "md": f"{RESULTS}/changes.md",
    "html": f"{RESULTS}/changes.html",
}


def analysis_dir(name: str) -> str:
    return f"{RESULTS}/{name}"


def pool_outputs(name: str) -> dict[str, str]:
    """Tables the pooling stage writes for one analysis."""
    return {key: f"{analysis_dir(name)}/{leaf}" for key, leaf in POOL_OUTPUTS.items()}


def figure_outputs(name: str) -> dict[str, dict[str, str]]:
    """Figures the plotting stage writes for one analysis: {figure: {format: path}}."""
    return {fig: {ext: f"{analysis_dir(name)}/{fig}.{ext}" for ext in exts} for fig, exts in FIGURES.items()}
