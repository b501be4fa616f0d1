"""Cost per analysis of pooling (pipeline.jobs.write_tables for each analysis, or run_pool before
the analysis job also drew) and of its parts, timed inside it:
pooled_result (pool_studies and the restricted sensitivity analyses), living_result (run_living)
and, within that, the trial sequential analysis; for N synthetic k = 6 analyses built by
bench_workflow.build (risk ratio, REML + HKSJ), in one process, CPU time (other load on the
machine counts less). It also reads the trial tables and writes every table.

With ``--against REV`` the same is timed for the code of git revision REV (its workflow/ by
``git archive``) on the same analyses, the two alternated, and the ratios REV / this tree are
printed: before and after a change, measured in the same run. Each figure is the best of
``--rounds`` processes. Not a test: it prints.

Usage: python benchmarks/bench_pool.py [N] [--against REV] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from bench_workflow import REPO, build

TIMING = """
import json, time, yaml
from pathlib import Path
from metapool.pipeline import analyses as A, jobs
from metapool.inputs.trials import trial_files
import metapool.living.run as living_run
try:
    from metapool.pipeline import analysis_result
except ImportError:  # a commit before the analysis object
    analysis_result = None

seconds = {}
def timed(module, name, key):
    f = getattr(module, name)
    def g(*args, **kwargs):
        t0 = time.process_time()
        try:
            return f(*args, **kwargs)
        finally:
            seconds[key] = seconds.get(key, 0.0) + time.process_time() - t0
    setattr(module, name, g)
if hasattr(jobs, "write_tables"):  # one job pools and draws (jobs.run_analyses): its pooling part
    from metapool.inputs.trials import load_trials
    from metapool.pipeline.settings import AnalysisSettings

    def run_pool(files, settings):
        rows = load_trials(files).rows
        for s in settings:
            jobs.write_tables(AnalysisSettings.from_dict(s), rows, None)
    jobs.run_pool = run_pool
timed(jobs, "run_pool", "run_pool")
steps = analysis_result if analysis_result is not None else jobs  # where the steps live at the commit measured
timed(steps, "pooled_result", "pooled_result")
timed(steps, "living_result", "living_result")
timed(living_run, "trial_sequential_analysis", "tsa")

settings = [a.to_dict() for a in A.from_config(yaml.safe_load(Path("config/config.yaml").read_text()))]
files = [str(f) for f in trial_files("data/raw")]
jobs.run_pool(files, settings)  # warm-up: imports, caches
seconds.clear()
jobs.run_pool(files, settings)
print(json.dumps({k: 1000 * seconds[k] / len(settings) for k in ("run_pool", "pooled_result", "living_result", "tsa")}))
"""


def workflow_of(rev: str, into: Path) -> Path:
    """REV's workflow/ directory, extracted under ``into``."""
    tar = subprocess.run(["git", "-C", str(REPO), "archive", rev, "workflow"], check=True,
                         capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(tar)) as t:
        t.extractall(into, filter="data")
    return into / "workflow"


def timings(root: Path, code: Path) -> dict[str, float]:
    """CPU ms per analysis of the code in ``code`` (a workflow/ directory) on the analyses in ``root``."""
    out = subprocess.run([sys.executable, "-c", TIMING], cwd=root, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(code)})
    if out.returncode:
        sys.exit(f"timing {code} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n", nargs="?", type=int, default=100)
    p.add_argument("--against", help="a git revision to time too, alternated with this tree")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "wf"
        root.mkdir()
        build(root, args.n)
        codes = {"this tree": REPO / "workflow"}
        if args.against:
            codes[args.against] = workflow_of(args.against, Path(tmp) / "rev")
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.rounds):
            for name, code in codes.items():
                t = timings(root, code)
                best[name] = {k: min(v, best.get(name, {}).get(k, v)) for k, v in t.items()}
    keys = list(best["this tree"])
    print(f"N = {args.n} synthetic analyses (k = 6); CPU ms per analysis, best of {args.rounds}")
    print(f"{'':>16}" + "".join(f"{k:>15}" for k in keys))
    for name, t in best.items():
        print(f"{name:>16}" + "".join(f"{t[k]:>15.2f}" for k in keys))
    if args.against:
        ratio = {k: best[args.against][k] / best["this tree"][k] for k in keys}
        print(f"{'ratio':>16}" + "".join(f"{ratio[k]:>15.2f}" for k in keys))


if __name__ == "__main__":
    main(sys.argv[1:])
