"""The Snakemake files are as snakefmt (pinned in constraints.txt) writes them: CI's `snakefmt --check`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_snakefmt_leaves_every_snakemake_file_unchanged():
    files = ["Snakefile", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "workflow" / "rules").glob("*.smk"))]
    run = subprocess.run([sys.executable, "-m", "snakefmt", "--diff", *files], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "would be changed" not in run.stderr and "Diff for" not in run.stdout, run.stdout
