/**
 * The fine-tuning run over collected pairs, with checkpoints and exact resume:
 *
 * 1. identity = sha256(training options, base and reference weights, pairs fingerprint);
 * 2. resume from `<dir>/checkpoint.safetensors` if its identity matches; a checkpoint of
 *    another identity (changed config, model or pairs) is moved to `<runDir>/.stale/` with a
 *    warning, never mixed in; the per-step log is cut back to the checkpoint's step;
 * 3. steps = max_steps ?? ceil(epochs * pairs / batch_pairs); step k trains on the pairs at
 *    positions [kB, (k+1)B) of the seeded data order; one JSON line per step in `log.jsonl`;
 *    every `probe_every` steps the gap estimator's probe on the first batch_pairs pairs joins that line;
 *    a snapshot of the model every `snapshot_every` steps (train/snapshots/step-<k>/);
 *    a checkpoint every `checkpoint_every` steps, at the end, and when `signal` aborts
 *    (SIGINT/SIGTERM: the run stops at a step boundary and resumes from there);
 * 4. the fine-tuned model: `<dir>/model.safetensors` + `config.json` (+ `model.onnx`), and
 *    `summary.json`.
 * A SIGKILL loses at most the steps since the last checkpoint; they are redone identically.
 */
import { join } from "node:path";
import { denoiserOnnx } from "../../models/export_onnx.ts";
import { OrtDenoiser } from "../../models/ort_denoiser.ts";
import { resolveThreads } from "../../models/ort_train_session.ts";
import { writeFileAtomic } from "../../models/safetensors.ts";
import { saveModel } from "../../models/weights.ts";
import { canonicalJson, sha256Hex } from "../../lib/hash.ts";
import { logger, Progress } from "../../lib/log.ts";
import { DataOrder } from "./data_order.ts";
import {
  type FineTuneCheckpoint,
  loadFineTuneCheckpoint,
  saveFineTuneCheckpoint,
} from "./finetune_checkpoint.ts";
import type { PairData } from "./pair_data.ts";
import { PreferenceTrainer, type StepMetrics } from "./preference_trainer.ts";
import type { LoadedModel } from "./reference.ts";
import { type TrainerOptions, trainingIdentity } from "./trainer_options.ts";

const log = logger("train");

export interface FineTuneInput {
  options: TrainerOptions;
  base: LoadedModel;
  reference: LoadedModel;
  data: PairData;
  /** Where the checkpoint, log and fine-tuned model go (the sink's stage directory). */
  dir: string;
  /** Where a stale checkpoint is moved (`<runDir>/.stale/`). */
  staleDir: string;
  /** Aborted on cancel: training stops after the current step, with a checkpoint. */
  signal?: AbortSignal;
  /** Called after every step. */
  onStep?: (m: StepMetrics) => void;
  /** onnxruntime intra-op threads of the policy's training graph and of the reference; null
   *  or absent: one per core. Exact resume needs the same machine and count. @default {null} */
  threads?: number | null;
}

export interface FineTuneResult {
  /** The directory holding model.safetensors, config.json (and model.onnx). */
  modelDir: string;
  /** The base model's directory (the policy's start and, by default, the reference). */
  baseDir: string;
  identity: string;
  steps: number;
  pairs: number;
  /** Steps computed by this call (0 if a finished run was found). */
  stepsRun: number;
  /** Mean seconds per step of this call (NaN if none ran). */
  stepSeconds: number;
  /** Metrics of the last step computed by this call (null if none ran). */
  last: StepMetrics | null;
}

/**
 * The model at the current step as a model directory (a snapshot): written before the step's
 * checkpoint, so a crash in between redoes the step and rewrites the same snapshot.
 */
async function writeSnapshot(
  to: string,
  config: Parameters<typeof saveModel>[1],
  trainer: PreferenceTrainer,
  o: TrainerOptions,
): Promise<void> {
  const weights = trainer.weights();
  await saveModel(to, config, weights);
  if (o.export_onnx) await writeFileAtomic(join(to, "model.onnx"), denoiserOnnx(config, weights));
}

/** Total steps for P pairs. */
export function totalSteps(o: TrainerOptions, pairs: number): number {
  return o.max_steps ?? Math.max(1, Math.ceil(o.epochs * pairs / o.batch_pairs));
}

