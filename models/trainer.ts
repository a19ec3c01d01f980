/**
 * Denoiser pretraining in tfjs: one step = draw a ShapeWorld batch, noise it at random times,
 * regress the network onto the parameterisation's target, AdamW update, EMA update.
 *
 * Notation (SPEC section 1.5, models/schedule.ts): x0 image in [-1, 1] [B,S,S,C], eps noise,
 * x_t = a x0 + s eps, target eps (eps model) or eps - x0 (flow model),
 * loss = mean over batch and pixels of w (f(x_t, tau, c) - target)^2, w = 1 or Min-SNR (eps).
 *
 * Every random draw of a step comes from a per-step Rng seeded by the trainer's main Rng
 * (which only ever draws whole u32s, so its 4-word state captures it completely); with the data
 * cursor and the step count this makes resume bit-exact.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng, type RngState } from "../lib/rng.ts";
import { AdamW } from "./adamw.ts";
import { imageValues, type ModelConfig } from "./config.ts";
import { denoiserForward, denoiserSpecs } from "./denoiser.ts";
import { initValues, type ParamSpec, readValues, toVariables } from "./nn/params.ts";
import { minSnrWeight, Schedule } from "./schedule.ts";
import { Tokenizer } from "./tokenizer.ts";
import { learningRate, type TrainConfig } from "./train_config.ts";

/** One training example: RGB HWC bytes and its caption. */
export interface Example {
  caption: string;
  image: Uint8Array;
}

/** Everything needed to resume (what a checkpoint holds). */
export interface TrainState {
  model: ModelConfig;
  train: TrainConfig;
  step: number;
  /** Index of the next corpus example. */
  cursor: number;
  rng: RngState;
  params: Map<string, Float32Array>;
  ema: Map<string, Float32Array>;
  adamM: Map<string, Float32Array>;
  adamV: Map<string, Float32Array>;
}

export interface StepResult {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
}

/** Bytes 0..255 -> [-1, 1]. */
export function toUnit(image: Uint8Array, out: Float32Array, offset: number): void {
  for (let i = 0; i < image.length; i++) out[offset + i] = image[i]! / 127.5 - 1;
}

export class DenoiserTrainer {
  readonly model: ModelConfig;
  readonly train: TrainConfig;
  readonly specs: ParamSpec[];
  readonly schedule: Schedule;
  readonly tokenizer: Tokenizer;
  readonly params: Map<string, tf.Variable>;
  readonly ema: Map<string, tf.Variable>;
  readonly opt: AdamW;
  step: number;
  cursor: number;
  #rng: Rng;

  private constructor(s: TrainState) {
    this.model = s.model;
    this.train = s.train;
    this.specs = denoiserSpecs(s.model);
    this.schedule = new Schedule(s.model);
    this.tokenizer = new Tokenizer(s.model.vocabulary, s.model.maxTokens);
    this.params = toVariables(this.specs, s.params, true);
    this.ema = toVariables(this.specs, s.ema, false);
    const decay = new Set(this.specs.filter((p) => p.decay).map((p) => p.name));
    this.opt = new AdamW(this.params, decay, {
      weightDecay: s.train.weightDecay,
      clipNorm: s.train.gradClip,
    });
    for (const [name, v] of this.opt.m) v.assign(tf.tensor(s.adamM.get(name)!, v.shape));
    for (const [name, v] of this.opt.v) v.assign(tf.tensor(s.adamV.get(name)!, v.shape));
    this.opt.count = s.step;
    this.step = s.step;
    this.cursor = s.cursor;
    this.#rng = new Rng(s.rng);
  }

  /** A fresh model: weights drawn from Rng(train.seed). */
  static create(model: ModelConfig, train: TrainConfig): DenoiserTrainer {
    const rng = new Rng(train.seed);
    const specs = denoiserSpecs(model);
    const params = initValues(specs, rng);
    const zeros = new Map([...params].map(([k, v]) => [k, new Float32Array(v.length)]));
    return new DenoiserTrainer({
      model,
      train,
      step: 0,
      cursor: 0,
      rng: rng.state(),
      params,
      ema: new Map([...params].map(([k, v]) => [k, v.slice()])),
      adamM: zeros,
      adamV: new Map([...zeros].map(([k, v]) => [k, v.slice()])),
    });
  }

  static restore(s: TrainState): DenoiserTrainer {
    return new DenoiserTrainer(s);
  }

