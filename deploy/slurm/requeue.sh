#!/usr/bin/env bash
# Reruns failed or cancelled tasks of a capo array job and re-arms the jobs waiting for it
# (docs/scale_out.md):
#   deploy/slurm/requeue.sh ARRAY_JOB_ID INDEX [INDEX ...]
#   deploy/slurm/requeue.sh 1234 5            # task 1234_5 again
#
# A requeued task stays in its array, so it keeps its --shard i/n and resumes from its completed
# Parquet shards. Slurm marks an afterok dependency on an array as never satisfiable as soon as
# one task fails, and keeps it so after that task is requeued and succeeds; the merge (and the
# training after it) would then wait for ever. So every pending job that depends on the array is
# pointed at the array's tasks that have not finished yet (the requeued ones included).
# Slurm holds a requeued task for its credential lifetime (AuthInfo cred_expire, 120 s by
# default) before starting it again.
set -euo pipefail
if [ "$#" -lt 2 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 ARRAY_JOB_ID INDEX [INDEX ...]" >&2
  exit 2
fi
array="$1"
shift
for i in "$@"; do
  scontrol requeue "${array}_${i}"
done
left=$(squeue -h -r -j "$array" -t PENDING,RUNNING,CONFIGURING,COMPLETING,REQUEUED -o %i | paste -sd: -)
if [ -z "$left" ]; then
  echo "$0: no task of array $array is pending or running after the requeue" >&2
  exit 1
fi
squeue -h -t PENDING -o "%i %E" | while read -r job dep; do
  if [[ "$dep" =~ afterok:${array}(_\*)?\( ]]; then
    scontrol update JobId="$job" Dependency="afterok:$left"
    echo "job $job now waits for $left"
  fi
done
echo "requeued$(printf " ${array}_%s" "$@")"
