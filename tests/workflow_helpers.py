"""Run the Snakemake workflow in a temporary copy of the repository and inspect what it did.

Shared by tests/test_workflow_living.py, tests/test_workflow_faults.py and
tests/test_config_validation.py. A clean run is made once per test session (``clean_run``) and
each scenario works on a copy of it (``copy_tree``, which keeps file mtimes so Snakemake sees
the copy as up to date).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_PARTS = ("Snakefile", "workflow", "config", "profiles", "data/raw", "data/search", "data/validation")
IGNORED = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
TIMEOUT = 600

_CLEAN_RUN: dict[str, Path] = {}


def make_copy(dest: Path, published: bool = False) -> Path:
    """A fresh copy of the workflow (Snakefile, workflow/, config/, profiles/, data/raw/, data/search/) without results;
    ``published`` adds data/versions/ (the review's published versions, as in a clean checkout)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS + (("data/versions",) if published else ()):
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=IGNORED, symlinks=False, copy_function=shutil.copy2)
        else:
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / part)
    return dest


def copy_tree(src: Path, dest: Path) -> Path:
    """Copy a workflow directory with its results/ and .snakemake/ state, mtimes preserved."""
    shutil.copytree(src, dest, symlinks=False, copy_function=shutil.copy2)
    return dest


def snakemake(workdir: Path, *args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """Run ``python -m snakemake --cores 2`` in ``workdir``; stdout and stderr merged into .stdout."""
    return subprocess.run(command(workdir, *args), cwd=workdir, env=environment(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)


def command(workdir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--cores", "2", "--directory", str(workdir), *args]


def environment() -> dict[str, str]:
    """The test's environment, with this interpreter's bin/ first (the jobs' `python`)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_ok(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """A Snakemake run that must succeed; on failure the assertion shows its output and job logs."""
    proc = snakemake(workdir, *args)
    assert proc.returncode == 0, f"snakemake {' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{job_logs(workdir)}"
    return proc


def job_logs(workdir: Path) -> str:
    """The tail of every job log under logs/ (for assertion messages)."""
    logs = sorted((workdir / "logs").rglob("*.log")) if (workdir / "logs").is_dir() else []
    return "\n".join(f"--- {p.relative_to(workdir)}\n{p.read_text(errors='replace')[-2000:]}" for p in logs)


def clean_run(tmp_path_factory) -> Path:
    """A clean run of the repository's workflow, made once per test session; copy it, never modify it."""
    if "path" not in _CLEAN_RUN:
        workdir = make_copy(tmp_path_factory.mktemp("clean-run"))
        run_ok(workdir)
        _CLEAN_RUN["path"] = workdir
    return _CLEAN_RUN["path"]


JOB_ROW = re.compile(r"^(\S+)\s+(\d+)$")


def planned_jobs(workdir: Path, *args: str) -> dict[str, int]:
    """Rule -> number of jobs a dry run would run (its "Job stats:" table); {} when nothing is to be done."""
    proc = run_ok(workdir, "--dry-run", "--quiet", "rules", *args)
    return parse_job_stats(proc.stdout)


def parse_job_stats(text: str) -> dict[str, int]:
    if "Job stats:" not in text:
        assert "Nothing to be done" in text, text[-3000:]
        return {}
    table = text.split("Job stats:", 1)[1]
    jobs = {}
    for line in table.splitlines()[3:]:
        m = JOB_ROW.match(line.strip())
        if not m:
            break
        if m.group(1) != "total":
            jobs[m.group(1)] = int(m.group(2))
    return jobs


def analysis_jobs(analyses) -> set[str]:
    """The rule names of the given analyses' jobs (one job per analysis up to batching.one_job_each_up_to)."""
    return {f"analyse_{name.replace('-', '_')}" for name in analyses}


def snapshot(workdir: Path, sub: str = "results") -> dict[str, tuple[str, int]]:
    """Every file under ``workdir/sub``: relative path -> (SHA-256 of its bytes, mtime in ns)."""
    root = workdir / sub
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[p.relative_to(root).as_posix()] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


def contents(snap: dict[str, tuple[str, int]]) -> dict[str, str]:
    """A snapshot without mtimes: relative path -> SHA-256."""
    return {k: v[0] for k, v in snap.items()}


def under(snap: dict, analysis: str) -> dict:
    """The part of a snapshot (or of its contents()) that belongs to one analysis (results/<analysis>/...)."""
    return {k: v for k, v in snap.items() if k.startswith(f"{analysis}/")}


def temp_files(workdir: Path) -> list[str]:
    """Leftovers of atomic writes (.<name>.<random>.tmp) under results/."""
    return sorted(p.relative_to(workdir).as_posix() for p in (workdir / "results").rglob(".*.tmp"))


def pooled(workdir: Path, analysis: str) -> dict:
    return json.loads((workdir / "results" / analysis / "pooled.json").read_text(encoding="utf-8"))


def pooled_tsv(workdir: Path, analysis: str) -> str:
    return (workdir / "results" / analysis / "pooled.tsv").read_text(encoding="utf-8")


def analyses(workdir: Path) -> list[str]:
    """Analysis names of the copy's config, in config order."""
    import yaml

    with open(workdir / "config" / "config.yaml", encoding="utf-8") as fh:
        return list(yaml.safe_load(fh)["analyses"])


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict], header: list[str]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


def header_of(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def edit_cell(path: Path, match: dict, column: str, value: str) -> None:
    """Set ``column`` to ``value`` in the one row of a raw table whose cells equal ``match``."""
    rows = read_rows(path)
    hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, f"{path}: {len(hits)} rows match {match}"
    hits[0][column] = value
    write_rows(path, rows, header_of(path))


def synthetic_row(template: Path, **changes: str) -> dict:
    """A row with a real table's columns (taken from its first row), changed as given; for test data only."""
    return {**read_rows(template)[0], **changes}
