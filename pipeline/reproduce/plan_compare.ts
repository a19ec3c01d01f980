/**
 * A frozen plan's declared comparisons on one base (`capo compare` on the cells' models): each
 * cell's models are its training seeds' (a run cell's train/, a soup's model/), all scored on
 * the plan's evaluation prompts and seeds, from the base's eval cache where each cell's own
 * evaluation left them. Kept in <base>/compare/compare.{json,md} with the identity of the cells
 * and comparisons it was computed from, so a rerun reuses it only while that still holds.
 */
import { join } from "node:path";
import { hashJson } from "../../lib/hash.ts";
import { readTextIfExists } from "../../lib/read_if_exists.ts";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { COMPARE_DEFAULTS, type CompareOptions } from "../../stages/evaluate/compare_options.ts";
import type { CompareReport } from "../../stages/evaluate/compare_report.ts";
import type { PlannedBase } from "./plan_base.ts";
import type { ReproducePlan } from "./repro_plan.ts";

const dirOf = (p: PlannedBase) => join(p.dir, "compare");

/** The options of the base's comparisons: the plan's family over the cells' models. */
export function planCompareOptions(p: PlannedBase, plan: ReproducePlan): CompareOptions {
  const cells: Record<string, string[]> = {};
  for (const c of p.cells) {
    const model = c.cell.kind === "soup" ? join(c.dir, "model") : join(c.dir, "train");
    (cells[c.cell.name] ??= []).push(model);
  }
  return {
    ...COMPARE_DEFAULTS,
    base: p.model,
    cells,
    comparisons: plan.compare.comparisons,
    metrics: plan.compare.metrics,
    statistic: plan.compare.statistic,
    alpha: plan.compare.alpha,
    cache_dir: join(p.dir, "eval-cache"),
    evaluate: p.shared.evaluate,
  };
}

const identityOf = (p: PlannedBase, plan: ReproducePlan) =>
  hashJson({ cells: p.cells.map((c) => c.identity), compare: plan.compare });

/** The stored comparisons if they were computed from exactly these cells and comparisons. */
export async function readPlanCompare(
  p: PlannedBase,
  plan: ReproducePlan,
): Promise<CompareReport | null> {
  const text = await readTextIfExists(join(dirOf(p), "identity.json"));
  if (text === null || JSON.parse(text).identity !== identityOf(p, plan)) return null;
  const report = await readTextIfExists(join(dirOf(p), "compare.json"));
  return report === null ? null : JSON.parse(report) as CompareReport;
}

export async function runPlanCompare(p: PlannedBase, plan: ReproducePlan): Promise<CompareReport> {
  const { runCompare } = await import("../../stages/evaluate/run_compare.ts");
  const report = await runCompare(planCompareOptions(p, plan), dirOf(p));
  await writeFileAtomic(
    join(dirOf(p), "identity.json"),
    JSON.stringify({ identity: identityOf(p, plan) }) + "\n",
  );
  return report;
}