  /** The resumable state (copies). `train` may be overridden, e.g. to extend `steps`. */
  snapshot(): TrainState {
    return {
      model: this.model,
      train: this.train,
      step: this.step,
      cursor: this.cursor,
      rng: this.#rng.state(),
      params: readValues(this.params),
      ema: readValues(this.ema),
      adamM: readValues(this.opt.m),
      adamV: readValues(this.opt.v),
    };
  }

  /** One optimisation step on the next `batchSize` examples of `corpus`. */
  trainStep(corpus: (index: number) => Example): StepResult {
    const B = this.train.batchSize;
    const L = this.model.maxTokens;
    const S = this.model.imageSize;
    const C = this.model.channels;
    const V = imageValues(this.model);
    const rng = new Rng(this.#rng.nextU32());
    // 1. batch: images to [-1, 1], prompts to ids (dropped to <null> with prob pUncond)
    const x0 = new Float32Array(B * V);
    const tokens = new Int32Array(B * L);
    for (let j = 0; j < B; j++) {
      const ex = corpus(this.cursor + j);
      if (ex.image.length !== V) {
        throw new RangeError(
          `Cannot train on corpus item ${
            this.cursor + j
          } as its image must have ${V} bytes: current value is ${ex.image.length}`,
        );
      }
      toUnit(ex.image, x0, j * V);
      const drop = rng.next() < this.train.pUncond;
      tokens.set(drop ? this.tokenizer.nullIds() : this.tokenizer.encode(ex.caption).ids, j * L);
    }
    // 2. noise: x_t = a x0 + s eps and the regression target, per example
    const tau = new Float32Array(B);
    const weights = new Float32Array(B);
    const xt = new Float32Array(B * V);
    const target = new Float32Array(B * V);
    const eps = rng.normals(B * V);
    for (let j = 0; j < B; j++) {
      const pt = this.schedule.trainPoint(rng.next(), rng.normal(), this.train.flowUniformMix);
      tau[j] = pt.tau;
      weights[j] = this.#lossWeight(pt.lambda);
      for (let i = j * V; i < (j + 1) * V; i++) {
        xt[i] = pt.a * x0[i]! + pt.s * eps[i]!;
        target[i] = this.schedule.target(x0[i]!, eps[i]!);
      }
    }
    // 3. loss and gradients
    const lr = learningRate(this.train, this.step);
    const vars = [...this.params.values()];
    const { loss, gradNorm } = tf.tidy(() => {
      const xT = tf.tensor(xt, [B, S, S, C]);
      const tT = tf.tensor(tau, [B]);
      const kT = tf.tensor(tokens, [B, L], "int32");
      const yT = tf.tensor(target, [B, S, S, C]);
      const weighted = this.train.minSnrGamma > 0 && this.model.parameterization === "eps";
      const wT = tf.tensor(weights, [B, 1, 1, 1]);
      const { value, grads } = tf.variableGrads(() => {
        const sq = tf.squaredDifference(denoiserForward(this.model, this.params, xT, tT, kT), yT);
        return tf.mean(weighted ? tf.mul(sq, wT) : sq) as tf.Scalar;
      }, vars);
      const named = new Map<string, tf.Tensor>();
      for (const [name, v] of this.params) named.set(name, grads[v.name]!);
      // 4. AdamW (with clipping) and EMA
      const gradNorm = this.opt.apply(named, lr);
      const k = this.step + 1;
      const d = Math.min(this.train.emaDecay, (1 + k) / (10 + k));
      for (const [name, e] of this.ema) {
        e.assign(tf.add(tf.mul(e, d), tf.mul(this.params.get(name)!, 1 - d)));
      }
      return { loss: value.dataSync()[0]!, gradNorm };
    });
    this.step += 1;
    this.cursor += B;
    return { step: this.step, loss, gradNorm, lr };
  }

  /**
   * Per-example loss weight. eps with minSnrGamma > 0: Min-SNR-gamma (Hang et al. 2023),
   * w = min(SNR, gamma) / SNR with SNR = exp(lambda), i.e. an x0-space weight of
   * min(SNR, gamma): the many nearly-clean steps stop dominating the gradient, which leaves
   * more of it for the high-noise steps where the layout of a scene is decided. Otherwise 1.
   */
  #lossWeight(lambda: number): number {
    const g = this.train.minSnrGamma;
    if (g <= 0 || this.model.parameterization !== "eps") return 1;
    return minSnrWeight(lambda, g);
  }

  /** EMA weights (what gets exported). */
  emaValues(): Map<string, Float32Array> {
    return readValues(this.ema);
  }

  dispose(): void {
    for (const v of [...this.params.values(), ...this.ema.values()]) v.dispose();
    this.opt.dispose();
  }
}
