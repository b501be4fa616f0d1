"""The workflow's job: results/changes.json and results/changes.md against the last published version."""

from __future__ import annotations

from pathlib import Path

from metapool.atomic import clear_stale_temps, write_text
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


def run_changes(digest_files: list[str], names: list[str], versions_file: str,
                out_json: str, out_md: str, out_html: str | None = None,
                network_files: list[str] = ()) -> None:
    """Write changes.json, changes.md and (for the report) changes.html, atomically, for the
    analyses ``names`` (config order), their states from the batches' digests (pipeline.digests)."""
    from metapool.pipeline import digests
    from metapool.versions.html import to_html

    outs = [out_json, out_md] + ([out_html] if out_html else [])
    clear_stale_temps(outs)
    current = {name: d["state"] for name, d in zip(names, digests.load(digest_files, names))}
    from metapool.versions.networks import network_state
    from metapool.versions.store import read_json

    network_states = {Path(f).parent.name: network_state(read_json(f)) for f in network_files}
    changes = changes_report(current, versions_file, network_states)
    markdown = report.to_markdown(changes)
    write_text(out_json, report.to_json(changes))
    write_text(out_md, markdown)
    if out_html:
        write_text(out_html, to_html(markdown))
