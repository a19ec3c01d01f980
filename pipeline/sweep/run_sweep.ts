/**
 * Runs a sweep plan (sweep_plan.ts): the shared stages once in runs/sweep/<name>/upstream, then
 * every point not yet in the record, each a run in runs/sweep/<name>/<point>/ that links the
 * shared stages (reproduce/share_upstream.ts) and computes calibrate, select, train and the
 * dev evaluation. Each finished point is appended to the record at once, so killing the sweep
 * loses at most the point in progress, and running it again continues where it stopped.
 */
import { join } from "node:path";
import { sha256Hex } from "../../lib/hash.ts";
import { logger } from "../../lib/log.ts";
import type { EvalReport } from "../../stages/evaluate/eval_report.ts";
import { parseTrainLog } from "../../stages/train/train_log.ts";
import { cellIdentity } from "../reproduce/cell_result.ts";
import { resultConfig } from "../reproduce/plan_base.ts";
import { runRerunLine } from "../reproduce/rerun_line.ts";
import { runToEnd } from "../reproduce/run_cell.ts";
import { SHARED_UP_TO, shareUpstream } from "../reproduce/share_upstream.ts";
import { trainDiagnostics } from "../reproduce/train_diagnostics.ts";
import { readManifest } from "../stage_store.ts";
import {
  describePlan,
  sharedConfig,
  type SweepPlan,
  type SweepPoint,
  sweepPoints,
} from "./sweep_plan.ts";
import {
  appendRecord,
  type CurvePoint,
  readRecords,
  RECORD_FORMAT,
  type SweepRecord,
  type WinCell,
} from "./sweep_record.ts";
import type { Interval } from "../../stages/evaluate/bootstrap.ts";

export interface SweepResult {
  status: "done" | "cancelled";
  ran: number;
  skipped: number;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(path)) as T;
}

/** An interval as a record's win-rate cell. */
const winCell = (i: Interval): WinCell => ({ win_rate: i.estimate, low: i.low, high: i.high });

/** A dev evaluation as a curve point. */
function curvePoint(step: number, ev: EvalReport): CurvePoint {
  return {
    step,
    rewards: Object.fromEntries(ev.rewards.map((r) => [r.reward, {
      ...winCell(r.win_rate),
      mean_tuned: r.mean_tuned,
    }])),
    shapeeval: ev.shapeeval
      ? {
        tuned: ev.shapeeval.tuned.overall,
        ...winCell(ev.shapeeval.win_rate),
      }
      : null,
  };
}

/**
 * Every snapshot of a point's training (train/snapshots/step-<k>/) evaluated against the base
 * with the point's evaluation options (scores cached like the run's own), then the final model.
 */
async function pointCurve(p: SweepPoint, final: EvalReport, steps: number): Promise<CurvePoint[]> {
  const { evaluateModelDirs } = await import("../../stages/evaluate/run_eval.ts");
  const dir = join(p.config.runs_dir, p.name, "train", "snapshots");
  const snaps = [];
  for await (const e of Deno.readDir(dir)) {
    const m = /^step-(\d+)$/.exec(e.name);
    if (e.isDirectory && m) snaps.push(Number(m[1]));
  }
  snaps.sort((a, b) => a - b);
  const cache = p.config.evaluate.cache ? join(p.config.runs_dir, "eval-cache") : null;
  const out: CurvePoint[] = [];
  for (const step of snaps) {
    const snap = join(dir, `step-${step}`);
    const ev = await evaluateModelDirs(
      p.config.train.model,
      snap,
      p.config.evaluate,
      join(snap, "eval"),
      cache,
    );
    out.push(curvePoint(step, ev));
  }
  return [...out, curvePoint(steps, final)];
}

