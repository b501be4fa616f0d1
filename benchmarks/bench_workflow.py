"""Workflow scale benchmark: N synthetic analyses through Snakemake on --cores 2, against the floor.

For N in (10, 100, 1000) by default it builds, in a temporary directory, 2N synthetic trial tables
(trial t in population pop-(t mod N)) and N analyses (analysis i selects populations i, i+1, i+2,
so k = 6 and each trial enters 3 analyses), then measures, side by side in one run:
  clean   the whole workflow from nothing
  no-op   a second run with nothing changed
  +trial  the run after adding one trial (it enters 3 analyses)
  floor   the same pooling and drawing in one process without Snakemake (pipeline.jobs.run_analyses
          on all analyses at once)
  bare    a bare Snakemake DAG of the same shape (the same analysis jobs with the same output
          files, as many across-analysis jobs, each job only touching its outputs): Snakemake's
          own cost for this workflow's shape
  R loop  metafor rma + forest (svg, png, pdf) + cumul + leave1out + funnel per analysis, one
          core, when Rscript with metafor is installed (else "skipped")
and prints seconds, seconds per analysis, the ratios and peak memory.
Not a test: it prints. Usage: python benchmarks/bench_workflow.py [N ...]
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow"))
from metapool.inputs.trials import columns  # noqa: E402

HEADER = ",".join(columns())


def trial_csv(t: int, population: str, rng: random.Random) -> tuple[str, str]:
    """(file name, CSV text) of synthetic trial t (the trial-table columns of the schema)."""
    name = f"SYN-{t:05d}"
    n1, n2 = rng.randint(40, 400), rng.randint(40, 400)
    p = rng.uniform(0.2, 0.5)
    e1 = min(n1, max(0, round(n1 * p * rng.uniform(0.7, 1.2))))
    e2 = min(n2, max(0, round(n2 * p)))
    cells = {"trial": name, "first_author": "Synth", "year": 2000 + t % 25, "journal": "Synthetic Journal",
             "agent": "synthetic agent", "agent_class": "catecholamine", "comparator": "placebo",
             "comparator_class": "placebo", "role": "adjunct", "population": population,
             "septic_shock_only": "yes", "blinding": "double-blind", "outcome": "all-cause mortality",
             "timepoint_days": 28, "events_trt": e1, "total_trt": n1, "events_ctl": e2, "total_ctl": n2,
             "status": "verbatim", "quote": f"\"synthetic benchmark row {t}\"", "source": "benchmark",
             "source_kind": "primary"}
    row = ",".join(str(cells.get(c, "")) for c in columns())
    return f"{name.lower()}.csv", HEADER + "\n" + row + "\n"


RECORD_HEADER = ("record_id,trial,study,citation,comparison,pmid,doi,registry_id,identified_in,source,url,search,"
                 "query_ids,duplicate_of,screening,eligibility,reason,data_file,table_added,note")


def record_row(t: int, fname: str) -> str:
    """The synthetic trial's search record (data/search/records.csv), included with its table."""
    return (f"SYN{t:05d},SYN-{t:05d},,\"Synth {2000 + t % 25}, Synthetic Journal\",synthetic agent vs placebo,,,,"
            f"database,PubMed,https://example.org/syn{t},vasopressors,V01,,included,included,,{fname},yes,"
            "synthetic benchmark record")


