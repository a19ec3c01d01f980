/**
 * One preference fine-tuning step (SPEC 1.5): the policy in tfjs with gradients, the frozen
 * reference on onnxruntime, one loss kind from stages/train/losses.ts, AdamW with clipping.
 *
 * Notation: B pairs, N = 2B images (winners, then losers), V = S*S*C values per image,
 * x_t = a x0 + s eps, target eps (eps models) or eps - x0 (flow models), lambda_t log-SNR.
 *
 * Every random draw of a step comes from a per-step Rng seeded by the trainer's main Rng
 * (which only draws whole u32s, so its 4-word state captures it completely); with the weights,
 * the AdamW moments and the step count this makes resume bit-exact (models/trainer.ts does
 * the same for pretraining).
 */
import * as tf from "@tensorflow/tfjs";
import { AdamW } from "../../models/adamw.ts";
import { imageValues, type ModelConfig } from "../../models/config.ts";
import { denoiserForward, denoiserSpecs } from "../../models/denoiser.ts";
import { type ParamSpec, readValues, toVariables } from "../../models/nn/params.ts";
import { Schedule } from "../../models/schedule.ts";
import { Rng, type RngState } from "../../lib/rng.ts";
import { denoisingError, denoisingErrorValues, implicitRewardGap } from "./implicit_reward.ts";
import { pairLoss } from "./losses.ts";
import { learningRateAt } from "./lr_schedule.ts";
import { implicitAccuracy, mean, pearson } from "./metrics.ts";
import type { PairBatch } from "./pair_data.ts";
import type { TrainerOptions } from "./trainer_options.ts";
import { timeWeight } from "./weighting.ts";

/** The frozen reference: predictions for x [N,S,S,C], t [N], tokens [N,L] (OrtDenoiser fits). */
export interface ReferenceModel {
  predict(x: Float32Array, t: Float32Array, tokens: Int32Array): Promise<Float32Array>;
}

/** Everything needed to resume (what a checkpoint holds besides its identity). */
export interface FineTuneState {
  model: ModelConfig;
  step: number;
  rng: RngState;
  params: Map<string, Float32Array>;
  adamM: Map<string, Float32Array>;
  adamV: Map<string, Float32Array>;
}

export interface StepMetrics {
  /** Steps done after this one (1-based). */
  step: number;
  loss: number;
  /** Share of pairs with dR_theta > 0. */
  accuracy: number;
  /** Pearson r of dR_theta with dR_ca over the batch; null when undefined (zero variance). */
  correlation: number | null;
  lr: number;
  /** Global gradient norm before clipping. */
  grad_norm: number;
  /** Mean dR_theta, mean dR_ca, mean w(t) of the batch. */
  dr_theta: number;
  dr_ca: number;
  w: number;
  /** Wall time of the step: reference forward, policy forward + backward, update. */
  seconds: number;
}

export class PreferenceTrainer {
  readonly model: ModelConfig;
  readonly options: TrainerOptions;
  readonly specs: ParamSpec[];
  readonly params: Map<string, tf.Variable>;
  readonly opt: AdamW;
  step: number;
  #schedule: Schedule;
  #rng: Rng;
  #reference: ReferenceModel;

  private constructor(s: FineTuneState, options: TrainerOptions, reference: ReferenceModel) {
    this.model = s.model;
    this.options = options;
    this.specs = denoiserSpecs(s.model);
    this.#schedule = new Schedule(s.model);
    this.#reference = reference;
    this.params = toVariables(this.specs, s.params, true);
    const decay = new Set(this.specs.filter((p) => p.decay).map((p) => p.name));
    this.opt = new AdamW(this.params, decay, {
      weightDecay: options.weight_decay,
      clipNorm: options.grad_clip,
    });
    for (const [name, v] of this.opt.m) v.assign(tf.tensor(s.adamM.get(name)!, v.shape));
    for (const [name, v] of this.opt.v) v.assign(tf.tensor(s.adamV.get(name)!, v.shape));
    this.opt.count = s.step;
    this.step = s.step;
    this.#rng = new Rng(s.rng);
  }

  /** A fresh run from the base weights: zero moments, Rng(options.seed). */
  static create(
    model: ModelConfig,
    weights: ReadonlyMap<string, Float32Array>,
    options: TrainerOptions,
    reference: ReferenceModel,
  ): PreferenceTrainer {
    const zeros = () => new Map([...weights].map(([k, v]) => [k, new Float32Array(v.length)]));
    return new PreferenceTrainer(
      {
        model,
        step: 0,
        rng: new Rng(options.seed).state(),
        params: new Map(weights),
        adamM: zeros(),
        adamV: zeros(),
      },
      options,
      reference,
    );
  }

