"""The workflow through a real SLURM cluster gives the same bytes as a local run.

Runs the repository's workflow twice on copies of it: locally (`snakemake --cores 2`) and through
snakemake-executor-plugin-slurm with the shipped profile (`--workflow-profile profiles/slurm`),
then compares every file under results/ byte for byte. Needs a cluster that answers `sinfo`
(.ci/slurm-up.sh brings up a single-node one; .ci/slurm-test.sh does it all); the test never
starts daemons itself. It runs only when selected (`pytest -m slurm`), or when
METAPOOL_REQUIRE_SLURM=1, which also turns "no cluster" into a failure instead of a skip.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workflow_helpers import WORKFLOW_PARTS

pytestmark = pytest.mark.slurm

REPO = Path(__file__).resolve().parents[1]
COPIED = WORKFLOW_PARTS  # what the workflow reads (one list, shared with the end-to-end tests)
TIMEOUT = 600  # seconds per snakemake run; the whole test takes about 1.5 minutes here
# Test-only plugin settings on top of profiles/slurm: the CI cluster has no accounting database
# (so no sacct; squeue instead, MinJobAge=300 in .ci/slurm-up.sh), and the first status check
# comes after 5 s instead of the plugin's 40 s.
SLURM_TEST_ARGS = (
    "--slurm-status-command", "squeue",
    "--slurm-init-seconds-before-status-checks", "5",
    "--latency-wait", "5",
    "--jobs", "8",
)


def cluster_state() -> str | None:
    """Why no SLURM cluster answers, or None when `sinfo` reports a usable node."""
    if shutil.which("sinfo") is None or shutil.which("scontrol") is None:
        return "no `sinfo`/`scontrol` on PATH (SLURM client not installed)"
    try:
        # `scontrol ping` answers at once; `sinfo` retries for 10 s when no controller runs.
        ping = subprocess.run(["scontrol", "ping"], capture_output=True, text=True, timeout=20)
        if ping.returncode != 0:
            said = (ping.stdout.strip() or ping.stderr.strip()).splitlines()[:1]
            return f"no controller answers (`scontrol ping`: {' '.join(said) or ping.returncode})"
        out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired as err:
        return f"`{' '.join(err.cmd)}` did not answer within 20 s"
    if out.returncode != 0:
        return f"`sinfo` failed: {out.stderr.strip() or out.returncode}"
    states = set(out.stdout.split())
    if not states & {"idle", "mixed", "allocated", "completing"}:
        return f"no usable node (`sinfo` node states: {sorted(states) or 'none'})"
    return None


@pytest.fixture(scope="module")
def cluster(request):
    """Skip (or fail, with METAPOOL_REQUIRE_SLURM=1) unless selected and a cluster answers."""
    required = os.environ.get("METAPOOL_REQUIRE_SLURM") == "1"
    problem = cluster_state()
    if problem:
        message = f"no SLURM cluster: {problem}; start one with `bash .ci/slurm-up.sh`"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    if not required and "slurm" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a SLURM cluster answers, but the SLURM test runs only when selected: pytest -m slurm")


def copy_workflow(dest: Path) -> Path:
    """The repository's workflow files (not its results, logs or .snakemake) under ``dest``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".snakemake")
    for rel in COPIED:
        src, dst = REPO / rel, dest / rel
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    return dest


def job_env() -> dict[str, str]:
    """Environment for snakemake and (through sbatch --export=ALL) the SLURM jobs: this venv first."""
    env = {k: v for k, v in os.environ.items() if k != "SNAKEMAKE_PROFILE"}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_snakemake(workdir: Path, *args: str) -> tuple[str, float]:
    """Run snakemake in ``workdir``; its stderr and wall seconds. Fails the test on error or timeout."""
    cmd = [sys.executable, "-m", "snakemake", *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=workdir, env=job_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)  # snakemake cancels its SLURM jobs (scancel) on SIGINT
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        pytest.fail(f"{' '.join(cmd[1:])} timed out after {TIMEOUT} s in {workdir}:\n{out[-5000:]}")
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd[1:])} exited {proc.returncode} in {workdir}:\n{out[-8000:]}")
    return out, seconds


def result_files(workdir: Path) -> dict[str, bytes]:
    """Every file under results/, by its path relative to results/."""
    root = workdir / "results"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def differences(local: dict[str, bytes], slurm: dict[str, bytes]) -> list[str]:
    """One line per file that is missing on one side or whose bytes differ."""
    lines = [f"only in the local run: {f}" for f in sorted(local.keys() - slurm.keys())]
    lines += [f"only in the SLURM run: {f}" for f in sorted(slurm.keys() - local.keys())]
    lines += [
        f"bytes differ: {f} (local {len(local[f])} B, SLURM {len(slurm[f])} B)"
        for f in sorted(local.keys() & slurm.keys())
        if local[f] != slurm[f]
    ]
    return lines


def test_slurm_run_matches_local_run_byte_for_byte(cluster, tmp_path):
    local_dir = copy_workflow(tmp_path / "local")
    slurm_dir = copy_workflow(tmp_path / "slurm")

    _, local_s = run_snakemake(local_dir, "--cores", "2")
    out, slurm_s = run_snakemake(slurm_dir, "--workflow-profile", "profiles/slurm", *SLURM_TEST_ARGS)
    print(f"local run {local_s:.1f} s, SLURM run {slurm_s:.1f} s", end="; ")

    # Every job that is not a localrule went through sbatch: one submission per "rule <name>:".
    ran = re.findall(r"^rule (\S+):$", out, flags=re.M)
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", out)
    assert ran, f"the SLURM run ran no jobs:\n{out[-3000:]}"
    assert len(submitted) == len(ran), (
        f"{len(ran)} jobs ran but {len(submitted)} went through sbatch:\n{out[-3000:]}"
    )

    local, slurm = result_files(local_dir), result_files(slurm_dir)
    assert local, "the local run wrote nothing under results/"
    diff = differences(local, slurm)
    print(f"{len(local)} result files compared, {len(diff)} differ")
    assert not diff, (
        f"{len(diff)} of {len(local.keys() | slurm.keys())} result files differ between the local "
        f"and the SLURM run ({tmp_path}):\n" + "\n".join(diff)
    )
