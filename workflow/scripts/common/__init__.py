"""The one place that makes metapool importable from workflow/ (without pip install, e.g. in a
conda job env) and starts a job script: Snakemake puts workflow/scripts/ on sys.path for every
script, and common.smk imports this module the same way.

One metapool per run (issue 24): the checkout's workflow/ goes FIRST on sys.path, also when it
is already on it further down (a PYTHONPATH entry after site-packages), so that the Snakefile's
validation and every job run the same code; `check_metapool` stops a run whose imported
metapool is another one (a non-editable install of another version), naming both.
"""

import sys
from pathlib import Path

WORKFLOW = Path(__file__).resolve().parents[2]
if sys.path[:1] != [str(WORKFLOW)]:
    while str(WORKFLOW) in sys.path:
        sys.path.remove(str(WORKFLOW))
    sys.path.insert(0, str(WORKFLOW))


def metapool_mismatch(module, expected: Path = WORKFLOW / "metapool") -> str | None:
    """Why the imported ``module`` (metapool) is not the checkout's, or None."""
    found = Path(module.__file__).resolve().parent
    if found == expected.resolve():
        return None
    version = getattr(module, "__version__", "unknown")
    return (f"two metapool packages: this workflow's checkout is {expected}, but Python imported "
            f"metapool {version} from {found} (imported before the checkout was put on sys.path); "
            "uninstall that one (pip uninstall metapool) or install the checkout with "
            "`pip install -e .`, then run again")


def check_metapool() -> None:
    """RuntimeError when the metapool imported is not the checkout's (metapool_mismatch)."""
    import metapool

    why = metapool_mismatch(metapool)
    if why:
        raise RuntimeError(why)


def start(snakemake):
    """Send the job's stderr (and so every metapool message) to its log file; check that the job
    runs the checkout's metapool, as the Snakefile did."""
    sys.stderr = open(snakemake.log[0], "w")
    check_metapool()
