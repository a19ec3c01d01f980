/**
 * Power planning for the pre-registered comparisons (docs/reproduce/PREREGISTRATION.md): reads a
 * pilot's `capo compare` report (its comparisons' variance components over prompts and training
 * seeds, stages/evaluate/power.ts) and prints, per comparison and metric, the smallest true
 * difference in the tested statistic that a design of P prompts and S training seeds per cell
 * detects with 80% power at alpha / m (m: the planned family size, Bonferroni, conservative for
 * Holm). The eval seeds per prompt are the pilot's: the components hold for that many.
 *
 *     deno run --allow-read docs/reproduce/power.ts PILOT/compare.json FAMILY [P,...] [S,...]
 */
import { designSE, minimumDetectable } from "../../stages/evaluate/power.ts";
import type { CompareReport } from "../../stages/evaluate/compare_report.ts";

const [file, familyArg, promptsArg = "96,200,515", seedsArg = "1,2,3,5"] = Deno.args;
if (file === undefined || familyArg === undefined) {
  console.error("usage: power.ts PILOT/compare.json FAMILY [P,...] [S,...]");
  Deno.exit(2);
}
const r = JSON.parse(await Deno.readTextFile(file)) as CompareReport;
const m = Number(familyArg);
const prompts = promptsArg.split(",").map(Number);
const seeds = seedsArg.split(",").map(Number);
console.log(
  `pilot: ${r.prompts} prompts x ${r.seeds_per_prompt} eval seeds; statistic ${r.statistic}; ` +
    `MDE (% points) at alpha ${r.alpha} / ${m}, power 0.8`,
);
console.log(
  `| comparison | metric | components (prompt, seed A, seed B, residual) | ${
    prompts.flatMap((p) => seeds.map((s) => `P ${p}, S ${s}`)).join(" | ")
  } |`,
);
for (const c of r.comparisons) {
  const k = c.components;
  // A side with one model in the pilot (the base) keeps one; a trained side gets S seeds.
  const mdes = prompts.flatMap((p) =>
    seeds.map((s) => {
      const d = { prompts: p, seedsA: c.seeds.a > 1 ? s : 1, seedsB: c.seeds.b > 1 ? s : 1 };
      return (100 * minimumDetectable(designSE(k, d), r.alpha / m)).toFixed(1);
    })
  );
  const comps = [k.prompt, k.seedA, k.seedB, k.residual].map((v) => v.toExponential(2));
  console.log(`| ${c.comparison} | ${c.metric} | ${comps.join(", ")} | ${mdes.join(" | ")} |`);
}
