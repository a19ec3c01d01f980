/**
 * Training speed, side by side in one run (issue #13): the pretraining step (batch 48) and the
 * fine-tuning step (64 pairs with the frozen reference) on onnxruntime at 1 thread and at every
 * core, on tfjs-wasm, and in PyTorch CPU (bench/torch_dit.py) at 1 thread and at every core,
 * all from the same base weights (bench/train_steps.ts says what a step holds).
 *
 *   deno task bench train [--json] [--model <dir>]      (default data/models/base-eps)
 *
 * Per runtime and step: steps_per_second (wall) and steps_per_cpu_second (process CPU time, which
 * corrects for a shared machine). Ratios: onnxruntime's step time over PyTorch's at the same
 * thread count (target <= 0.8) and every core over one thread (target >= 1.6), by wall and by
 * CPU time. With --json (bench/mod.ts) the result prints as one JSON object.
 * The fine-tuning step by draws per pair (issue #19) is bench/train_draws_bench.ts.
 */
import { imageValues } from "../models/config.ts";
import { alphasCumprod } from "../models/schedule.ts";
import { loadModel } from "../models/weights.ts";
import { logger } from "../lib/log.ts";
import { conditions, modelDirFromArgs, modelFile } from "./bench_env.ts";
import { ensureTorch } from "./torch_python.ts";
import {
  FINETUNE_PAIRS,
  ortFinetune,
  ortPretrain,
  PRETRAIN_BATCH,
  type StepTimes,
  tfjsFinetune,
  tfjsPretrain,
  torchSteps,
} from "./train_steps.ts";

const log = logger("bench");

export interface TrainBenchOptions {
  /** Model directory. @default {"data/models/base-eps", or --model} */
  model?: string;
  /** Timed steps per runtime after one warm-up: onnxruntime, tfjs-wasm, PyTorch.
   *  @default {[8, 2, 8]} (tfjs-wasm is ~10x slower) */
  steps?: [number, number, number];
}

/** One runtime's figures, or why it was not measured. */
export type Figures = {
  threads: number;
  steps: number;
  steps_per_second: number;
  best_steps_per_second: number;
  steps_per_cpu_second: number;
  cpu_per_wall: number;
} | { skipped: string };

export interface StepResult {
  /** Images per step (pretraining) or pairs per step (fine-tuning). */
  batch: number;
  runtimes: Record<RuntimeName, Figures>;
  /** Step-time ratios (a / b of seconds per step); null where a side was not measured. */
  ratios: Record<string, { wall: number; cpu: number } | null>;
}

export interface TrainBenchResult {
  model: string;
  conditions: string;
  cores: number;
  pretrain: StepResult;
  finetune: StepResult;
  targets: Record<string, boolean | null>;
}

const RUNTIMES = [
  "ort_1_thread",
  "ort_all_cores",
  "tfjs_wasm",
  "torch_1_thread",
  "torch_all_cores",
] as const;
type RuntimeName = typeof RUNTIMES[number];

export function figures(t: StepTimes): Figures {
  if ("skipped" in t) return t;
  const wall = t.perStep.reduce((a, b) => a + b, 0);
  return {
    threads: t.threads,
    steps: t.perStep.length,
    steps_per_second: t.perStep.length / wall,
    best_steps_per_second: 1 / Math.min(...t.perStep),
    steps_per_cpu_second: t.perStep.length / t.cpuSeconds,
    cpu_per_wall: t.cpuSeconds / wall,
  };
}

/** Seconds per step a / b, by wall and by CPU time. */
export function ratio(a: Figures, b: Figures): { wall: number; cpu: number } | null {
  if ("skipped" in a || "skipped" in b) return null;
  return {
    wall: b.steps_per_second / a.steps_per_second,
    cpu: b.steps_per_cpu_second / a.steps_per_cpu_second,
  };
}

function stepResult(batch: number, runtimes: Record<RuntimeName, Figures>): StepResult {
  const r = runtimes;
  return {
    batch,
    runtimes,
    ratios: {
      ort_over_torch_1_thread: ratio(r.ort_1_thread, r.torch_1_thread),
      ort_over_torch_all_cores: ratio(r.ort_all_cores, r.torch_all_cores),
      ort_all_cores_over_1_thread: ratio(r.ort_all_cores, r.ort_1_thread),
      torch_all_cores_over_1_thread: ratio(r.torch_all_cores, r.torch_1_thread),
      tfjs_wasm_over_ort_1_thread: ratio(r.tfjs_wasm, r.ort_1_thread),
    },
  };
}

