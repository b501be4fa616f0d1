"""The metafor reference files the tests compare against, and the comparison rule.

tests/data/oracle/ is a copy of ../shared/oracle/ (cases.json, extras.json, measures.json, small_k.json):
R metafor 3.8-1 at its defaults. tests/data/control_stepadj05/ holds the same cases computed
with rma(..., control = list(stepadj = 0.5, maxiter = 1000)): the test of a non-default control.
"""

from __future__ import annotations

import json
from pathlib import Path

from metapool.engine.tau2 import DEFAULT, Control

DATA = Path(__file__).parent / "data"
RTOL, ATOL = 1e-6, 1e-9


def load(folder: str, name: str) -> list[dict]:
    return json.loads((DATA / folder / name).read_text())


CASES = load("oracle", "cases.json")
EXTRAS = load("oracle", "extras.json")
MEASURES = load("oracle", "measures.json")
LEGACY_CONTROL = Control(stepadj=0.5, maxiter=1000)
LEGACY_CASES = load("control_stepadj05", "cases.json")
LEGACY_EXTRAS = load("control_stepadj05", "extras.json")
REFERENCES = {"default": (DEFAULT, CASES, EXTRAS), "stepadj05": (LEGACY_CONTROL, LEGACY_CASES, LEGACY_EXTRAS)}
"""Each reference set with the control it was computed under."""


def close(got, ref) -> bool:
    """Within 1e-6 relative or 1e-9 absolute; None only where metafor has NA (element-wise for lists)."""
    got = got if isinstance(got, list) else [got]
    ref = ref if isinstance(ref, list) else [ref]
    if len(got) != len(ref):
        return False
    for a, b in zip(got, ref):
        if a is None or b is None:
            if a is not b:
                return False
        elif isinstance(b, str):
            if a != b:
                return False
        elif not abs(a - b) <= max(ATOL, RTOL * abs(b)):
            return False
    return True
SMALL_K = load("oracle", "small_k.json")
"""Few-study inference (small_k.json): metafor test="adhoc" per estimator, exact Bayesian blocks."""
