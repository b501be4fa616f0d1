"""The workflow's job: results/changes.json, .md and .html against the last published version
(versions.job.changes_report on the batches' digests)."""

from __future__ import annotations

from pathlib import Path

from metapool.atomic import clear_stale_temps, write_text
from metapool.pipeline import digests
from metapool.versions import report
from metapool.versions.html import to_html
from metapool.versions.job import changes_report
from metapool.versions.networks import network_state
from metapool.versions.store import read_json


def run_changes(digest_files: list[str], names: list[str], versions_file: str,
                out_json: str, out_md: str, out_html: str | None = None,
                network_files: list[str] = ()) -> None:
    """Write changes.json, changes.md and (for the report) changes.html, atomically, for the
    analyses ``names`` (config order), their states from the batches' digests (pipeline.digests)."""
    outs = [out_json, out_md] + ([out_html] if out_html else [])
    clear_stale_temps(outs)
    current = {name: d["state"] for name, d in zip(names, digests.load(digest_files, names))}
    network_states = {Path(f).parent.name: network_state(read_json(f)) for f in network_files}
    changes = changes_report(current, versions_file, network_states)
    markdown = report.to_markdown(changes)
    write_text(out_json, report.to_json(changes))
    write_text(out_md, markdown)
    if out_html:
        write_text(out_html, to_html(markdown))
