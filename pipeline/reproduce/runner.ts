/**
 * `deno task reproduce`: the paper's two tables at our scale, per base.
 *
 * 1. Plan every base (plan_base.ts): cells, configs, identities, what is already done. A base
 *    whose model is missing is reported with a warning and skipped; the others still run.
 * 2. Per base with a cell to do: run the shared stages once (prompts -> generate -> score, the
 *    expensive part, identical for every cell) as the run `<out>/<base>/upstream`.
 * 3. Run each selected cell that is not done (run_cell.ts), in table order (every soup after
 *    the single-reward cells it averages). A failed cell is reported and the others go on.
 * 4. After every cell, and at the end, rewrite `<out>/reproduce.{md,json}` from every cell of
 *    every base that is complete on disk (atomically).
 * The base model is sampled and scored once per base: every cell's evaluation reads its scores
 * from `<out>/<base>/eval-cache/` (evaluate.cache, stages/evaluate/score_cache.ts), keyed by
 * the base's weights, prompts, seeds, sampler settings and rewards; the report checks that the
 * base's means agree across cells.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { logger } from "../../lib/log.ts";
import { type BaseName, BASES } from "./bases.ts";
import { seedName, type Size } from "./cell_config.ts";
import { readCellResult } from "./cell_result.ts";
import { selectCells, type SumVariant } from "./cells.ts";
import { baseReport, planBase, type PlannedBase } from "./plan_base.ts";
import { type ReproduceReport, writeReport } from "./report.ts";
import { runCell, runToEnd } from "./run_cell.ts";
import { SHARED_STAGES, SHARED_UP_TO } from "./share_upstream.ts";
import type { ReproducePlan } from "./repro_plan.ts";
import type { CompareReport } from "../../stages/evaluate/compare_report.ts";
import { readPlanCompare, runPlanCompare } from "./plan_compare.ts";

const log = logger("reproduce");

export interface ReproduceOptions {
  size: Size;
  /** The bases to run (the report covers both). */
  bases: readonly BaseName[];
  models: Record<BaseName, string>;
  /** Cell names to run; null: all. */
  only: readonly string[] | null;
  /** Where cells and the report go. */
  out: string;
  sum: SumVariant;
  /** Training seeds per cell (select.seed and train.seed offset by 0 .. seeds - 1). @default {1} */
  seeds?: number;
  /** Only regenerate the report from the cells on disk. */
  reportOnly: boolean;
  /** A frozen plan (repro_plan.ts): its seeds, config, trainers, cells and comparisons. */
  plan?: ReproducePlan | null;
  signal: AbortSignal;
}

export interface ReproduceOutcome {
  status: "done" | "failed" | "cancelled";
  plans: PlannedBase[];
  report: ReproduceReport;
}

