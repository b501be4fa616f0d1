#!/usr/bin/env bash
# Bring up a single-node SLURM cluster (Debian's Slurm 22.05: munge + slurmctld + slurmd, no
# systemd, no cgroups, no accounting database) so that tests/test_slurm.py can run the workflow
# through snakemake-executor-plugin-slurm. Needs root and Debian packages; about 10 s once the
# packages are installed.
#
# Exit status: 0 the cluster answers (or already did); 77 this machine cannot run the daemons
# (not root, or the packages cannot be installed), with a "SKIP: <reason>" line; anything else is
# a failure. .ci/slurm-down.sh stops exactly the daemons this script started.
#
# Without slurmdbd, `sacct` cannot report jobs, so the workflow must run with
# `--slurm-status-command squeue`; MinJobAge=300 keeps finished jobs visible to squeue for
# 300 s (the plugin falls back to sacct unless MinJobAge >= 3x its initial status wait).
set -euo pipefail

STATE=/run/metapool-slurm-ci      # PID files of the daemons started here, one per line
MARK="# written by metapool .ci/slurm-up.sh"
CONF=/etc/slurm/slurm.conf

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# `scontrol ping` answers at once; `sinfo` alone retries for 10 s when no controller runs.
cluster_idle() { scontrol ping >/dev/null 2>&1 && sinfo -h -o %T 2>/dev/null | grep -qx 'idle'; }

if command -v scontrol >/dev/null && cluster_idle; then
  echo "a SLURM cluster already answers; using it as it is:"
  sinfo
  exit 0
fi

[ "$(id -u)" = 0 ] || skip "slurmctld/slurmd/munged need root to start and this runs as $(id -un)"

# Packages: only installed when a binary is missing.
PKGS="slurmctld slurmd slurm-client munge"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
   || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "no apt-get to install $PKGS (not a Debian-like machine)"
  export DEBIAN_FRONTEND=noninteractive
  echo "installing $PKGS ..."
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $PKGS >/dev/null; }; then
    skip "apt-get could not install $PKGS (no package mirror reachable?)"
  fi
fi

if [ -s "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
  fail "$CONF exists and was not written by this script; refusing to replace a real cluster's config"
fi

# Node size: every CPU, 90% of the RAM.
NCPU=$(nproc)
MEM=$(( $(free -m | awk '/^Mem:/{print $2}') * 9 / 10 ))
mkdir -p /etc/slurm /var/spool/slurmd /var/spool/slurmctld /var/log/slurm
cat > "$CONF" <<EOF
$MARK: a single-node CI cluster
ClusterName=ci
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
MailProg=/bin/true
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$NCPU RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

: > "$STATE"
show_logs() {
  for f in /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log /var/log/munge/munged.log; do
    [ -f "$f" ] && { echo "--- tail $f" >&2; tail -n 20 "$f" >&2; }
  done
  return 0
}
trap 'status=$?; [ $status = 0 ] || [ $status = 77 ] || show_logs' EXIT

# munge: the package's postinst normally creates the key already.
[ -s /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; }
mkdir -p /run/munge && chown munge:munge /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  echo /run/munge/munged.pid >> "$STATE"
  munge -n | unmunge >/dev/null || fail "munged started but munge/unmunge fails"
fi

# slurmctld -c: start from an empty job state; slurmd -N: the node name is "localhost"
# whatever the machine's hostname is. Both daemonize and write their PID files.
/usr/sbin/slurmctld -c || fail "slurmctld did not start"
echo /run/slurmctld.pid >> "$STATE"
/usr/sbin/slurmd -N localhost || fail "slurmd did not start"
echo /run/slurmd.pid >> "$STATE"

for _ in $(seq 60); do cluster_idle && break; sleep 1; done
cluster_idle || { sinfo >&2 || true; fail "the node did not become idle within 60 s"; }
sinfo
srun -t 1 true || fail "srun could not run a one-second job"
echo "SLURM cluster up ($NCPU CPUs, $MEM MB)"
