#!/usr/bin/env bash
# The README's headline: the default run's frozen config (docs/defaults.md), trained with 3
# training seeds, compared with its base on the whole test set (515 eval prompts x 4 seeds, the
# same noise for every model) by `capo compare`: win-rates with a paired bootstrap over prompts and
# training seeds. Seed 0 is `deno task run` itself (runs/default); seeds 1 and 2 share its
# prompts, samples and scores (hard links) and offset select.seed and train.seed. Resumable: a
# finished run or comparison is reused. Writes docs/default_run/compare/compare.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/../.."
deno task run
for s in 1 2; do
  run="runs/default-seed$s"
  mkdir -p "$run"
  for stage in prompts generate score; do
    [ -d "$run/$stage" ] || cp -al "runs/default/$stage" "$run/$stage"
  done
  deno task run --name "default-seed$s" --select.seed="$s" --train.seed="$s"
done
deno task compare --config docs/default_run/compare.json --out docs/default_run/compare