export async function benchTrain(opts: TrainBenchOptions = {}): Promise<TrainBenchResult> {
  const o = { model: modelDirFromArgs(Deno.args), ...opts };
  const [ortN, tfjsN, torchN] = o.steps ?? [8, 2, 8];
  const file = await modelFile(o.model, "benchmark training");
  const { config: model, weights } = await loadModel(o.model);
  const abar = [...alphasCumprod(model.betaSchedule, model.trainSteps)];
  const cores = navigator.hardwareConcurrency;
  const torchWhy = await ensureTorch();
  const torch = (kind: "pretrain" | "finetune", threads: number) =>
    torchWhy !== null
      ? Promise.resolve({ skipped: torchWhy })
      : torchSteps(kind, file, model, abar, threads, torchN);
  const measure = async (
    kind: "pretrain" | "finetune",
    ort: (threads: number) => Promise<StepTimes>,
    tfjs: () => Promise<StepTimes>,
  ): Promise<Record<RuntimeName, Figures>> => {
    const out = {} as Record<RuntimeName, Figures>;
    const runs: Record<RuntimeName, () => Promise<StepTimes>> = {
      ort_1_thread: () => ort(1),
      ort_all_cores: () => ort(cores),
      tfjs_wasm: tfjs,
      torch_1_thread: () => torch(kind, 1),
      torch_all_cores: () => torch(kind, cores),
    };
    for (const name of RUNTIMES) {
      log.info(`${kind} steps`, { runtime: name });
      try {
        out[name] = figures(await runs[name]());
      } catch (err) {
        out[name] = { skipped: `failed: ${err instanceof Error ? err.message : err}` };
      }
    }
    return out;
  };
  const pretrain = stepResult(
    PRETRAIN_BATCH,
    await measure(
      "pretrain",
      (n) => ortPretrain(model, weights, n, ortN),
      () => tfjsPretrain(model, weights, tfjsN),
    ),
  );
  const finetune = stepResult(
    FINETUNE_PAIRS,
    await measure(
      "finetune",
      (n) => ortFinetune(model, weights, n, ortN),
      () => tfjsFinetune(model, weights, tfjsN),
    ),
  );
  const below = (r: { cpu: number } | null | undefined, limit: number) => r ? r.cpu <= limit : null;
  const above = (r: { wall: number } | null | undefined, limit: number) =>
    r ? 1 / r.wall >= limit : null;
  return {
    model: `${o.model} (${model.parameterization}, ${imageValues(model)} values per image)`,
    conditions: await conditions(),
    cores,
    pretrain,
    finetune,
    targets: {
      pretrain_ort_over_torch_1_thread_le_0_8: below(pretrain.ratios.ort_over_torch_1_thread, 0.8),
      pretrain_ort_over_torch_all_cores_le_0_8: below(
        pretrain.ratios.ort_over_torch_all_cores,
        0.8,
      ),
      finetune_ort_over_torch_1_thread_le_0_8: below(finetune.ratios.ort_over_torch_1_thread, 0.8),
      finetune_ort_over_torch_all_cores_le_0_8: below(
        finetune.ratios.ort_over_torch_all_cores,
        0.8,
      ),
      pretrain_all_cores_ge_1_6x_one_thread: above(
        pretrain.ratios.ort_all_cores_over_1_thread,
        1.6,
      ),
      finetune_all_cores_ge_1_6x_one_thread: above(
        finetune.ratios.ort_all_cores_over_1_thread,
        1.6,
      ),
    },
  };
}

export function formatTrain(r: TrainBenchResult): string {
  const f = (x: number) => x.toFixed(2);
  const table = (title: string, s: StepResult) => [
    `## ${title}`,
    "",
    "| runtime | threads | steps | steps/s | best step, steps/s | steps per CPU-s | CPU / wall |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...RUNTIMES.map((name) => {
      const x = s.runtimes[name];
      if ("skipped" in x) return `| ${name} | - | - | - | - | - | not measured: ${x.skipped} |`;
      return `| ${name} | ${x.threads} | ${x.steps} | ${f(x.steps_per_second)} | ` +
        `${f(x.best_steps_per_second)} | ${f(x.steps_per_cpu_second)} | ${f(x.cpu_per_wall)} |`;
    }),
    "",
    ...Object.entries(s.ratios).map(([k, v]) =>
      `- ${k}: ${v ? `${f(v.wall)} by wall time, ${f(v.cpu)} by CPU time` : "n/a"}`
    ),
    "",
  ];
  return [
    `Training speed of ${r.model}, measured ${r.conditions}.`,
    "",
    ...table(`Pretraining step, batch ${r.pretrain.batch}`, r.pretrain),
    ...table(`Fine-tuning step, ${r.finetune.batch} pairs with the reference`, r.finetune),
    "Targets: " +
    Object.entries(r.targets).map(([k, v]) => `${k} ${v === null ? "n/a" : v}`).join(", "),
  ].join("\n");
}
