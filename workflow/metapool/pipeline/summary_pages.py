"""The summary forest plot in pages: analyses grouped by effect measure and outcome (one axis per
page: an RR and an MD do not share a scale), at most PER_PAGE analyses a page, in config order.

A page's inputs are its analyses' pooled.json files only, so a new trial redraws just the pages of
the analyses it enters; results/summary_forest/index.md lists every page and its analyses. Pages
are defined from the config alone (measure and the filter's outcome), never from the data, so
they do not move when trials are added.
"""

from __future__ import annotations

from dataclasses import dataclass

from metapool.inputs.trials import slugify
from metapool.measures import registry
from metapool.pipeline.settings import AnalysisSettings

PER_PAGE = 40


@dataclass(frozen=True)
class SummaryPage:
    """One page: its id (file stem), title and analyses (names, config order)."""

    id: str
    title: str
    analyses: tuple[str, ...]


def _outcome(analysis: AnalysisSettings) -> str:
    value = analysis.filter.get("outcome", "any outcome")
    return " / ".join(map(str, value)) if isinstance(value, list) else str(value)


def pages(analyses: list[AnalysisSettings], per_page: int = PER_PAGE) -> list[SummaryPage]:
    """The pages, in the order their first analysis appears in the config."""
    groups: dict[tuple[str, str], list[str]] = {}
    for a in analyses:
        groups.setdefault((a.measure, _outcome(a)), []).append(a.name)
    out = []
    for (measure, outcome), names in groups.items():
        chunks = [names[i:i + per_page] for i in range(0, len(names), per_page)]
        for n, chunk in enumerate(chunks, start=1):
            part = f", part {n} of {len(chunks)}" if len(chunks) > 1 else ""
            title = f"{outcome[:1].upper()}{outcome[1:]}: {registry.get(measure).name.lower()}{part}"
            out.append(SummaryPage(f"{measure.lower()}-{slugify(outcome)}-{n:02d}", title, tuple(chunk)))
    return out


def index_markdown(page_list: list[SummaryPage], titles: dict[str, str]) -> str:
    """results/summary_forest/index.md: every page, its files and its analyses."""
    lines = ["# Summary forest plots", "",
             "One page per effect measure and outcome (each with its own axis); at most "
             f"{PER_PAGE} analyses a page.", ""]
    for page in page_list:
        lines += [f"## {page.title}", "", f"`{page.id}.svg`, `{page.id}.png`, `{page.id}.pdf`", ""]
        lines += [f"- {titles[name]} (`{name}`)" for name in page.analyses] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"