def build(root: Path, n: int) -> None:
    """Workflow files, 2n trial tables and a config with n analyses under ``root``."""
    shutil.copy(REPO / "Snakefile", root / "Snakefile")
    shutil.copytree(REPO / "workflow", root / "workflow", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "profiles" / "default", root / "profiles" / "default")
    search = root / "data" / "search"
    search.mkdir(parents=True)
    shutil.copy(REPO / "data" / "search" / "queries.csv", search / "queries.csv")
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    validation = root / "data" / "validation"  # no published estimate of the synthetic comparisons
    validation.mkdir(parents=True)
    (validation / "published.yaml").write_text("aliases: {}\nestimates: []\n")
    rng = random.Random(20261125)
    records = [RECORD_HEADER]
    for t in range(2 * n):
        fname, text = trial_csv(t, f"pop-{t % n}", rng)
        (raw / fname).write_text(text)
        records.append(record_row(t, fname))
    (search / "records.csv").write_text("\n".join(records) + "\n")
    analyses = {
        f"a{i:04d}": {"title": f"Synthetic analysis {i}",
                      "filter": {"outcome": "all-cause mortality", "timepoint_days": 28,
                                 "population": [f"pop-{(i + d) % n}" for d in range(3)]}}
        for i in range(n)
    }
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["analyses"] = analyses
    config["networks"] = {}  # the review's network names agents the synthetic trials do not have
    # A few of these random tables need more than metafor's 100 Fisher-scoring steps of length 1
    # for REML (the analysis job then stops, as rma() would); the benchmark measures the workflow,
    # so it fits with the step and iterations that converge on all of them.
    config.setdefault("defaults", {})["control"] = {"stepadj": 0.5, "maxiter": 1000}
    (root / "config").mkdir()
    (root / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def code_env(root: Path) -> dict:
    """The environment with the copy's workflow/ first on the path: job scripts unpickle their
    parameters (metapool objects) before workflow/scripts/common can put it there, so without
    this they would import whatever metapool the interpreter has installed."""
    return {**os.environ, "PYTHONPATH": str(root / "workflow")}


def snakemake(root: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all"],
                          cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=code_env(root))
    if proc.returncode:
        raise SystemExit(f"snakemake failed in {root}:\n{proc.stderr[-4000:]}")
    return time.perf_counter() - t0


FLOOR = """
import sys, time, yaml
from pathlib import Path
from metapool.pipeline import analyses as A
from metapool.pipeline.jobs import run_analyses
from metapool.inputs.trials import trial_files
t0 = time.perf_counter()
cfg = yaml.safe_load(Path("config/config.yaml").read_text())
settings = [a.to_dict() for a in A.from_config(cfg)]
run_analyses([str(f) for f in trial_files("data/raw")], settings)
print(time.perf_counter() - t0)
"""


def floor(root: Path) -> float:
    """The same pooling and drawing in one process, into a copy without Snakemake."""
    out = subprocess.run([sys.executable, "-c", FLOOR], cwd=root, check=True, capture_output=True,
                         text=True, env=code_env(root))
    return float(out.stdout.strip().splitlines()[-1])


BARE = """
import json, os
BATCH = json.loads({batches!r})
PER = {per}
AGGREGATES = {aggregates}
OUT = {{b: [f"results/{{a}}/f{{i}}" for a in names for i in range(PER)] for b, names in BATCH.items()}}
TRIALS = [f"data/raw/{{f}}" for f in sorted(os.listdir("data/raw")) if f.endswith(".csv")]

rule all:
    input: [OUT[b][0] for b in BATCH], [f"results/agg{{i}}" for i in range(AGGREGATES)]

for b in BATCH:
    rule:
        name: f"analyse_{{b}}"
        input: TRIALS[:6]
        output: OUT[b]
        shell: "touch {{output}}"

for i in range(AGGREGATES):
    rule:
        name: f"agg_{{i}}"
        input: [OUT[b][0] for b in BATCH]
        output: f"results/agg{{i}}"
        shell: "touch {{output}}"
"""


def planned_jobs(root: Path) -> dict[str, int]:
    """The workflow's jobs by rule from a dry run (its Job stats table)."""
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "-n", "all"], cwd=root,
                          capture_output=True, text=True, env=code_env(root), check=True)
    table = proc.stdout.split("Job stats:", 1)[1].splitlines()[3:]
    rows = [line.split() for line in table if len(line.split()) == 2 and line.split()[1].isdigit()]
    return {name: int(count) for name, count in rows if name != "total"}


def bare(root: Path) -> float:
    """A bare Snakemake DAG of the workflow's shape (its analysis jobs and their output files, as
    many across-analysis jobs), in ``root``."""
    import json

    from metapool.pipeline import analyses, paths, summary_pages
    from metapool.pipeline.settings import WorkflowSettings

    cfg = yaml.safe_load((root / "config" / "config.yaml").read_text())
    pages = [(p.id, p.analyses) for p in summary_pages.pages(analyses.from_config(cfg))]
    jobs = analyses.batches(pages, WorkflowSettings.from_config(cfg).batching)
    per = len(paths.POOL_OUTPUTS) + sum(len(v) for v in paths.FIGURES.values())
    planned = planned_jobs(root)
    aggregates = sum(planned.values()) - len(jobs) - 1
    assert sum(n for name, n in planned.items() if name.startswith("analyse_")) == len(jobs), planned
    (root / "Snakefile").write_text(BARE.format(batches=json.dumps(jobs), per=per, aggregates=aggregates))
    shutil.rmtree(root / "workflow", ignore_errors=True)
    return snakemake(root)


