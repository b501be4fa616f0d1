"""Workflow scale benchmark: N synthetic analyses through Snakemake on --cores 2, against the floor.

For N in (10, 100, 1000) by default it builds, in a temporary directory, 2N synthetic trial tables
(trial t in population pop-(t mod N)) and N analyses (analysis i selects populations i, i+1, i+2,
so k = 6 and each trial enters 3 analyses), then measures:
  clean   the whole workflow from nothing
  no-op   a second run with nothing changed
  +trial  the run after adding one trial (it enters 3 analyses)
  floor   the same pooling and drawing in one process without Snakemake (metapool.jobs.run_pool
          and run_plot on all analyses at once)
and prints seconds, seconds per analysis, the clean/floor ratio and peak memory.
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
HEADER = ("trial,first_author,year,journal,doi,pmid,agent,agent_class,comparator,comparator_class,"
          "population,outcome,timepoint_days,events_trt,total_trt,events_ctl,total_ctl,rr,rr_lower,"
          "rr_upper,status,quote,source")


def trial_csv(t: int, population: str, rng: random.Random) -> tuple[str, str]:
    """(file name, CSV text) of synthetic trial t."""
    name = f"SYN-{t:05d}"
    n1, n2 = rng.randint(40, 400), rng.randint(40, 400)
    p = rng.uniform(0.2, 0.5)
    e1 = min(n1, max(0, round(n1 * p * rng.uniform(0.7, 1.2))))
    e2 = min(n2, max(0, round(n2 * p)))
    row = (f"{name},Synth,{2000 + t % 25},Synthetic Journal,,,synthetic agent,catecholamine,placebo,"
           f"placebo,{population},all-cause mortality,28,{e1},{n1},{e2},{n2},,,,verbatim,"
           f"\"synthetic benchmark row {t}\",benchmark")
    return f"{name.lower()}.csv", HEADER + "\n" + row + "\n"


def build(root: Path, n: int) -> None:
    """Workflow files, 2n trial tables and a config with n analyses under ``root``."""
    shutil.copy(REPO / "Snakefile", root / "Snakefile")
    shutil.copytree(REPO / "workflow", root / "workflow", ignore=shutil.ignore_patterns("__pycache__"))
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    rng = random.Random(20261125)
    for t in range(2 * n):
        fname, text = trial_csv(t, f"pop-{t % n}", rng)
        (raw / fname).write_text(text)
    analyses = {
        f"a{i:04d}": {"title": f"Synthetic analysis {i}",
                      "filter": {"outcome": "all-cause mortality", "timepoint_days": 28,
                                 "population": [f"pop-{(i + d) % n}" for d in range(3)]}}
        for i in range(n)
    }
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["analyses"] = analyses
    # A few of these random tables need more than metafor's 100 Fisher-scoring steps of length 1
    # for REML (the pool job then stops, as rma() would); the benchmark measures the workflow,
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
from metapool.pipeline.jobs import run_plot, run_pool
from metapool.inputs.trials import trial_files
t0 = time.perf_counter()
cfg = yaml.safe_load(Path("config/config.yaml").read_text())
settings = [a.to_dict() for a in A.from_config(cfg)]
run_pool([str(f) for f in trial_files("data/raw")], settings)
run_plot(settings)
print(time.perf_counter() - t0)
"""


def floor(root: Path) -> float:
    """The same pooling and drawing in one process, into a copy without Snakemake."""
    out = subprocess.run([sys.executable, "-c", FLOOR], cwd=root, check=True, capture_output=True,
                         text=True, env=code_env(root))
    return float(out.stdout.strip().splitlines()[-1])


def measure(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "wf"
        root.mkdir()
        build(root, n)
        floor_root = Path(tmp) / "floor"
        shutil.copytree(root, floor_root)
        clean = snakemake(root)
        noop = snakemake(root)
        fname, text = trial_csv(2 * n, "pop-1", random.Random(1))
        (root / "data" / "raw" / fname).write_text(text)
        add = snakemake(root)
        flo = floor(floor_root)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"n": n, "clean": clean, "noop": noop, "add": add, "floor": flo, "peak_mb": peak}


def main(argv: list[str]) -> None:
    ns = [int(a) for a in argv] or [10, 100, 1000]
    print(f"{'N':>6} {'clean s':>9} {'s/analysis':>10} {'floor s':>8} {'clean/floor':>11} "
          f"{'no-op s':>8} {'+trial s':>9} {'peak MB':>8}")
    for n in ns:
        r = measure(n)
        print(f"{r['n']:>6} {r['clean']:>9.1f} {r['clean'] / n:>10.3f} {r['floor']:>8.1f} "
              f"{r['clean'] / r['floor']:>11.2f} {r['noop']:>8.2f} {r['add']:>9.2f} {r['peak_mb']:>8.0f}",
              flush=True)
    print(f"cores: {os.cpu_count()}; goals at N=1000: clean < 180 s and < 2x floor, +trial < 15 s, no-op < 3 s")


if __name__ == "__main__":
    main(sys.argv[1:])