export async function reproduce(o: ReproduceOptions): Promise<ReproduceOutcome> {
  const plans: PlannedBase[] = [];
  for (const base of BASES) {
    plans.push(
      await planBase({
        base,
        model: o.models[base],
        out: o.out,
        size: o.size,
        sum: o.sum,
        seeds: o.plan?.seeds ?? o.seeds ?? 1,
        ...(o.plan ? { plan: o.plan } : {}),
      }),
    );
  }
  const compares = new Map<string, CompareReport | null>();
  if (o.plan) {
    for (const p of plans) compares.set(p.base, await readPlanCompare(p, o.plan));
  }
  const report = (): ReproduceReport => ({
    size: o.size,
    plan: o.plan?.source ?? null,
    claims: o.plan?.claims ?? {},
    sum: o.sum,
    generated: new Date().toISOString(),
    bases: plans.map((p) => ({ ...baseReport(p), compare: compares.get(p.base) ?? null })),
  });
  const write = async () => await writeReport(o.out, report());
  let failed = false;
  let cancelled = false;
  for (const p of plans) {
    if (o.reportOnly || !o.bases.includes(p.base) || cancelled) continue;
    if (p.missing !== null) {
      log.warn(`${p.base} base not run: ${p.missing}`);
      continue;
    }
    // Every training seed of the selected cells, seed by seed (soups after their inputs).
    const chosen = new Set(
      selectCells([...new Map(p.cells.map((c) => [c.cell.name, c.cell])).values()], o.only)
        .map((cell) => cell.name),
    );
    const todo = p.cells.filter((c) => chosen.has(c.cell.name) && c.status !== "done");
    for (const c of p.cells) {
      if (c.status === "done" && chosen.has(c.cell.name)) {
        log.info(`${p.base}/${c.name}: done, skipped (${c.dir}/result.json)`);
      }
    }
    if (todo.length === 0) continue;
    if (todo.some((c) => c.cell.kind === "run")) {
      const t0 = performance.now();
      log.info(`${p.base}: shared stages ${SHARED_STAGES.join(", ")} in ${p.dir}/upstream`);
      try {
        const r = await runToEnd(p.shared, o.signal, SHARED_UP_TO);
        if (r.status === "cancelled") {
          cancelled = true;
          continue;
        }
        if (r.stages.some((s) => s.computed > 0)) {
          p.sharedSeconds = (performance.now() - t0) / 1000;
          await writeFileAtomic(
            join(p.dir, "upstream", "timing.json"),
            JSON.stringify({ seconds: p.sharedSeconds, stages: r.summary }, null, 2) + "\n",
          );
        }
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        log.error(`${p.base}: shared stages failed: ${msg}`);
        for (const c of todo) {
          Object.assign(c, { status: "failed", error: `shared stages: ${msg}` });
        }
        failed = true;
        await write();
        continue;
      }
      log.info(`${p.base}: shared stages ready`, {
        seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
      });
    }
    for (const c of todo) {
      if (o.signal.aborted) {
        cancelled = true;
        break;
      }
      if (c.cell.kind === "soup") {
        const notDone = c.cell.inputs.filter((n) =>
          p.cells.find((x) => x.cell.name === n && x.seed === c.seed)?.status !== "done"
        ).map((n) => seedName(n, c.seed));
        if (notDone.length > 0) {
          Object.assign(c, {
            status: "failed",
            error: `needs cells ${notDone.join(", ")} complete first`,
          });
          log.error(`${p.base}/${c.name}: ${c.error}`);
          failed = true;
          await write();
          continue;
        }
      }
      log.info(`${p.base}/${c.name}: running (rerun alone: ${c.rerun})`);
      const t0 = performance.now();
      try {
        if (!(await runCell(p, c, o.signal))) {
          cancelled = true;
          break;
        }
        const r = await readCellResult(c.dir);
        if (r === null || r.identity !== c.identity) {
          throw new Error(`the cell ran but ${c.dir}/result.json does not hold its identity`);
        }
        Object.assign(c, { status: "done", result: r });
        log.info(`${p.base}/${c.name}: done`, {
          seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
        });
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        Object.assign(c, { status: "failed", error: msg });
        log.error(`${p.base}/${c.name}: failed: ${msg}`);
        if (Deno.env.get("CAPO_DEBUG")) console.error(err);
        failed = true;
      }
      await write();
    }
    if (
      o.plan && !cancelled && compares.get(p.base) === null &&
      p.cells.every((c) => c.status === "done")
    ) {
      log.info(`${p.base}: the plan's declared comparisons (${o.plan.compare.comparisons.length})`);
      try {
        compares.set(p.base, await runPlanCompare(p, o.plan));
      } catch (err) {
        log.error(`${p.base}: comparisons failed: ${err instanceof Error ? err.message : err}`);
        failed = true;
      }
      await write();
    }
  }
  const final = report();
  await writeReport(o.out, final);
  return { status: cancelled ? "cancelled" : failed ? "failed" : "done", plans, report: final };
}

export const reportPaths = (
  out: string,
) => [join(out, "reproduce.md"), join(out, "reproduce.json")];