R_LOOP = r"""
suppressMessages(library(metafor))
files <- list.files("data/raw", full.names = TRUE)
rows <- do.call(rbind, lapply(files, function(f) read.csv(f, stringsAsFactors = FALSE)))
analyses <- yaml_pops
dir.create("rout", showWarnings = FALSE)
t0 <- proc.time()[["elapsed"]]
for (i in seq_along(analyses)) {
  d <- rows[rows$population %in% analyses[[i]], ]
  m <- rma(measure = "RR", ai = events_trt, n1i = total_trt, ci = events_ctl, n2i = total_ctl, data = d, test = "knha",
           control = list(stepadj = 0.5, maxiter = 1000))
  base <- file.path("rout", sprintf("a%04d", i))
  svg(paste0(base, ".svg")); forest(m); dev.off()
  png(paste0(base, ".png"), width = 1800, height = 1200, res = 200); forest(m); dev.off()
  pdf(paste0(base, ".pdf")); forest(m); dev.off()
  cumul(m); leave1out(m)
  svg(paste0(base, "_funnel.svg")); funnel(m); dev.off()
}
cat(proc.time()[["elapsed"]] - t0, "
")
"""


def r_loop(root: Path, n: int) -> float | None:
    """Seconds of the R metafor loop on the same analyses; None when Rscript/metafor is missing."""
    if shutil.which("Rscript") is None:
        return None
    check = subprocess.run(["Rscript", "-e", "library(metafor)"], capture_output=True)
    if check.returncode != 0:
        return None
    pops = ", ".join(f"c({', '.join(repr(f'pop-{(i + d) % n}') for d in range(3))})" for i in range(n))
    script = root / "loop.R"  # a file: Rscript -e truncates long expressions (N = 1,000)
    script.write_text(R_LOOP.replace("yaml_pops", f"list({pops})").replace("'", '"'))
    out = subprocess.run(["Rscript", str(script)], cwd=root, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def measure(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "wf"
        root.mkdir()
        build(root, n)
        floor_root = Path(tmp) / "floor"
        shutil.copytree(root, floor_root)
        bare_root = Path(tmp) / "bare"
        shutil.copytree(root, bare_root)
        r_root = Path(tmp) / "r"
        shutil.copytree(root, r_root)
        clean = snakemake(root)
        noop = snakemake(root)
        fname, text = trial_csv(2 * n, "pop-1", random.Random(1))
        (root / "data" / "raw" / fname).write_text(text)
        add = snakemake(root)
        flo = floor(floor_root)
        bar = bare(bare_root)
        rl = r_loop(r_root, n)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"n": n, "clean": clean, "noop": noop, "add": add, "floor": flo, "bare": bar, "r": rl, "peak_mb": peak}


def main(argv: list[str]) -> None:
    ns = [int(a) for a in argv] or [10, 100, 1000]
    print(f"{'N':>6} {'clean s':>9} {'s/analysis':>10} {'floor s':>8} {'clean/floor':>11} {'bare s':>7} "
          f"{'clean/bare':>10} {'no-op s':>8} {'+trial s':>9} {'R loop s':>9} {'ours x cores/R':>14} {'peak MB':>8}")
    cores = 2
    for n in ns:
        r = measure(n)
        vs_r = "skipped" if r["r"] is None else f"{(r['clean'] / n * cores) / (r['r'] / n):.2f}"
        r_s = "skipped" if r["r"] is None else f"{r['r']:.1f}"
        print(f"{r['n']:>6} {r['clean']:>9.1f} {r['clean'] / n:>10.3f} {r['floor']:>8.1f} "
              f"{r['clean'] / r['floor']:>11.2f} {r['bare']:>7.1f} {r['clean'] / r['bare']:>10.2f} "
              f"{r['noop']:>8.2f} {r['add']:>9.2f} {r_s:>9} {vs_r:>14} {r['peak_mb']:>8.0f}", flush=True)
    print(f"cores: {os.cpu_count()} (--cores {cores}); goals at N=1000: clean < 180 s and < 2x floor, +trial < 15 s, "
          "no-op < 3 s; N=100: clean < 30 s and < 2x bare; workflow s/analysis x cores <= the R loop's s/analysis")


if __name__ == "__main__":
    main(sys.argv[1:])
