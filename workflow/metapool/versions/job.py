"""The changes report: the current states against the last published version (its job, writing
results/changes.*, is pipeline.changes_job)."""

from __future__ import annotations

from pathlib import Path

from metapool.versions import report
from metapool.versions.compare import compare
from metapool.versions.store import baseline, load_versions, states_from_files


def changes_report(current: dict[str, dict], versions_file: str | Path,
                   networks: dict[str, dict] | None = None) -> dict:
    """The report object of the current states against the last version in ``versions_file``
    (every analysis "added" when the file does not exist yet); with ``networks`` (name -> state,
    versions.networks) also a "networks" list whose flags count as changed conclusions."""
    versions = load_versions(versions_file)
    meta, published = baseline(versions)
    out = report.build(meta, compare(published, current))
    if networks:
        from metapool.versions import networks as nets

        entries = nets.compare(versions[-1].get("networks") if versions else None, networks)
        out["networks"] = entries
        out["conclusion_changed"] = out["conclusion_changed"] or any(e["conclusion_changes"] for e in entries)
    return out
