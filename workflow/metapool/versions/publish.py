"""Publish a version: record the current state of every analysis in ``data/versions/``.

``versions.json`` (the record, committed) gets one more version; ``CHANGELOG.md`` (for people)
gets one entry saying, per analysis, what changed since the previous version and any conclusion
flag. The date is given, never read from the clock. A stale results/ (Snakemake would rerun
something: inputs by content, as Snakemake compares input checksums) or an output whose SHA-256
differs from what its job recorded (a hand edit) is refused: a version must record what the
current inputs give.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from metapool.atomic import write_text
from metapool.errors import InputError, MetapoolError, Problem
from metapool.safetext import md_text
from metapool.versions import report
from metapool.versions.compare import compare
from metapool.versions.store import (CHANGELOG_FILE, VERSIONS_FILE, baseline, check_date, current_states,
                                     dump_json, load_versions, with_digest)

CHANGELOG_HEAD = ("# Published versions\n\n"
                  "One entry per published version: per analysis, what changed since the version "
                  "before and any conclusion that changed. The record is versions.json.\n")
DRY_RUN = ("--dry-run", "--quiet", "rules", "--cores", "1")
FRESH_TIMEOUT = 600


class StaleResultsError(MetapoolError):
    """results/ does not reflect the current inputs: Snakemake would rerun jobs."""


def check_fresh(workdir: str | Path) -> str | None:
    """None when Snakemake's dry run in ``workdir`` has nothing to do; else why it would rerun."""
    cmd = [sys.executable, "-m", "snakemake", *DRY_RUN]
    try:
        proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=FRESH_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"cannot run Snakemake's dry run in {workdir}: {e}"
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        return f"Snakemake's dry run in {workdir} failed (exit {proc.returncode}):\n{out.strip()[-2000:]}"
    if "Job stats:" not in out:
        return None
    return stale_reason(out)


