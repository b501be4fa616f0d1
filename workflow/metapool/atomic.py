"""Atomic file writes: a temporary file in the target's directory, then os.replace.

A run killed mid-write leaves the previous file or none, never a half-written one.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


TEMP_SUFFIX = ".tmp"


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path next to ``path``; on success rename it over ``path``, else delete it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    """Write UTF-8 text atomically (LF line endings as given)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(text.encode("utf-8"))


def clear_stale_temps(paths) -> None:
    """Delete the temporary files of :func:`atomic_path` that a killed run left next to ``paths``.

    atomic_path removes its temporary file on any error, but not when the process is killed
    (SIGKILL); Snakemake then reruns the job, which calls this first.
    """
    for path in map(Path, paths):
        if path.parent.is_dir():
            for tmp in path.parent.glob(f"{_temp_prefix(path)}*{TEMP_SUFFIX}"):
                tmp.unlink(missing_ok=True)
