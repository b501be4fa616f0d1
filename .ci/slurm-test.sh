#!/usr/bin/env bash
# The SLURM block of .ci/run: bring up a single-node SLURM cluster, run the workflow through
# snakemake-executor-plugin-slurm and compare every result with a local run byte for byte
# (tests/test_slurm.py), then stop the cluster, whatever happened.
#
# Exits 0 with a "SKIP: ..." line only when this machine cannot start the SLURM daemons (not root,
# or Debian's slurm packages cannot be installed); every other problem is a failure.
# Run it with the project's Python environment active (PYTHON overrides the interpreter).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}

trap 'bash .ci/slurm-down.sh' EXIT   # stops only what slurm-up.sh started, even after a failure

t0=$(date +%s)
status=0
bash .ci/slurm-up.sh || status=$?
if [ "$status" = 77 ]; then
  echo "SKIP: the SLURM test did not run: this machine cannot start the SLURM daemons (reason above)"
  exit 0
fi
[ "$status" = 0 ] || { echo "FAIL: .ci/slurm-up.sh exited $status; the SLURM cluster is not up" >&2; exit "$status"; }
echo "SLURM cluster up in $(( $(date +%s) - t0 )) s"

# METAPOOL_REQUIRE_SLURM=1: the test fails instead of skipping if the cluster does not answer.
METAPOOL_REQUIRE_SLURM=1 "$PYTHON" -m pytest -m slurm -q -rs tests/test_slurm.py