  static restore(
    s: FineTuneState,
    options: TrainerOptions,
    reference: ReferenceModel,
  ): PreferenceTrainer {
    return new PreferenceTrainer(s, options, reference);
  }

  /** The resumable state (copies). */
  snapshot(): FineTuneState {
    return {
      model: this.model,
      step: this.step,
      rng: this.#rng.state(),
      params: readValues(this.params),
      adamM: readValues(this.opt.m),
      adamV: readValues(this.opt.v),
    };
  }

  /** The current policy weights (copies). */
  weights(): Map<string, Float32Array> {
    return readValues(this.params);
  }

  /** One optimisation step on `batch`; `totalSteps` shapes the learning-rate schedule. */
  async trainStep(batch: PairBatch, totalSteps: number): Promise<StepMetrics> {
    const t0 = performance.now();
    const o = this.options;
    const c = this.model;
    const B = batch.size;
    const N = 2 * B;
    const V = imageValues(c);
    const S = c.imageSize;
    const L = c.maxTokens;
    const rng = new Rng(this.#rng.nextU32());
    // 1. per pair one t and one eps, shared by x+ and x- (as Diffusion-DPO's code)
    const eps = rng.normals(B * V);
    const tau = new Float32Array(N);
    const w = new Float32Array(B);
    const xt = new Float32Array(N * V);
    const target = new Float32Array(N * V);
    for (let j = 0; j < B; j++) {
      const pt = this.#schedule.trainPoint(rng.next(), rng.normal(), o.flow_uniform_mix);
      tau[j] = tau[B + j] = pt.tau;
      w[j] = timeWeight(o.weighting, pt.lambda, o.weighting_b);
      for (const row of [j, B + j]) {
        for (let i = 0; i < V; i++) {
          const x0 = batch.x0[row * V + i]!;
          const e = eps[j * V + i]!;
          xt[row * V + i] = pt.a * x0 + pt.s * e;
          target[row * V + i] = this.#schedule.target(x0, e);
        }
      }
    }
    // 2. err_ref on onnxruntime (a constant of the loss)
    const refPred = await this.#reference.predict(xt, tau, batch.tokens);
    const errRef = Float32Array.from(denoisingErrorValues(refPred, target, N));
    // 3. err_theta, dR_theta and the loss in tfjs, with gradients
    const lr = learningRateAt(o, this.step, totalSteps);
    const vars = [...this.params.values()];
    let dR: Float32Array = new Float32Array(B);
    const { loss, gradNorm } = tf.tidy(() => {
      const xT = tf.tensor(xt, [N, S, S, c.channels]);
      const tT = tf.tensor(tau, [N]);
      const kT = tf.tensor(batch.tokens, [N, L], "int32");
      const yT = tf.tensor(target, [N, S, S, c.channels]);
      const refT = tf.tensor(errRef, [N]);
      const wT = tf.tensor(w, [B]);
      const caT = tf.tensor(batch.dRca, [B]);
      // dR_theta leaves variableGrads' scope kept, for the metrics; disposed below.
      const hold: { gap?: tf.Tensor } = {};
      const { value, grads } = tf.variableGrads(() => {
        const errTheta = denoisingError(denoiserForward(c, this.params, xT, tT, kT), yT); // [N]
        const gap = implicitRewardGap(errTheta, refT, wT, o.beta); // [B]
        hold.gap = tf.keep(gap);
        return tf.mean(pairLoss(o.loss, gap, caT)) as tf.Scalar;
      }, vars);
      const named = new Map<string, tf.Tensor>();
      for (const [name, v] of this.params) named.set(name, grads[v.name]!);
      // 4. AdamW with global-norm clipping
      const gradNorm = this.opt.apply(named, lr);
      dR = hold.gap!.dataSync() as Float32Array;
      hold.gap!.dispose();
      return { loss: value.dataSync()[0]!, gradNorm };
    });
    this.step += 1;
    const r = pearson(dR, batch.dRca);
    return {
      step: this.step,
      loss,
      accuracy: implicitAccuracy(dR),
      correlation: Number.isNaN(r) ? null : r,
      lr,
      grad_norm: gradNorm,
      dr_theta: mean(dR),
      dr_ca: mean(batch.dRca),
      w: mean(w),
      seconds: (performance.now() - t0) / 1000,
    };
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.opt.dispose();
  }
}
