#!/usr/bin/env bash
# Stop the daemons that .ci/slurm-up.sh started, by the PIDs in their PID files (slurmd first,
# munged last), and wait until each has exited. Leaves a cluster it did not start alone.
set -uo pipefail

STATE=/run/metapool-slurm-ci
[ -f "$STATE" ] || { echo "no SLURM cluster started by .ci/slurm-up.sh; nothing to stop"; exit 0; }

for pidfile in $(tac "$STATE"); do
  [ -s "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$pidfile: PID $pid still running after 10 s, sending SIGKILL" >&2
    kill -9 "$pid" 2>/dev/null
  fi
done
rm -f "$STATE"
echo "SLURM cluster stopped"
