"""The one place that makes metapool importable from workflow/ (without pip install, e.g. in a
conda job env) and starts a job script: Snakemake puts workflow/scripts/ on sys.path for every
script, and common.smk imports this module the same way."""

import sys
from pathlib import Path

WORKFLOW = Path(__file__).resolve().parents[2]
if str(WORKFLOW) not in sys.path:
    sys.path.insert(0, str(WORKFLOW))


def start(snakemake):
    """Send the job's stderr (and so every metapool message) to its log file."""
    sys.stderr = open(snakemake.log[0], "w")
