/**
 * Pretraining steps per second per core, for bench/sample_bench.ts: models/trainer.ts' step
 * (tfjs-wasm) beside the same step in PyTorch on one thread (bench/torch_dit.py: same
 * architecture, same loss, AdamW with the same decay set, clipping, EMA), both at batch 48 from
 * the base's weights with the train config of models/configs/base-<parameterization>.json.
 *
 * Both sides time the network step, not data loading: tfjs cycles through pre-rendered
 * ShapeWorld examples, PyTorch through a fixed pool of tensors.
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "../models/config.ts";
import { blasMatMulActive, useBlasMatMul } from "../models/blas_matmul.ts";
import { denoiserSpecs } from "../models/denoiser.ts";
import { DenoiserTrainer, type Example } from "../models/trainer.ts";
import { parseTrainConfig, type TrainConfig } from "../models/train_config.ts";
import { logger } from "../lib/log.ts";
import { Rng } from "../lib/rng.ts";
import { corpusItem } from "../shapeworld/mod.ts";
import { timeEach } from "./rate_table.ts";
import { torchRequest } from "./torch_python.ts";

const log = logger("bench");

/** The pretraining batch the brief and models/train_config.ts default to. */
export const TRAIN_BATCH = 48;

/** Seconds of each timed step, or why there are none. */
export type StepRate = { perStep: number[]; cpuSeconds: number } | { skipped: string };

export interface TrainBenchResult {
  batch: number;
  /** The loss in words (parameterisation, weighting, optimiser). */
  loss: string;
  tfjs: StepRate;
  /** The same tfjs-wasm step with matMul through OpenBLAS (models/blas_matmul.ts). */
  tfjsBlas: StepRate;
  torch: StepRate;
}

export interface TrainBenchOptions {
  /** Steps timed after one warm-up step. */
  tfjsSteps: number;
  torchSteps: number;
  /** False when torch is missing or failed parity; `torchWhy` says why. */
  torchReady: boolean;
  torchWhy: string;
}

async function trainConfigFor(model: ModelConfig): Promise<TrainConfig> {
  const url = new URL(`../models/configs/base-${model.parameterization}.json`, import.meta.url);
  const raw = JSON.parse(await Deno.readTextFile(url)) as { train: object };
  return parseTrainConfig({ ...raw.train, batchSize: TRAIN_BATCH });
}

export async function trainBench(
  file: string,
  model: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
  abar: number[],
  o: TrainBenchOptions,
): Promise<TrainBenchResult> {
  const train = await trainConfigFor(model);
  const weighting = model.parameterization === "eps" && train.minSnrGamma > 0
    ? `Min-SNR gamma ${train.minSnrGamma}`
    : "unweighted";
  const target = model.parameterization === "eps" ? "eps" : "velocity";
  const loss =
    `${target} MSE, ${weighting}, AdamW wd ${train.weightDecay}, clip ${train.gradClip}, EMA`;

  // 1. tfjs-wasm: the trainer itself, from the base's weights, Adam moments at zero
  log.info("training steps on tfjs-wasm", { steps: o.tfjsSteps });
  await tf.setBackend("wasm");
  const zeros = () => new Map([...weights].map(([k, v]) => [k, new Float32Array(v.length)]));
  const start = () => ({
    model,
    train,
    step: train.warmupSteps, // past warm-up: the learning rate does not change the cost
    cursor: 0,
    rng: new Rng(1).state(),
    params: new Map(weights),
    ema: new Map(weights),
    adamM: zeros(),
    adamV: zeros(),
  });
  const pool: Example[] = Array.from({ length: 2 * TRAIN_BATCH }, (_, i) => {
    const { caption, image } = corpusItem(train.dataSeed, i);
    return { caption, image };
  });
  const corpus = (i: number) => pool[i % pool.length]!;
  const timeSteps = async () => {
    const trainer = DenoiserTrainer.restore(start());
    trainer.trainStep(corpus);
    const timed = await timeEach(o.tfjsSteps, () => trainer.trainStep(corpus));
    trainer.dispose();
    return { perStep: timed.perBatch, cpuSeconds: timed.cpuSeconds };
  };
  const tfjs = blasMatMulActive()
    ? { skipped: "OpenBLAS matMul was already on in this process" }
    : await timeSteps();
  // 1b. the same step with matMul through OpenBLAS, as `deno task pretrain` runs where one is
  //     installed (models/backend.ts); last, since it stays on for the process.
  log.info("training steps on tfjs-wasm with OpenBLAS matMul", { steps: o.tfjsSteps });
  const tfjsBlas = useBlasMatMul() === null
    ? { skipped: "no OpenBLAS library (apt-get install libopenblas0) or no --allow-ffi" }
    : await timeSteps();

  // 2. PyTorch, one thread
  let torch: StepRate;
  if (!o.torchReady) torch = { skipped: o.torchWhy };
  else {
    log.info("training steps on PyTorch", { steps: o.torchSteps });
    const r = await torchRequest({
      mode: "train",
      weights: file,
      abar,
      threads: 1,
      decay: denoiserSpecs(model).filter((s) => s.decay).map((s) => s.name),
      train,
      steps: o.torchSteps,
      warmup: 2,
      seed: 1,
    });
    torch = r.ok
      ? { perStep: r.value.step_seconds as number[], cpuSeconds: r.value.cpu_seconds as number }
      : { skipped: r.reason };
  }
  return { batch: TRAIN_BATCH, loss, tfjs, tfjsBlas, torch };
}
