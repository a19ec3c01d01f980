/**
 * The tfjs reference of one preference fine-tuning step (docs/method.md §5): the policy in tfjs
 * with autodiff, the frozen reference on onnxruntime, one loss kind from losses.ts, tfjs AdamW
 * with clipping. stages/train/preference_trainer.ts trains on onnxruntime; this class is what
 * it is tested against (the same batches, state and metrics) and the tfjs-wasm row of
 * `deno task bench train`.
 *
 * Notation: B pairs, N = 2B images (winners, then losers), V = S*S*C values per image,
 * x_t = a x0 + s eps, target eps (eps models) or eps - x0 (flow models), lambda_t log-SNR.
 */
import * as tf from "@tensorflow/tfjs";
import { AdamW } from "../../models/adamw.ts";
import type { ModelConfig } from "../../models/config.ts";
import { denoiserForward, denoiserSpecs } from "../../models/denoiser.ts";
import { type ParamSpec, readValues, toVariables } from "../../models/nn/params.ts";
import { Schedule } from "../../models/schedule.ts";
import { Rng } from "../../lib/rng.ts";
import { denoisingError, denoisingErrorValues, implicitRewardGaps } from "./implicit_reward.ts";
import { gapEstimates, pairLoss } from "./losses.ts";
import { learningRateAt } from "./lr_schedule.ts";
import type { PairBatch } from "./pair_data.ts";
import { noiseDraws } from "./pair_noise.ts";
import { backwardShare, type StepMetrics, stepMetrics } from "./metrics.ts";
import type { FineTuneState, ReferenceModel } from "./preference_trainer.ts";
import { drawsPerPair, type TrainerOptions } from "./trainer_options.ts";

export class TfjsPreferenceTrainer {
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

  static restore(
    s: FineTuneState,
    options: TrainerOptions,
    reference: ReferenceModel,
  ): TfjsPreferenceTrainer {
    return new TfjsPreferenceTrainer(s, options, reference);
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
    const K = drawsPerPair(o), G = gapEstimates(o.loss), D = K * G;
    const N = 2 * B * D;
    const S = c.imageSize;
    const L = c.maxTokens;
    const rng = new Rng(this.#rng.nextU32());
    // 1. per pair and draw one t and one eps, shared by x+ and x- (as Diffusion-DPO's code)
    const { xt, tau, w, target, tokens } = noiseDraws(c, this.#schedule, o, batch, rng, D);
    // 2. err_ref on onnxruntime, every draw in one call (a constant of the loss)
    const refPred = await this.#reference.predict(xt, tau, tokens);
    const errRef = Float32Array.from(denoisingErrorValues(refPred, target, N));
    // 3. err_theta, dR_theta and the loss in tfjs, with gradients
    const lr = learningRateAt(o, this.step, totalSteps);
    const vars = [...this.params.values()];
    let dR: Float32Array = new Float32Array(B);
    let estimates: Float32Array[] = [];
    const { loss, gradNorm } = tf.tidy(() => {
      const xT = tf.tensor(xt, [N, S, S, c.channels]);
      const tT = tf.tensor(tau, [N]);
      const kT = tf.tensor(tokens, [N, L], "int32");
      const yT = tf.tensor(target, [N, S, S, c.channels]);
      const refT = tf.tensor(errRef, [N]);
      const wT = tf.tensor(w, [B * D]);
      const caT = tf.tensor(batch.dRca, [B]);
      // dR_theta leaves variableGrads' scope kept, for the metrics; disposed below.
      const hold: { gap?: tf.Tensor; gaps?: tf.Tensor[] } = {};
      const { value, grads } = tf.variableGrads(() => {
        const errTheta = denoisingError(denoiserForward(c, this.params, xT, tT, kT), yT); // [N]
        const gaps = implicitRewardGaps(errTheta, refT, wT, o.beta, K, G); // [B] x G
        const gap = G === 1 ? gaps[0]! : tf.div(tf.add(gaps[0]!, gaps[1]!), 2); // [B]
        hold.gap = tf.keep(gap);
        hold.gaps = gaps.map((x) => tf.keep(x));
        return tf.mean(pairLoss(o.loss, gaps[0]!, caT, gaps[1])) as tf.Scalar;
      }, vars);
      const named = new Map<string, tf.Tensor>();
      for (const [name, v] of this.params) named.set(name, grads[v.name]!);
      // 4. AdamW with global-norm clipping
      const gradNorm = this.opt.apply(named, lr);
      dR = hold.gap!.dataSync() as Float32Array;
      estimates = hold.gaps!.map((x) => x.dataSync() as Float32Array);
      hold.gap!.dispose();
      for (const x of hold.gaps!) x.dispose();
      return { loss: value.dataSync()[0]!, gradNorm };
    });
    this.step += 1;
    const seconds = (performance.now() - t0) / 1000;
    const backward = backwardShare(o.loss, estimates, batch.dRca);
    return stepMetrics(this.step, loss, dR, batch, w, lr, gradNorm, seconds, backward);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.opt.dispose();
  }
}
