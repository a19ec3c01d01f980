/**
 * Freezes the confirmatory plan (docs/reproduce/plan.json, named by PREREGISTRATION.md) from the
 * dev tuning records: for each base and each loss (the paper's dpo, ipo, capo and this project's
 * variants), the point its plan's rule chose (docs/search/<base>-<loss>.jsonl, every loss the
 * same grid), as that loss's `trainers` entry; 3 training seeds; the whole test set, 2 seeds per
 * prompt; and the primary comparisons of issue #15 with Holm at alpha 0.05. Refuses to write
 * while any loss's tuning is incomplete.
 *
 *     deno run --allow-read=docs/search,data --allow-write=docs/reproduce docs/reproduce/make_plan.ts
 */
import { readTuning } from "../../pipeline/sweep/tuning.ts";
import { parseReproducePlan, PLAN_FORMAT } from "../../pipeline/reproduce/repro_plan.ts";
import { LOSSES as PAPER_LOSSES } from "../../pipeline/reproduce/cells.ts";
import type { LossKind } from "../../stages/train/loss_kinds.ts";

const LOSSES: Record<string, string> = {
  dpo: "dpo",
  ipo: "ipo",
  capo: "capo",
  "capo-k4": "capo-k4",
  "capo_unbiased": "capo_unbiased",
  "ipo_unbiased": "ipo_unbiased",
};
const REWARDS = ["aesthetic", "alignment", "preference"];
const trainers: Record<string, Record<string, Record<string, unknown>>> = {};
const missing: string[] = [];
for (const base of ["eps", "flow"]) {
  trainers[base] = {};
  for (const [name, plan] of Object.entries(LOSSES)) {
    const { plan: p, points: want, records, chosen: point } = await readTuning(
      `docs/search/${base}-${plan}.json`,
    );
    if (point === null) {
      missing.push(`${base}-${plan} (${records.length} of ${want} points)`);
      continue;
    }
    const { model: _m, ...train } = (p.config.train ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(point)) train[k.split(".")[1]!] = v;
    trainers[base][name] = train;
  }
}
if (missing.length > 0) {
  console.error(`Cannot freeze the plan as these tunings are incomplete: ${missing.join(", ")}`);
  Deno.exit(1);
}
const singles = REWARDS.flatMap((r) => [
  `single-${r}-capo vs single-${r}-dpo on ${r}`,
  `single-${r}-capo vs single-${r}-ipo on ${r}`,
]);
const multis = [
  `frs-capo vs sum-capo on ${REWARDS.join(",")}`,
  `frs-capo vs soup-capo on ${REWARDS.join(",")}`,
];
const shapeeval = "frs-capo vs base on shapeeval";
const comparisons = [...singles, ...multis, shapeeval];
const claims = {
  "(a) CaPO beats DPO and IPO on the reward it is trained on": singles,
  "(b) CaPO+FRS beats SUM-CaPO and SOUP-CaPO on every reward": multis,
  "CaPO+FRS beats the base on ShapeEval": [shapeeval],
};
const plan = {
  format: PLAN_FORMAT,
  note:
    "Frozen from the dev tuning records by docs/reproduce/make_plan.ts; see PREREGISTRATION.md.",
  seeds: 3,
  config: {
    evaluate: {
      prompts: "data/prompts/eval.txt",
      max_prompts: null,
      // Not 4: the power calculation in PREREGISTRATION.md (4 would lower the MDE by at most
      // 0.5 / 1.2 / 0.3 points for about 40% more compute).
      seeds_per_prompt: 2,
      // p-values of 1 / (B + 1) at the least: Holm's first step over 13 tests needs 0.05 / 13.
      resamples: 10000,
    },
  },
  trainers,
  compare: { comparisons, metrics: null, statistic: "win_rate", alpha: 0.05 },
  claims,
};
parseReproducePlan(plan, "the frozen plan"); // every key checked before it is written
await Deno.writeTextFile("docs/reproduce/plan.json", JSON.stringify(plan, null, 2) + "\n");
console.log(`docs/reproduce/plan.json: ${comparisons.length} comparisons per base\n`);
// The trainers as PREREGISTRATION.md lists them.
console.log("| base | trainer | loss | beta | lr | steps | draws per pair | from |");
console.log("|---|---|---|---:|---:|---:|---:|---|");
for (const [base, ts] of Object.entries(trainers)) {
  for (const [name, t] of Object.entries(ts)) {
    console.log(
      `| ${base} | ${name}${!PAPER_LOSSES.includes(name as LossKind) ? " (ours)" : ""} | ${
        t.loss ?? name
      } | ${t.beta} | ${t.lr} | ${t.max_steps} | ${t.draws_per_pair ?? 1} | docs/search/${base}-${
        LOSSES[name]
      }.jsonl |`,
    );
  }
}
