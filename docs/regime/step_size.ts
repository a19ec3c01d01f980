/**
 * The step-size contrast of issue #19 (point 4) read off the equal-budget tuning grid
 * (docs/search/<base>-<loss>.jsonl): for every loss and beta, the fast setting (lr 2e-5, 32 steps)
 * against the slow one (lr 5e-6, 128 steps), i.e. a 4x lower learning rate for 4x the steps, the
 * same product lr x steps. Dev only (200 prompts x 2 seeds, one training seed, clipping off).
 * Prints a markdown table; nothing is chosen from it.
 *
 *     deno run --allow-read=docs/search,data docs/regime/step_size.ts
 */
import { meanWin, regimeRatio, type SweepRecord } from "../../pipeline/sweep/sweep_record.ts";
import { readTuning } from "../../pipeline/sweep/tuning.ts";

const LOSSES = ["capo", "capo-k4", "capo_unbiased", "ipo", "ipo_unbiased", "dpo"];
const REWARDS = ["aesthetic", "alignment", "preference"];
const FAST = { lr: 2e-5, steps: 32 };
const SLOW = { lr: 5e-6, steps: 128 };
const pct = (x: number) => (100 * x).toFixed(1);

const setting = (r: SweepRecord) => ({
  beta: r.point["train.beta"] as number,
  lr: r.point["train.lr"] as number,
  steps: r.point["train.max_steps"] as number,
});
const cells = (r: SweepRecord | undefined) =>
  r === undefined ? ["not run", "", "", ""] : [
    REWARDS.map((k) => pct(r.dev.rewards[k]!.win_rate)).join(" / "),
    pct(meanWin(r)),
    regimeRatio(r).toFixed(2),
    r.training.backward?.toFixed(2) ?? "-",
  ];

console.log(
  "| base | loss | beta | fast: win-rate a / al / p | fast mean | fast ratio | fast backward | " +
    "slow: win-rate a / al / p | slow mean | slow ratio | slow backward | slow - fast mean |",
);
console.log("|---|---|---:|---|---:|---:|---:|---|---:|---:|---:|---:|");
const diffs: number[] = [];
for (const base of ["eps", "flow"]) {
  for (const loss of LOSSES) {
    const { records } = await readTuning(`docs/search/${base}-${loss}.json`);
    const betas = [...new Set(records.map((r) => setting(r).beta))].sort((a, b) => a - b);
    for (const beta of betas) {
      const find = (s: { lr: number; steps: number }) =>
        records.find((r) => {
          const x = setting(r);
          return x.beta === beta && x.lr === s.lr && x.steps === s.steps;
        });
      const fast = find(FAST), slow = find(SLOW);
      const d = fast && slow ? meanWin(slow) - meanWin(fast) : null;
      if (d !== null) diffs.push(d);
      console.log(
        `| ${base} | ${loss} | ${beta} | ${[...cells(fast), ...cells(slow)].join(" | ")} | ${
          d === null ? "" : `${d >= 0 ? "+" : ""}${pct(d)}`
        } |`,
      );
    }
  }
}
const better = diffs.filter((d) => d > 0).length;
console.log(
  `\nSlow above fast in ${better} of ${diffs.length} (base, loss, beta) cells; median difference ${
    pct([...diffs].sort((a, b) => a - b)[Math.floor(diffs.length / 2)] ?? NaN)
  } points of mean win-rate.`,
);
