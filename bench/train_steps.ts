/**
 * The training steps `deno task bench train` times, one function per runtime, each from the
 * same base weights and the same kind of batch:
 *
 * - pretraining (batch 48, the train config of models/configs/base-<parameterization>.json):
 *   models/trainer.ts on onnxruntime, models/tfjs_trainer.ts on tfjs-wasm, bench/torch_dit.py's
 *   `train` mode on PyTorch;
 * - fine-tuning (64 pairs, CaPO, the trainer's default options): stages/train/
 *   preference_trainer.ts on onnxruntime (its frozen reference too), tfjs_preference_trainer.ts
 *   (policy on tfjs-wasm, reference on onnxruntime), torch_dit.py's `finetune` mode.
 *
 * - fine-tuning with several (t, eps) draws per pair (issue #19): the onnxruntime trainer with
 *   `train.draws_per_pair` K and the two-estimate kinds capo_unbiased / ipo_unbiased, at 64 pairs
 *   (and a 128-pair x 2-draw step for its memory).
 *
 * Every step is whole: batch noising, the reference's forward, forward + backward, clipping,
 * AdamW (and the EMA in pretraining). Data loading is not: each side cycles through a fixed pool
 * of examples. One warm-up step precedes the timed ones (graph build, session creation).
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../models/backend.ts";
import { imageValues, type ModelConfig } from "../models/config.ts";
import { denoiserSpecs } from "../models/denoiser.ts";
import { OrtDenoiser } from "../models/ort_denoiser.ts";
import { type Example, toUnit } from "../models/pretrain_batch.ts";
import { Tokenizer } from "../models/tokenizer.ts";
import { TfjsDenoiserTrainer } from "../models/tfjs_trainer.ts";
import { parseTrainConfig, type TrainConfig } from "../models/train_config.ts";
import { DenoiserTrainer, type TrainState } from "../models/trainer.ts";
import { defaultsOf } from "../lib/config_table.ts";
import { Rng } from "../lib/rng.ts";
import { corpusItem } from "../shapeworld/mod.ts";
import type { PairBatch } from "../stages/train/pair_data.ts";
import { type FineTuneState, PreferenceTrainer } from "../stages/train/preference_trainer.ts";
import { TfjsPreferenceTrainer } from "../stages/train/tfjs_preference_trainer.ts";
import { TRAIN, type TrainerOptions } from "../stages/train/trainer_options.ts";
import { timeEach } from "./rate_table.ts";
import { torchRequest } from "./torch_python.ts";

/** The pretraining batch of models/train_config.ts and the fine-tuning batch. */
export const PRETRAIN_BATCH = 48;
export const FINETUNE_PAIRS = 64;

/** Seconds of each timed step and the process CPU seconds over them, or why none. */
export type StepTimes = { perStep: number[]; cpuSeconds: number; threads: number } | {
  skipped: string;
};

const zerosLike = (w: ReadonlyMap<string, Float32Array>) =>
  new Map([...w].map(([k, v]) => [k, new Float32Array(v.length)]));

/** The base's pretraining config at batch 48. */
export async function pretrainConfig(model: ModelConfig): Promise<TrainConfig> {
  const url = new URL(`../models/configs/base-${model.parameterization}.json`, import.meta.url);
  const raw = JSON.parse(await Deno.readTextFile(url)) as { train: object };
  return parseTrainConfig({ ...raw.train, batchSize: PRETRAIN_BATCH });
}

/** A pretraining state from the base's weights, past warm-up (the lr does not change costs). */
function pretrainState(
  model: ModelConfig,
  train: TrainConfig,
  weights: ReadonlyMap<string, Float32Array>,
): TrainState {
  return {
    model,
    train,
    step: train.warmupSteps,
    cursor: 0,
    rng: new Rng(1).state(),
    params: new Map(weights),
    ema: new Map(weights),
    adamM: zerosLike(weights),
    adamV: zerosLike(weights),
  };
}

/** Two batches' worth of ShapeWorld examples, cycled. */
function pretrainCorpus(train: TrainConfig): (i: number) => Example {
  const pool = Array.from({ length: 2 * PRETRAIN_BATCH }, (_, i) => corpusItem(train.dataSeed, i));
  return (i) => pool[i % pool.length]!;
}

export async function ortPretrain(
  model: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
  threads: number,
  steps: number,
): Promise<StepTimes> {
  const train = await pretrainConfig(model);
  const corpus = pretrainCorpus(train);
  const trainer = DenoiserTrainer.restore(pretrainState(model, train, weights), { threads });
  await trainer.trainStep(corpus);
  const t = await timeEach(steps, () => trainer.trainStep(corpus));
  await trainer.dispose();
  return { perStep: t.perBatch, cpuSeconds: t.cpuSeconds, threads };
}

