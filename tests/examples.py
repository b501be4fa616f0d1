"""Synthetic trials for visual checks and tests of the figures (not real data).

`synthetic_studies(k, ...)` gives engine input rows (docs/design.md: "study", the four
counts or rr / rr_lower / rr_upper, plus trial metadata) drawn from a seeded generator, with
the awkward cases a living review meets: a trial known only by its reported RR, a zero cell,
a double-zero trial, one without usable data, a very long trial name.
"""

from __future__ import annotations

import numpy as np

CLASSES = (("iloprost", "prostacyclin analogue"), ("vasopressin", "vasopressin analogue"),
           ("landiolol", "beta-1 blocker"))
LONG_NAME = ("Vasopressin versus Norepinephrine Infusion in Patients with Septic Shock and "
             "Persistent Hypoperfusion despite Adequate Fluid Resuscitation (pilot, multicentre)")


def synthetic_studies(k: int, *, seed: int = 1, subgroups: bool = False, long_name: bool = False,
                      awkward: bool = True) -> list[dict]:
    """`k` trials; with `awkward`, rows 2, 3, 4 and 5 (when present) are a reported-RR-only
    trial, a zero-cell trial, a double-zero trial and a trial without usable data."""
    rng = np.random.default_rng(seed)
    studies = []
    for i in range(k):
        agent, agent_class = CLASSES[i % len(CLASSES)] if subgroups else CLASSES[0]
        n1, n2 = (int(v) for v in rng.integers(20, 400, size=2))
        risk = float(rng.uniform(0.2, 0.5))
        rr = float(np.exp(rng.normal(0.0, 0.25)))
        ai = int(rng.binomial(n1, min(risk * rr, 0.95)))
        ci = int(rng.binomial(n2, risk))
        trial = LONG_NAME if long_name and i == 0 else f"TRIAL-{i + 1:02d}"
        author = f"Author{chr(65 + i % 26)}{i // 26 or ''}"
        year = 2000 + i % 25
        row = {"study": trial, "label": f"{author} {year} ({trial})", "trial": trial,
               "first_author": author, "year": year, "agent": agent, "agent_class": agent_class,
               "comparator": "placebo", "comparator_class": "placebo",
               "outcome": "all-cause mortality", "timepoint_days": 28, "source": "synthetic",
               "events_trt": ai, "total_trt": n1, "events_ctl": ci, "total_ctl": n2,
               "rr": None, "rr_lower": None, "rr_upper": None}
        if awkward and i == 1:
            est = (ai / n1) / (ci / n2)
            se = float(np.sqrt(1 / ai - 1 / n1 + 1 / ci - 1 / n2))
            row.update(total_trt=None, total_ctl=None, rr=round(est, 2),
                       rr_lower=round(est * np.exp(-1.96 * se), 2),
                       rr_upper=round(est * np.exp(1.96 * se), 2))
        elif awkward and i == 2:
            row.update(events_trt=0, total_trt=25, events_ctl=3, total_ctl=24)
        elif awkward and i == 3:
            row.update(events_trt=0, total_trt=12, events_ctl=0, total_ctl=11)
        elif awkward and i == 4:
            row.update(events_trt=None, total_trt=None, events_ctl=None, total_ctl=None)
        studies.append(row)
    return studies


def example_result(k: int, *, subgroups: bool = False, long_name: bool = False,
                   awkward: bool = True, seed: int = 1, tau2_method: str = "REML",
                   ci_method: str = "hksj") -> dict:
    """A workflow-style pooled.json dict (engine output + analysis, title) for `k` synthetic trials."""
    from metapool.engine.pool import pool_studies

    studies = synthetic_studies(k, seed=seed, subgroups=subgroups, long_name=long_name,
                                awkward=awkward)
    result = pool_studies(studies, tau2_method=tau2_method, ci_method=ci_method,
                          by="agent_class" if subgroups else None)
    name = f"synthetic-k{k}{'-subgroups' if subgroups else ''}{'-long' if long_name else ''}"
    return {**result, "analysis": name,
            "title": f"All-cause mortality at 28 days: {k} synthetic trial{'s' * (k != 1)}"
                     + (" by agent class" if subgroups else "")}