/** The record line of a finished point, from the files its run wrote. */
async function pointRecord(
  plan: SweepPlan,
  p: SweepPoint,
  identity: string,
  seconds: number,
): Promise<SweepRecord> {
  const dir = join(p.config.runs_dir, p.name);
  const ev = await readJson<EvalReport>(join(dir, "eval", "eval.json"));
  const logPath = join(dir, "train", "log.jsonl");
  const logText = await Deno.readTextFile(logPath);
  const steps = parseTrainLog(logText, logPath);
  const calibrate = await readManifest(join(dir, "calibrate"), { index: 0, count: 1 });
  const training = trainDiagnostics(logText, p.config.train.beta, logPath);
  const { cache: _cache, ...evaluate } = p.config.evaluate;
  return {
    format: RECORD_FORMAT,
    sweep: plan.name,
    plan: plan.source,
    point: p.values,
    seed: p.seed,
    identity,
    finished: new Date().toISOString(),
    seconds: Number(seconds.toFixed(1)),
    dev: {
      prompts: p.config.evaluate.prompts,
      prompt_count: ev.prompts,
      seeds_per_prompt: ev.seeds_per_prompt,
      images: ev.images,
      rewards: Object.fromEntries(ev.rewards.map((r) => [r.reward, {
        ...winCell(r.win_rate),
        mean_base: r.mean_base,
        mean_tuned: r.mean_tuned,
      }])),
      shapeeval: ev.shapeeval
        ? {
          base: ev.shapeeval.base.overall,
          tuned: ev.shapeeval.tuned.overall,
          ...winCell(ev.shapeeval.win_rate),
        }
        : null,
    },
    training: {
      ...training,
      step_seconds: steps.reduce((a, s) => a + s.seconds, 0) / steps.length,
    },
    ...(plan.curve ? { curve: await pointCurve(p, ev, training.steps) } : {}),
    tau: ((calibrate?.config ?? {}) as { tau?: Record<string, number> }).tau ?? {},
    config: {
      calibrate: p.config.calibrate,
      select: p.config.select,
      train: p.config.train,
      evaluate,
    },
    rerun: runRerunLine(dir),
  };
}

export async function runSweep(
  plan: SweepPlan,
  opts: { runsDir: string; signal: AbortSignal; upstreamOnly?: boolean },
): Promise<SweepResult> {
  const log = logger("sweep");
  const shared = sharedConfig(plan, opts.runsDir);
  const points = sweepPoints(plan, shared);
  log.info(describePlan(plan, points.length));
  const weights = sha256Hex(await Deno.readFile(join(shared.generate.model, "model.safetensors")));
  const identity = (p: SweepPoint) =>
    cellIdentity({ config: resultConfig(p.config), baseWeights: weights });
  const done = new Set((await readRecords(plan.record)).map((r) => r.identity));
  const todo = points.filter((p) => !done.has(identity(p)));
  const skipped = points.length - todo.length;
  if (skipped > 0) log.info(`${skipped} of ${points.length} points already in ${plan.record}`);
  if (todo.length === 0 && !opts.upstreamOnly) return { status: "done", ran: 0, skipped };
  const up = await runToEnd(shared, opts.signal, SHARED_UP_TO);
  if (up.status === "cancelled") return { status: "cancelled", ran: 0, skipped };
  if (opts.upstreamOnly) {
    log.info(`shared stages ready in ${join(shared.runs_dir, shared.name)}`);
    return { status: "done", ran: 0, skipped };
  }
  let ran = 0;
  for (const p of todo) {
    if (opts.signal.aborted) return { status: "cancelled", ran, skipped };
    const dir = join(p.config.runs_dir, p.name);
    log.info(`point ${ran + skipped + 1}/${points.length}: ${p.name}`);
    const t0 = performance.now();
    await shareUpstream(join(shared.runs_dir, shared.name), dir);
    const r = await runToEnd(p.config, opts.signal);
    if (r.status === "cancelled") return { status: "cancelled", ran, skipped };
    await appendRecord(
      plan.record,
      await pointRecord(plan, p, identity(p), (performance.now() - t0) / 1000),
    );
    ran++;
  }
  return { status: "done", ran, skipped };
}
