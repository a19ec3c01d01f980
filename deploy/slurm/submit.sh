#!/usr/bin/env bash
# Submits a sharded capo run as three dependent jobs (docs/scale_out.md):
#   deploy/slurm/submit.sh SHARDS NAME [capo run flags]
#   deploy/slurm/submit.sh 8 exp1 --prompts data/prompts/train.txt
#
#   1. an array of SHARDS tasks, one work shard each      (capo_shards.sbatch)
#   2. the merge, once every task has succeeded           (capo_merge.sbatch, afterok:<array>)
#   3. one training task on the merged stages             (capo_train.sbatch, afterok:<merge>)
# Run it from the capo checkout (or set CAPO_DIR to it): the jobs run there and write runs/NAME/.
# A task that fails holds the merge back for good; rerun it with deploy/slurm/requeue.sh.
set -euo pipefail
if [ "$#" -lt 2 ] || ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 SHARDS NAME [capo run flags]   (SHARDS a positive integer)" >&2
  exit 2
fi
shards="$1"
name="$2"
shift 2
here="$(cd "$(dirname "$0")" && pwd)"
array=$(sbatch --parsable --array="0-$((shards - 1))" "$here/capo_shards.sbatch" --name "$name" "$@")
array="${array%%;*}" # --parsable prints "id;cluster" on a multi-cluster setup
merge=$(sbatch --parsable --dependency="afterok:$array" "$here/capo_merge.sbatch" --run "runs/$name")
merge="${merge%%;*}"
train=$(sbatch --parsable --dependency="afterok:$merge" "$here/capo_train.sbatch" --name "$name" "$@")
train="${train%%;*}"
echo "array job $array ($shards shards), merge job $merge, train job $train"
