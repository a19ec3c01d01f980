/**
 * Power planning for the pre-registered comparisons (docs/reproduce/PREREGISTRATION.md): reads a
 * pilot's `capo compare` report (its comparisons' variance components over prompts and training
 * seeds, stages/evaluate/power.ts) and prints, per comparison and metric, the smallest true
 * difference in the tested statistic that a design of P prompts, S training seeds per cell and E
 * eval seeds per prompt detects with 80% power at alpha / m (m: the planned family size,
 * Bonferroni, conservative for Holm).
 *
 * The components hold for the pilot's eval seeds per prompt E0. Another E changes only the part
 * of the prompt and residual components that is eval-seed noise, which the pilot cannot separate
 * from the prompts' own spread; for E > E0 the MDE printed scales both components by E0 / E, as if
 * all of them were eval-seed noise, so it is a lower bound on what E eval seeds achieve (and for
 * E < E0 an upper bound).
 *
 *     deno run --allow-read docs/reproduce/power.ts PILOT/compare.json FAMILY [P,...] [S,...] [E,...]
 */
import { designSE, minimumDetectable } from "../../stages/evaluate/power.ts";
import type { CompareReport } from "../../stages/evaluate/compare_report.ts";

const [file, familyArg, promptsArg = "96,200,515", seedsArg = "1,2,3,5", evalArg] = Deno.args;
if (file === undefined || familyArg === undefined) {
  console.error("usage: power.ts PILOT/compare.json FAMILY [P,...] [S,...] [E,...]");
  Deno.exit(2);
}
const r = JSON.parse(await Deno.readTextFile(file)) as CompareReport;
const m = Number(familyArg);
const list = (s: string) => s.split(",").map(Number);
const prompts = list(promptsArg);
const seeds = list(seedsArg);
const evalSeeds = list(evalArg ?? String(r.seeds_per_prompt));
console.log(
  `pilot: ${r.prompts} prompts x ${r.seeds_per_prompt} eval seeds; statistic ${r.statistic}; ` +
    `MDE (% points) at alpha ${r.alpha} / ${m}, power 0.8; P prompts, S training seeds, ` +
    `E eval seeds per prompt (E other than ${r.seeds_per_prompt}: a bound, see power.ts)\n`,
);
const designs = prompts.flatMap((p) =>
  seeds.flatMap((s) => evalSeeds.map((e) => [p, s, e] as [number, number, number]))
);
console.log(
  `| comparison | metric | components (prompt, seed A, seed B, residual) | ${
    designs.map(([p, s, e]) => `P ${p}, S ${s}, E ${e}`).join(" | ")
  } |`,
);
console.log(`|---|---|---|${designs.map(() => "---:").join("|")}|`);
for (const c of r.comparisons) {
  const k = c.components;
  // A side with one model in the pilot (the base) keeps one; a trained side gets S seeds.
  const mdes = designs.map(([p, s, e]) => {
    const f = r.seeds_per_prompt / e;
    const scaled = { ...k, prompt: k.prompt * f, residual: k.residual * f };
    const d = { prompts: p, seedsA: c.seeds.a > 1 ? s : 1, seedsB: c.seeds.b > 1 ? s : 1 };
    return (100 * minimumDetectable(designSE(scaled, d), r.alpha / m)).toFixed(1);
  });
  const comps = [k.prompt, k.seedA, k.seedB, k.residual].map((v) => v.toExponential(2));
  console.log(`| ${c.comparison} | ${c.metric} | ${comps.join(", ")} | ${mdes.join(" | ")} |`);
}
