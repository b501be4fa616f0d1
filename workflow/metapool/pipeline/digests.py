"""Per-batch digests: what the across-analysis stages need from each analysis, written by the analysis
job of its batch (results/digests/<batch>.json).

The summary table, the Summary of findings, the changes report and the PRISMA diagram read the
batches' digests (one file per analysis job) instead of every analysis' pooled.json and
living.json: at 1,000 analyses that is 75 inputs per aggregate job instead of 1,000 to 2,000, which
is most of Snakemake's DAG-building time on a no-op run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from metapool.pipeline.summary_rows import summary_rows

if TYPE_CHECKING:  # the aggregate jobs that only load digests need not import the analysis code
    from metapool.pipeline.analysis_result import AnalysisResult


def entry(result: AnalysisResult) -> dict:
    """One analysis' digest: its summary rows and Summary-of-findings rows (one, or one per subgroup
    of an analysis kept apart by subgroup), versions state and the
    trials that carry random-effects weight (the PRISMA diagram's synthesis)."""
    pooled = result.pooled
    return {"summary": summary_rows(pooled), "sof": pooled.get("sof"), "state": result.state(),
            "synthesis": sorted({s["trial"] for s in pooled["studies"]
                                 if s.get("weight_random") is not None and s.get("trial")})}


def load(files: list[str], names: list[str]) -> list[dict]:
    """The digests of ``names`` (config order) from the batch files; KeyError names a missing one."""
    merged: dict[str, dict] = {}
    for f in files:
        merged.update(json.loads(Path(f).read_text(encoding="utf-8")))
    return [merged[name] for name in names]