export async function fineTune(input: FineTuneInput): Promise<FineTuneResult> {
  const { options: o, base, reference, data, dir } = input;
  if (data.size === 0) {
    throw new RangeError(
      `Cannot train as no pairs were selected: ${data.groups} prompt group(s) arrived and none ` +
        `had a pair (check the select stage's method and its no_pair count)`,
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  const steps = totalSteps(o, data.perEpoch);
  // 1. identity
  const identity = sha256Hex(canonicalJson({
    options: trainingIdentity(o),
    base: base.hash,
    reference: reference.hash,
    pairs: data.fingerprint(),
  }));
  const ckptPath = join(dir, "checkpoint.safetensors");
  const logPath = join(dir, "log.jsonl");
  const summaryPath = join(dir, "summary.json");
  // 2. resume or start
  let ckpt = await loadFineTuneCheckpoint(ckptPath);
  if (ckpt !== null && ckpt.identity !== identity) {
    const to = await moveAside(dir, input.staleDir, ckpt.identity);
    log.warn(
      `train config, base model or pairs changed (${ckpt.identity.slice(0, 12)} -> ` +
        `${identity.slice(0, 12)}): starting over; the old checkpoint moved to ${to}`,
    );
    ckpt = null;
  }
  const done = await readSummary(summaryPath);
  if (ckpt !== null && ckpt.step >= steps && done?.identity === identity) {
    log.info("training already finished for these pairs and options", { steps, dir });
    return {
      ...done,
      modelDir: dir,
      baseDir: base.dir,
      stepsRun: 0,
      stepSeconds: NaN,
      last: null,
    };
  }
  await truncateLog(logPath, ckpt?.step ?? 0);
  const threads = resolveThreads(input.threads);
  const session = await OrtDenoiser.create(reference.config, reference.weights, {
    intraOpThreads: threads,
  });
  const trainer = ckpt === null
    ? PreferenceTrainer.create(base.config, base.weights, o, session, { threads })
    : PreferenceTrainer.restore(ckpt, o, session, { threads });
  if (ckpt?.threads !== undefined && ckpt.threads !== threads) {
    log.warn(
      `resuming on ${threads} onnxruntime threads where the checkpoint ran on ${ckpt.threads}: ` +
        "training continues, but not bit for bit as an uninterrupted run would",
    );
  }
  const save = () =>
    saveFineTuneCheckpoint(
      ckptPath,
      {
        ...trainer.snapshot(),
        identity,
        options: JSON.stringify(o),
      } satisfies FineTuneCheckpoint,
    );
  log.info(ckpt === null ? "training" : `resuming at step ${ckpt.step}`, {
    loss: o.loss,
    pairs: data.size,
    steps,
    batch_pairs: o.batch_pairs,
    beta: o.beta,
    lr: o.lr,
    threads,
  });
  // 3. steps
  const order = new DataOrder(o.seed, data.perEpoch, (epoch) => data.epochPairs(epoch));
  const probeBatch = o.probe_every > 0
    ? data.batch(Array.from({ length: Math.min(o.batch_pairs, data.size) }, (_, i) => i))
    : null;
  const bar = new Progress("train", steps - trainer.step);
  const first = trainer.step;
  let last: StepMetrics | null = null;
  let seconds = 0;
  try {
    while (trainer.step < steps) {
      input.signal?.throwIfAborted();
      const m = await trainer.trainStep(
        data.batch(order.batch(trainer.step, o.batch_pairs)),
        steps,
      );
      if (probeBatch !== null && m.step % o.probe_every === 0) {
        Object.assign(m, await trainer.probe(probeBatch));
      }
      last = m;
      seconds += m.seconds;
      await Deno.writeTextFile(logPath, JSON.stringify(m) + "\n", { append: true });
      bar.tick(1, { loss: m.loss, acc: m.accuracy, corr: m.correlation ?? NaN, lr: m.lr });
      input.onStep?.(m);
      if (o.snapshot_every !== null && m.step % o.snapshot_every === 0 && m.step < steps) {
        await writeSnapshot(join(dir, "snapshots", `step-${m.step}`), base.config, trainer, o);
      }
      if (m.step % o.checkpoint_every === 0 && m.step < steps) await save();
    }
    await save();
  } catch (err) {
    if (input.signal?.aborted && trainer.step > first) {
      await save();
      log.info(`stopped at step ${trainer.step} of ${steps}; checkpoint written`, { dir });
    }
    await trainer.dispose();
    await session.release();
    throw err;
  }
  // 4. the fine-tuned model
  const weights = trainer.weights();
  await trainer.dispose();
  await session.release();
  await saveModel(dir, base.config, weights);
  if (o.export_onnx) {
    await writeFileAtomic(join(dir, "model.onnx"), denoiserOnnx(base.config, weights));
  }
  const result: FineTuneResult = {
    modelDir: dir,
    baseDir: base.dir,
    identity,
    steps,
    pairs: data.size,
    stepsRun: steps - first,
    stepSeconds: seconds / Math.max(1, steps - first),
    last,
  };
  const { modelDir: _m, baseDir: _b, last: _l, stepsRun: _s, stepSeconds: _t, ...summary } = result;
  await writeFileAtomic(
    summaryPath,
    new TextEncoder().encode(JSON.stringify({ ...summary, options: o }, null, 2) + "\n"),
  );
  log.info("fine-tuned model written", {
    dir,
    steps,
    step_seconds: Number(result.stepSeconds.toFixed(3)),
  });
  return result;
}

async function readSummary(path: string): Promise<
  { identity: string; steps: number; pairs: number } | null
> {
  try {
    const s = JSON.parse(await Deno.readTextFile(path));
    return typeof s.identity === "string" ? s : null;
  } catch {
    return null;
  }
}

/** Keeps the log lines of steps <= `step` (the ones the checkpoint includes). */
async function truncateLog(path: string, step: number): Promise<void> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const keep = text.split("\n").filter((line) => {
    if (line === "") return false;
    try {
      return JSON.parse(line).step <= step;
    } catch {
      return false; // a line torn by a kill
    }
  });
  await writeFileAtomic(path, new TextEncoder().encode(keep.map((l) => l + "\n").join("")));
}

/** Moves the trainer's files out of `dir` into `<staleDir>/train-<identity12>`; returns it. */
async function moveAside(dir: string, staleDir: string, identity: string): Promise<string> {
  let target = join(staleDir, `train-${identity.slice(0, 12)}`);
  try {
    await Deno.stat(target);
    target += `-${Date.now()}`;
  } catch { /* free */ }
  await Deno.mkdir(target, { recursive: true });
  for (const f of TRAINER_FILES) {
    try {
      await Deno.rename(join(dir, f), join(target, f));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return target;
}

/** The files the trainer writes in its directory. */
export const TRAINER_FILES = [
  "checkpoint.safetensors",
  "log.jsonl",
  "summary.json",
  "model.safetensors",
  "config.json",
  "model.onnx",
];
