#!/usr/bin/env bash
# The beta regime grid of docs/regime/README.md (issue #19, point 4), on DEV prompts only:
# per base, beta x loss on the default run's FRS pairs, each cell a `deno task run` that reuses
# the base's upstream stages (prompts..select) and evaluates on 96 stratified dev prompts x 2 seeds.
# Resumable cell by cell: a cell with eval/eval.json is skipped. Usage: docs/regime/grid.sh [eps|flow ...]
# REGIME_SETTING=slow runs the same grid at a 4x lower learning rate for 4x the steps (warm-up 4x
# too, so the schedule has the same shape), in cells named regime-<base>-<loss>-b<beta>-slow.
# REGIME_PAIRS=single-<reward> trains on that reward's single-reward pairs (argmax vs argmin of its
# calibrated reward) instead of FRS, in cells named ...-single-<reward>.
# REGIME_THREADS=n caps the trainer's threads (null: every core).
# REGIME_BETAS="10000 2500" runs only those betas (default: 500 2500 10000), so that two processes
# can share a base's cells without one waiting on the other's run lock.
set -euo pipefail
cd "$(dirname "$0")/../.."
bases=("${@:-eps flow}")
read -r -a betas <<<"${REGIME_BETAS:-500 2500 10000}"
for beta in "${betas[@]}"; do
  case "$beta" in
    500 | 2500 | 10000) ;;
    *) echo "REGIME_BETAS may hold 500, 2500 and 10000, not '$beta'" >&2 && exit 2 ;;
  esac
done
# name:flags
losses=(
  "capo:--train.loss=capo"
  "capo-k4:--train.loss=capo --train.draws_per_pair=4"
  "capo-unbiased:--train.loss=capo_unbiased"
  "ipo:--train.loss=ipo"
  "ipo-unbiased:--train.loss=ipo_unbiased"
  "dpo:--train.loss=dpo"
)
# The grid's optimiser is pinned rather than taken from the default config: the default run's
# training settings were re-tuned after this grid began (128 steps, no clipping), and every cell of
# the grid must train the same way: 8 epochs of the 256 pairs (32 steps of 64), clip 1.
pinned=(--train.epochs=8 --train.grad_clip=1)
setting="${REGIME_SETTING:-default}"
case "$setting" in
  default) suffix="" opt=("${pinned[@]}" --train.lr=5e-6 --train.warmup_steps=10) ;;
  slow) suffix="-slow" opt=("${pinned[@]}" --train.lr=1.25e-6 --train.max_steps=128 --train.warmup_steps=40) ;;
  *) echo "REGIME_SETTING must be default or slow, not '$setting'" >&2 && exit 2 ;;
esac
pairs="${REGIME_PAIRS:-frs}"
case "$pairs" in
  frs) ;;
  single-aesthetic | single-alignment | single-preference)
    suffix="$suffix-$pairs" opt+=(--select.method=single --select.reward="${pairs#single-}") ;;
  *) echo "REGIME_PAIRS must be frs or single-<reward>, not '$pairs'" >&2 && exit 2 ;;
esac
[ -n "${REGIME_THREADS:-}" ] && opt+=(--train.threads="$REGIME_THREADS")
dev=(--evaluate.prompts=data/prompts/dev.txt --evaluate.max_prompts=96 --evaluate.seeds_per_prompt=2)
for base in ${bases[*]}; do
  model="data/models/base-$base"
  up="regime-$base-upstream"
  common=(--generate.model="$model" --train.model="$model")
  if [ ! -f "runs/$up/select/manifest.json" ]; then
    # The shared stages: the default run's prompts, samples, scores, calibration and FRS pairs.
    deno task run --name "$up" "${common[@]}" --train.model=/nonexistent-stops-before-train
  fi
  # Every cell calibrates with the upstream's tau, whatever tau the base or the rewards' manifests
  # carry now, so that each cell reuses the upstream's calibration and trains on the same pairs.
  tau=$(deno eval 'console.log(JSON.stringify(JSON.parse(Deno.readTextFileSync(Deno.args[0])).config.tau))' \
    "runs/$up/calibrate/manifest.json")
  common+=(--calibrate.tau="$tau")
  for beta in "${betas[@]}"; do
    for entry in "${losses[@]}"; do
      loss="${entry%%:*}"
      read -r -a flags <<<"${entry#*:}"
      cell="regime-$base-$loss-b$beta$suffix"
      [ -f "runs/$cell/eval/eval.json" ] && continue
      mkdir -p "runs/$cell"
      for stage in prompts generate score calibrate select; do
        [ -d "runs/$cell/$stage" ] || cp -al "runs/$up/$stage" "runs/$cell/$stage"
      done
      echo "== $cell"
      deno task run --name "$cell" "${common[@]}" --train.beta="$beta" "${flags[@]}" "${opt[@]}" "${dev[@]}"
    done
  done
done
