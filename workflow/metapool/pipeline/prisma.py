"""The PRISMA 2020 counts of the search record, and the workflow's job that draws results/prisma.svg.

``flow`` counts the validated records of data/search/records.csv (inputs.search) stage by
stage; ``synthesis_trials`` reads which trials carry a weight in at least one analysis'
random-effects model (``weight_random`` not null in results/<analysis>/pooled.json).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from metapool.inputs.search import (EXCLUSION_REASONS, NO_SYNTHESIS_REASONS, NOT_RETRIEVED_REASONS,
                                    NOT_SOUGHT_REASONS, SOURCES)
from metapool.inputs.trials import slugify


@dataclass(frozen=True)
class Flow:
    """The numbers of every box of the flow diagram.

    identified: {identified_in: {source: n}} in inputs.search.SOURCES order, sources with n = 0
    left out; the reason dicts are {reason: n} in the vocabulary's order, zeros left out.
    Studies are counted by the records' ``study`` (the trial unless two tables share a trial).
    PRISMA 2020 (Page et al. 2021 BMJ 372:n71): reports *sought* for retrieval are those the
    reviewers tried to obtain (not_sought: screened-in records whose report was never searched
    for); an included study that does not report the outcome is included and counted among the
    studies in no synthesis, never as an exclusion.
    synthesis: the included studies pooled with weight; no_synthesis: the other included studies
    that say why ({reason: n studies}); unpooled_added / unpooled_pending: the rest, whose trial
    table is in the data directory / not added yet.
    """

    identified: dict[str, dict[str, int]]
    duplicates: int
    screened: int
    screen_excluded: dict[str, int]
    not_sought: dict[str, int]
    sought: int
    not_retrieved: dict[str, int]
    assessed: int
    excluded: dict[str, int]
    reports_included: int
    studies_included: int
    synthesis: tuple[str, ...]
    unpooled_added: int
    unpooled_pending: int
    no_synthesis: dict[str, int]

    @property
    def n_not_sought(self) -> int:
        return sum(self.not_sought.values())

    @property
    def studies_not_in_synthesis(self) -> int:
        return self.unpooled_added + self.unpooled_pending + sum(self.no_synthesis.values())

    @property
    def n_identified(self) -> int:
        return sum(n for sources in self.identified.values() for n in sources.values())

    @property
    def studies_in_synthesis(self) -> int:
        return len(self.synthesis)


def _ordered(counts: Counter, order: tuple[str, ...]) -> dict[str, int]:
    return {key: counts[key] for key in order if counts[key]}


def flow(records: list[dict], synthesis_names: set[str] | frozenset[str] = frozenset()) -> Flow:
    """The counts of validated records; ``synthesis_names``: trials pooled with weight (any spelling
    whose slug is the trial's)."""
    kept = [r for r in records if not r["duplicate_of"]]
    included = [r for r in kept if r["eligibility"] == "included"]
    studies = {r["study"] for r in included}
    pooled = {slugify(name) for name in synthesis_names}
    in_synthesis = {r["study"] for r in included if slugify(r["trial"]) in pooled}
    with_table = {r["study"] for r in included if r["table_added"] == "yes"}
    # a study is in no synthesis for a stated reason when every included record of it gives one
    stated: dict[str, str] = {}
    for r in included:
        if r["study"] not in in_synthesis and r["reason"]:
            stated.setdefault(r["study"], r["reason"])
    stated = {study: reason for study, reason in stated.items()
              if all(r["reason"] for r in included if r["study"] == study)}
    not_sought = [r for r in kept if r["eligibility"] == "not sought"]
    found = Counter((r["identified_in"], r["source"]) for r in records)
    return Flow(
        identified={kind: {s: found[kind, s] for s in sources if found[kind, s]}
                    for kind, sources in SOURCES.items()},
        duplicates=len(records) - len(kept),
        screened=len(kept),
        screen_excluded=_ordered(Counter(r["reason"] for r in kept if r["screening"] == "excluded"),
                                 EXCLUSION_REASONS),
        not_sought=_ordered(Counter(r["reason"] for r in not_sought), NOT_SOUGHT_REASONS),
        sought=sum(r["screening"] == "included" for r in kept) - len(not_sought),
        not_retrieved=_ordered(Counter(r["reason"] for r in kept if r["eligibility"] == "not retrieved"),
                               NOT_RETRIEVED_REASONS),
        assessed=sum(r["eligibility"] in ("included", "excluded") for r in kept),
        excluded=_ordered(Counter(r["reason"] for r in kept if r["eligibility"] == "excluded"), EXCLUSION_REASONS),
        reports_included=len(included),
        studies_included=len(studies),
        synthesis=tuple(sorted(in_synthesis)),
        unpooled_added=len(studies & with_table - in_synthesis - set(stated)),
        unpooled_pending=len(studies - with_table - in_synthesis - set(stated)),
        no_synthesis=_ordered(Counter(stated.values()), NO_SYNTHESIS_REASONS),
    )


def synthesis_trials_from_digests(digest_files: list[str | Path]) -> set[str]:
    """Trials with a random-effects weight in at least one analysis (the batches' digests)."""
    names: set[str] = set()
    for path in digest_files:
        for entry in json.loads(Path(path).read_text(encoding="utf-8")).values():
            names.update(entry["synthesis"])
    return names


def synthesis_trials(pooled_files: list[str | Path]) -> set[str]:
    """Trials with a random-effects weight in at least one of the pooled.json files."""
    names = set()
    for path in pooled_files:
        pooled = json.loads(Path(path).read_text(encoding="utf-8"))
        names.update(s["trial"] for s in pooled["studies"] if s.get("weight_random") is not None)
    return names


def unrecorded(records: list[dict], synthesis_names: set[str]) -> list[str]:
    """Pooled trials that no included record names (left out of the counts)."""
    recorded = {slugify(r["trial"]) for r in records if not r["duplicate_of"] and r["eligibility"] == "included"}
    return sorted(name for name in synthesis_names if slugify(name) not in recorded)


def run_prisma(records_file: str, digest_files: list[str], data_dir: str, svg: str) -> None:
    """results/prisma.svg from the search record and every analysis' pooled.json; warnings to the log."""
    from metapool.atomic import clear_stale_temps
    from metapool.inputs.search import load_search
    from metapool.plotting.prisma_plot import draw_prisma

    clear_stale_temps([svg])
    record = load_search(records_file, data_dir)
    pooled = synthesis_trials_from_digests(digest_files)
    for w in record.warnings:
        print(w, file=sys.stderr)
    for name in unrecorded(record.records, pooled):
        print(f"warning: trial '{name}' is pooled with weight but no included record of {records_file} names it; "
              "it is not counted in the synthesis box", file=sys.stderr)
    counts = flow(record.records, pooled)
    draw_prisma(counts, {"svg": svg})
    print(f"PRISMA: {counts.n_identified} records, {counts.studies_included} studies included, "
          f"{counts.studies_in_synthesis} in the meta-analysis", file=sys.stderr, flush=True)