def edited_outputs(workdir: str | Path) -> str | None:
    """None when every analysis output and input has the SHA-256 its job recorded in
    results/digests/*.json (inputs: the trial, risk-of-bias and versions files it read); else which
    ones differ or are gone. Freshness by content, not timestamps: a hand-edited
    pooled.json is newer than its inputs, so Snakemake's dry run takes it for fresh."""
    import hashlib
    import json

    root = Path(workdir)
    changed, gone, changed_inputs = [], [], []
    for digest_file in sorted((root / "results" / "digests").glob("*.json")):
        try:
            entries = json.loads(digest_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return f"{digest_file} cannot be read as JSON: run snakemake (it rebuilds it)"
        for name, entry in entries.items():
            for path, sha in (entry.get("inputs") or {}).items():
                file = root / path
                if file.is_file() and hashlib.sha256(file.read_bytes()).hexdigest() != sha:
                    changed_inputs.append((path, digest_file.stem))
            for path, sha in (entry.get("files") or {}).items():
                file = root / path
                if not file.is_file():
                    gone.append(path)
                elif hashlib.sha256(file.read_bytes()).hexdigest() != sha:
                    changed.append((path, digest_file.stem))
    if not changed and not gone and not changed_inputs:
        return None
    lines = []
    if changed_inputs:
        jobs = sorted({f"analyse_{batch.replace('-', '_')}" for _, batch in changed_inputs})
        paths = sorted({p for p, _ in changed_inputs})
        lines.append(f"input(s) changed since their analyses ran ({', '.join(paths[:5])}): run "
                     f"`snakemake --cores 2 --forcerun {' '.join(jobs)}`")
    if gone:
        lines.append(f"{len(gone)} output(s) deleted ({', '.join(gone[:5])}{', ...' if len(gone) > 5 else ''}): "
                     "run snakemake, which rebuilds them")
    if changed:
        jobs = sorted({f"analyse_{batch.replace('-', '_')}" for _, batch in changed})
        lines.append(f"{len(changed)} output(s) differ from what their job wrote (edited by hand?): "
                     f"{', '.join(p for p, _ in changed[:5])}{', ...' if len(changed) > 5 else ''}; "
                     f"restore them with `git checkout -- results/` or recompute them with "
                     f"`snakemake --cores 2 --forcerun {' '.join(jobs)}`")
    return "results/ is not what the workflow wrote: " + "; ".join(lines) + "."


def stale_reason(dry_run_output: str) -> str:
    """'results/ is stale: Snakemake would run 3 jobs (analyse_x, changes, ...); reasons: ...'."""
    jobs = []
    for line in dry_run_output.split("Job stats:", 1)[1].splitlines()[3:]:
        m = re.match(r"^(\S+)\s+(\d+)$", line.strip())
        if not m:
            break
        jobs.append((m.group(1), int(m.group(2))))
    total = dict(jobs).pop("total", sum(n for _, n in jobs))
    names = [name for name, _ in jobs if name not in ("total", "all")]
    reasons = ""
    if "Reasons:" in dry_run_output:
        reasons = dry_run_output.split("Reasons:", 1)[1].strip().split("\n\n", 1)[0]
    text = (f"results/ is stale: Snakemake would run {total} job{'s' * (total != 1)} "
            f"({', '.join(names)}); run snakemake first")
    return text + (f".\nReasons:\n{reasons}" if reasons else ".")


def publish(results_dir: str | Path, versions_dir: str | Path, date: str, label: str | None = None, *,
            analyses: list[str] | None = None, check: bool = True, workdir: str | Path | None = None,
            networks: list[str] | None = None) -> dict:
    """Append the current state of every analysis as a new version; return that version.

    analyses: names in review order (default: every results/<name>/pooled.json). check: refuse a
    stale results/ (:func:`check_fresh` in ``workdir``, default the parent of results_dir).
    networks: network names (default: every results/networks/<name>/network.json); their states
    (versions.networks) are recorded under "networks" when there are any.
    """
    try:
        check_date(date)
    except ValueError as e:
        raise InputError([Problem("--date", None, None, str(e))]) from None
    if label is not None and (not label.strip() or "\n" in label):
        raise InputError([Problem("--label", None, None, "a label must be one non-empty line of text")])
    versions_file = Path(versions_dir) / VERSIONS_FILE
    versions = load_versions(versions_file)
    if versions and date < versions[-1]["date"]:
        raise InputError([Problem(str(versions_file), None, None, f"the new version's date {date} is "
                                  f"earlier than version {versions[-1]['version']} ({versions[-1]['date']})")])
    if check:
        root = Path(results_dir).resolve().parent if workdir is None else workdir
        reason = check_fresh(root) or edited_outputs(root)
        if reason:
            raise StaleResultsError(f"not published: {reason}")
    current = current_states(results_dir, analyses)
    meta, published = baseline(versions)
    from metapool.versions.networks import current_network_states

    version = {"version": len(versions) + 1, "date": date, "label": label, "analyses": current}
    network_states = current_network_states(results_dir, networks)
    if network_states:
        version["networks"] = network_states
    version = with_digest(version)
    entries = [report.annotate(e) for e in compare(published, current)]
    changelog = Path(versions_dir) / CHANGELOG_FILE
    old = changelog.read_text(encoding="utf-8") if changelog.exists() else CHANGELOG_HEAD
    write_text(changelog, append_entry(old, changelog_entry(version, meta, entries)))
    write_text(versions_file, dump_json(versions + [version]))
    return version


def changelog_entry(version: dict, before: dict | None, entries: list[dict]) -> str:
    """The CHANGELOG section of one version: per analysis (annotated comparison entries, in
    review order), one line of what changed since ``before`` and its conclusion flags."""
    label = f" ({md_text(version['label'])})" if version.get("label") else ""
    lines = [f"## Version {version['version']}: {version['date']}{label}", ""]
    lines.append(f"Compared with version {before['version']} ({before['date']})." if before
                 else "First published version.")
    lines.append("")
    for e in entries:
        flags = e["conclusion_changes"]
        verdict = ("**Conclusion changed:** " + " ".join(f["sentence"] for f in flags)) if flags \
            else "No conclusion changed."
        lines.append(f"- `{e['analysis']}`: {e['summary']}. {verdict}")
    return "\n".join(lines) + "\n"


def append_entry(text: str, entry: str) -> str:
    """``text`` with ``entry`` appended after a blank line; an entry of the same version (left by
    an interrupted publish) is replaced, not repeated."""
    heading = entry.split("\n", 1)[0].split(":", 1)[0]  # "## Version 3"
    at = text.find(f"\n{heading}:")
    if at >= 0:
        text = text[:at + 1]
    return text.rstrip("\n") + "\n\n" + entry
