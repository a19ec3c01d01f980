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
 * The evaluation samples the base model in every cell (stages/evaluate/compare_models.ts draws base and
 * tuned together, chunk by chunk); with the same seeds its images and scores are identical
 * across cells, which the report checks.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { logger } from "../../lib/log.ts";
import { METHOD } from "../method.ts";
import { type BaseName, BASES } from "./bases.ts";
import type { Size } from "./cell_config.ts";
import { readCellResult } from "./cell_result.ts";
import { selectCells, type SumVariant } from "./cells.ts";
import { baseReport, planBase, type PlannedBase } from "./plan_base.ts";
import { type ReproduceReport, writeReport } from "./report.ts";
import { runCell } from "./run_cell.ts";
import { runConfig } from "./run_config.ts";
import { SHARED_STAGES } from "./share_upstream.ts";

const log = logger("reproduce");

/** The method's first stages, up to score: the part every cell of a base shares. */
const SHARED_METHOD = METHOD.slice(0, SHARED_STAGES.length);
if (SHARED_METHOD.map((s) => s.name).join() !== SHARED_STAGES.join()) {
  throw new Error(`reproduce: the method's first stages are not ${SHARED_STAGES.join(", ")}`);
}

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
  /** Only regenerate the report from the cells on disk. */
  reportOnly: boolean;
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
      await planBase({ base, model: o.models[base], out: o.out, size: o.size, sum: o.sum }),
    );
  }
  const report = (): ReproduceReport => ({
    size: o.size,
    sum: o.sum,
    generated: new Date().toISOString(),
    bases: plans.map(baseReport),
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
    const todo = selectCells(p.cells.map((c) => c.cell), o.only)
      .map((cell) => p.cells.find((c) => c.cell === cell)!)
      .filter((c) => c.status !== "done");
    for (const c of p.cells) {
      if (c.status === "done" && (o.only === null || o.only.includes(c.cell.name))) {
        log.info(`${p.base}/${c.cell.name}: done, skipped (${c.dir}/result.json)`);
      }
    }
    if (todo.length === 0) continue;
    if (todo.some((c) => c.cell.kind === "run")) {
      const t0 = performance.now();
      log.info(`${p.base}: shared stages ${SHARED_STAGES.join(", ")} in ${p.dir}/upstream`);
      try {
        const r = await runConfig(p.shared, o.signal, SHARED_METHOD);
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
          p.cells.find((x) => x.cell.name === n)?.status !== "done"
        );
        if (notDone.length > 0) {
          Object.assign(c, {
            status: "failed",
            error: `needs cells ${notDone.join(", ")} complete first`,
          });
          log.error(`${p.base}/${c.cell.name}: ${c.error}`);
          failed = true;
          await write();
          continue;
        }
      }
      log.info(`${p.base}/${c.cell.name}: running (rerun alone: ${c.rerun})`);
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
        log.info(`${p.base}/${c.cell.name}: done`, {
          seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
        });
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        Object.assign(c, { status: "failed", error: msg });
        log.error(`${p.base}/${c.cell.name}: failed: ${msg}`);
        if (Deno.env.get("CAPO_DEBUG")) console.error(err);
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
