/**
 * One pretraining batch, drawn the same way by the onnxruntime trainer (models/trainer.ts) and
 * the tfjs reference (models/tfjs_trainer.ts), so both see identical numbers for the same Rng.
 *
 * Notation (docs/method.md §1.2, models/schedule.ts): x0 image in [-1, 1] [B,S,S,C], eps noise,
 * x_t = a x0 + s eps, tau the network time, target eps (eps model) or eps - x0 (flow model),
 * w the per-example loss weight (Min-SNR-gamma for eps with minSnrGamma > 0, else 1).
 */
import type { Rng } from "../lib/rng.ts";
import { imageValues, type ModelConfig } from "./config.ts";
import { minSnrWeight, type Schedule } from "./schedule.ts";
import type { Tokenizer } from "./tokenizer.ts";
import type { TrainConfig } from "./train_config.ts";

/** One training example: RGB HWC bytes and its caption. */
export interface Example {
  caption: string;
  image: Uint8Array;
}

export interface PretrainBatch {
  /** x_t [B,S,S,C] */
  xt: Float32Array;
  /** tau [B] */
  tau: Float32Array;
  /** prompt ids [B,L] */
  tokens: Int32Array;
  /** the regression target [B,S,S,C] */
  target: Float32Array;
  /** w [B] */
  weights: Float32Array;
}

/** Bytes 0..255 -> [-1, 1]. */
export function toUnit(image: Uint8Array, out: Float32Array, offset: number): void {
  for (let i = 0; i < image.length; i++) out[offset + i] = image[i]! / 127.5 - 1;
}

/**
 * Per-example loss weight. eps with minSnrGamma > 0: Min-SNR-gamma (Hang et al. 2023),
 * w = min(SNR, gamma) / SNR with SNR = exp(lambda), i.e. an x0-space weight of
 * min(SNR, gamma): the many nearly-clean steps stop dominating the gradient, which leaves
 * more of it for the high-noise steps where the layout of a scene is decided. Otherwise 1.
 */
export function lossWeight(model: ModelConfig, train: TrainConfig, lambda: number): number {
  const g = train.minSnrGamma;
  if (g <= 0 || model.parameterization !== "eps") return 1;
  return minSnrWeight(lambda, g);
}

/** What a batch is drawn with: a trainer (models/trainer.ts, models/tfjs_trainer.ts). */
export interface BatchSource {
  readonly model: ModelConfig;
  readonly train: TrainConfig;
  readonly schedule: Schedule;
  readonly tokenizer: Tokenizer;
  /** Index of the batch's first example. */
  readonly cursor: number;
}

/** The batch of examples [cursor, cursor + B) of trainer `t` with every random draw from `rng`. */
export function drawPretrainBatch(
  t: BatchSource,
  corpus: (index: number) => Example,
  rng: Rng,
): PretrainBatch {
  const { model, train, schedule, tokenizer, cursor } = t;
  const B = train.batchSize;
  const L = model.maxTokens;
  const V = imageValues(model);
  // 1. images to [-1, 1], prompts to ids (dropped to <null> with prob pUncond)
  const x0 = new Float32Array(B * V);
  const tokens = new Int32Array(B * L);
  for (let j = 0; j < B; j++) {
    const ex = corpus(cursor + j);
    if (ex.image.length !== V) {
      throw new RangeError(
        `Cannot train on corpus item ${cursor + j} as its image must have ${V} bytes: ` +
          `current value is ${ex.image.length}`,
      );
    }
    toUnit(ex.image, x0, j * V);
    const drop = rng.next() < train.pUncond;
    tokens.set(drop ? tokenizer.nullIds() : tokenizer.encode(ex.caption).ids, j * L);
  }
  // 2. noise: x_t = a x0 + s eps and the regression target, per example
  const tau = new Float32Array(B);
  const weights = new Float32Array(B);
  const xt = new Float32Array(B * V);
  const target = new Float32Array(B * V);
  const eps = rng.normals(B * V);
  for (let j = 0; j < B; j++) {
    const pt = schedule.trainPoint(rng.next(), rng.normal(), train.flowUniformMix);
    tau[j] = pt.tau;
    weights[j] = lossWeight(model, train, pt.lambda);
    for (let i = j * V; i < (j + 1) * V; i++) {
      xt[i] = pt.a * x0[i]! + pt.s * eps[i]!;
      target[i] = schedule.target(x0[i]!, eps[i]!);
    }
  }
  return { xt, tau, tokens, target, weights };
}
