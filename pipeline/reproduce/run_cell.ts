/**
 * Runs one cell and records its result.json:
 *
 * - a run cell: link the base's shared prompts/generate/score into the cell's directory
 *   (share_upstream.ts), run its config in this process (calibrate, select, train, then the
 *   trainer's evaluation hook writes `<cell>/eval/eval.json`);
 * - a soup cell: average the input cells' fine-tuned models (stages/train/soup.ts) into
 *   `<cell>/model`, then evaluate it against the base with the run cells' options.
 *
 * Model code (tfjs, onnxruntime) is imported here lazily, so planning and reporting load none.
 * Returns false when the run was cancelled (nothing recorded).
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import type { RunConfig } from "../config.ts";
import type { EvalReport } from "../../stages/evaluate/eval_report.ts";
import { RESULT_FORMAT, writeCellResult } from "./cell_result.ts";
import { winPerPrompt } from "./seed_aggregate.ts";
import type { PlannedBase, PlannedCell, SoupConfig } from "./plan_base.ts";
import { driveRun } from "../drive_run.ts";
import type { StageName } from "../method.ts";
import type { RunResult } from "../runner.ts";
import { shareUpstream } from "./share_upstream.ts";
import { type TrainDiagnostics, trainDiagnostics } from "./train_diagnostics.ts";

async function readJson<T>(path: string, what: string): Promise<T> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (err) {
    throw new Error(`Cannot read ${what} ${path}: ${err instanceof Error ? err.message : err}`);
  }
}

async function record(
  base: PlannedBase,
  c: PlannedCell,
  t0: number,
  train: { pairs: number; steps: number } | null,
  training: TrainDiagnostics | null,
): Promise<void> {
  const full = await readJson<EvalReport>(
    join(c.dir, "eval", "eval.json"),
    "the evaluation",
  );
  // Per-image scores stay in the cell's eval.json; the result keeps the tables' numbers and
  // the per-prompt wins that aggregate training seeds.
  const { per_image: _perImage, ...report } = full;
  await writeCellResult(c.dir, {
    format: RESULT_FORMAT,
    base: base.base,
    cell: c.name,
    identity: c.identity,
    seconds: (performance.now() - t0) / 1000,
    pairs: train?.pairs ?? null,
    steps: train?.steps ?? null,
    rerun: c.rerun,
    eval: report,
    training,
    win_per_prompt: winPerPrompt(full),
    finished: new Date().toISOString(),
  });
}

/**
 * Runs one config through the run driver to its end: unlike `capo run`, a stage that cannot be
 * built (no base model, no reward manifests) is an error, since a cell must run to its end. A
 * failed stage throws; a cancel is returned.
 */
export async function runToEnd(
  cfg: RunConfig,
  signal: AbortSignal,
  upTo: StageName = "train",
): Promise<RunResult> {
  const result = await driveRun(cfg, { upTo, unavailable: "error", signal });
  if (result.status === "failed") throw result.error ?? new Error(result.summary);
  return result;
}

export async function runCell(
  base: PlannedBase,
  c: PlannedCell,
  signal: AbortSignal,
): Promise<boolean> {
  const t0 = performance.now();
  await Deno.mkdir(c.dir, { recursive: true });
  if (c.cell.kind === "run") {
    await shareUpstream(join(base.dir, "upstream"), c.dir);
    const result = await runToEnd(c.config as RunConfig, signal);
    if (result.status === "cancelled") return false;
    const train = await readJson<{ pairs: number; steps: number; options: { beta: number } }>(
      join(c.dir, "train", "summary.json"),
      "the training summary",
    );
    const logPath = join(c.dir, "train", "log.jsonl");
    const training = trainDiagnostics(
      await Deno.readTextFile(logPath),
      train.options.beta,
      logPath,
    );
    await record(base, c, t0, train, training);
    return true;
  }
  const soup = c.config as SoupConfig;
  await writeFileAtomic(join(c.dir, "config.json"), JSON.stringify(soup, null, 2) + "\n");
  const { soupModels } = await import("../../stages/train/soup.ts");
  await soupModels(soup.inputs, soup.out, { onnx: true });
  if (signal.aborted) return false;
  const { evaluateModelDirs, evalCacheDir } = await import("../../stages/evaluate/run_eval.ts");
  await evaluateModelDirs(
    soup.base_model,
    soup.out,
    soup.evaluate,
    join(c.dir, "eval"),
    soup.evaluate.cache ? evalCacheDir(c.dir) : null,
  );
  await record(base, c, t0, null, null);
  return true;
}
