#!/usr/bin/env bash
# Submits a sharded capo run and its merge: deploy/slurm/submit.sh SHARDS NAME [capo run flags]
#   deploy/slurm/submit.sh 8 exp1 --prompts data/prompts/train.txt
set -euo pipefail
if [ "$#" -lt 2 ]; then
  echo "usage: $0 SHARDS NAME [capo run flags]" >&2
  exit 2
fi
shards="$1"
name="$2"
shift 2
here="$(cd "$(dirname "$0")" && pwd)"
array=$(sbatch --parsable --array="0-$((shards - 1))" "$here/capo_shards.sbatch" --name "$name" "$@")
merge=$(sbatch --parsable --dependency="afterok:${array%%;*}" "$here/capo_merge.sbatch" --run "runs/$name")
echo "array job $array ($shards shards), merge job $merge"