export async function tfjsPretrain(
  model: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
  steps: number,
): Promise<StepTimes> {
  await initBackend(); // registers tfjs-wasm
  await tf.setBackend("wasm");
  const train = await pretrainConfig(model);
  const corpus = pretrainCorpus(train);
  const trainer = TfjsDenoiserTrainer.restore(pretrainState(model, train, weights));
  trainer.trainStep(corpus);
  const t = await timeEach(steps, () => trainer.trainStep(corpus));
  trainer.dispose();
  return { perStep: t.perBatch, cpuSeconds: t.cpuSeconds, threads: 1 };
}

/** The trainer's default options (CaPO, constant w(t)) at 64 pairs per step. */
export function finetuneOptions(): TrainerOptions {
  return { ...defaultsOf(TRAIN), batch_pairs: FINETUNE_PAIRS };
}

/** Two batches of B ShapeWorld pairs (random winners, losers and dR_ca), cycled by step. */
function pairBatches(model: ModelConfig, B = FINETUNE_PAIRS): PairBatch[] {
  const V = imageValues(model), L = model.maxTokens;
  const tok = new Tokenizer(model.vocabulary, model.maxTokens);
  const rng = new Rng(5);
  return [0, 1].map((k) => {
    const x0 = new Float32Array(2 * B * V);
    const tokens = new Int32Array(2 * B * L);
    const dRca = new Float32Array(B);
    for (let j = 0; j < B; j++) {
      const win = corpusItem(7, 2 * (k * B + j)), lose = corpusItem(7, 2 * (k * B + j) + 1);
      toUnit(win.image, x0, j * V);
      toUnit(lose.image, x0, (B + j) * V);
      const ids = tok.encode(win.caption).ids;
      tokens.set(ids, j * L);
      tokens.set(ids, (B + j) * L);
      dRca[j] = rng.next() - 0.5;
    }
    return { size: B, x0, tokens, dRca };
  });
}

function finetuneState(model: ModelConfig, weights: ReadonlyMap<string, Float32Array>) {
  return {
    model,
    step: 10,
    rng: new Rng(1).state(),
    params: new Map(weights),
    adamM: zerosLike(weights),
    adamV: zerosLike(weights),
  } satisfies FineTuneState;
}

/** A fine-tuning variant: the loss, draws per pair and pairs per step (issue #19). */
export interface FinetuneVariant {
  loss: TrainerOptions["loss"];
  draws_per_pair: number;
  pairs: number;
}

export async function ortFinetune(
  model: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
  threads: number,
  steps: number,
  variant?: FinetuneVariant,
): Promise<StepTimes> {
  const o = variant === undefined ? finetuneOptions() : {
    ...finetuneOptions(),
    loss: variant.loss,
    draws_per_pair: variant.draws_per_pair,
    batch_pairs: variant.pairs,
  };
  const batches = pairBatches(model, o.batch_pairs);
  const reference = await OrtDenoiser.create(model, weights, { intraOpThreads: threads });
  const trainer = PreferenceTrainer.restore(finetuneState(model, weights), o, reference, {
    threads,
  });
  let k = 0;
  const step = () => trainer.trainStep(batches[k++ % 2]!, 1000);
  await step();
  const t = await timeEach(steps, step);
  await trainer.dispose();
  await reference.release();
  return { perStep: t.perBatch, cpuSeconds: t.cpuSeconds, threads };
}

export async function tfjsFinetune(
  model: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
  steps: number,
): Promise<StepTimes> {
  await initBackend();
  await tf.setBackend("wasm");
  const o = finetuneOptions();
  const batches = pairBatches(model);
  // The reference stays on onnxruntime, one thread, as in the trainer before this change.
  const reference = await OrtDenoiser.create(model, weights, { intraOpThreads: 1 });
  const trainer = TfjsPreferenceTrainer.restore(finetuneState(model, weights), o, reference);
  let k = 0;
  const step = () => trainer.trainStep(batches[k++ % 2]!, 1000);
  try {
    await step();
    const t = await timeEach(steps, step);
    return { perStep: t.perBatch, cpuSeconds: t.cpuSeconds, threads: 1 };
  } finally {
    trainer.dispose();
    await reference.release();
  }
}

/** The same steps in PyTorch (bench/torch_dit.py) at `threads`. */
export async function torchSteps(
  kind: "pretrain" | "finetune",
  file: string,
  model: ModelConfig,
  abar: number[],
  threads: number,
  steps: number,
): Promise<StepTimes> {
  const decay = denoiserSpecs(model).filter((s) => s.decay).map((s) => s.name);
  const common = { weights: file, abar, threads, decay, steps, warmup: 2, seed: 1 };
  const o = finetuneOptions();
  const r = kind === "pretrain"
    ? await torchRequest({ ...common, mode: "train", train: await pretrainConfig(model) })
    : await torchRequest({
      ...common,
      mode: "finetune",
      finetune: {
        pairs: FINETUNE_PAIRS,
        beta: o.beta,
        lr: o.lr,
        weightDecay: o.weight_decay,
        gradClip: o.grad_clip,
      },
    });
  if (!r.ok) return { skipped: r.reason };
  return {
    perStep: r.value.step_seconds as number[],
    cpuSeconds: r.value.cpu_seconds as number,
    threads: r.value.threads as number,
  };
}
