/**
 * One preference fine-tuning step (docs/method.md §5) on onnxruntime: the frozen reference's
 * err_ref is one inference call, then one run of the training graph (stages/train/
 * preference_graph.ts) gives the loss, dR_theta and the gradient of every weight; AdamW with
 * global-norm clipping runs as one loop over the flat weights (models/flat_adamw.ts).
 * stages/train/tfjs_preference_trainer.ts is the tfjs reference of the same step.
 *
 * Notation: B pairs, N = 2B images (winners, then losers), V = S*S*C values per image,
 * x_t = a x0 + s eps, target eps (eps models) or eps - x0 (flow models), lambda_t log-SNR.
 * With `train.draws_per_pair` K (and 2 estimates for the unbiased kinds) each pair is noised
 * D = K * estimates times and all D N rows go through one reference call and one session run.
 *
 * Every random draw of a step comes from a per-step Rng seeded by the trainer's main Rng
 * (which only draws whole u32s, so its 4-word state captures it completely); with the weights,
 * the AdamW moments and the step count this makes resume bit-exact on the same machine and
 * thread count (models/trainer.ts does the same for pretraining). A step whose gradient is not
 * finite throws before anything is updated.
 */
import type { ModelConfig } from "../../models/config.ts";
import { denoiserSpecs } from "../../models/denoiser.ts";
import { FlatAdamW, globalNorm } from "../../models/flat_adamw.ts";
import { ParamLayout } from "../../models/flat_params.ts";
import { checkFiniteGradient } from "../../models/finite_gradient.ts";
import { OrtTrainSession, resolveThreads } from "../../models/ort_train_session.ts";
import { Schedule } from "../../models/schedule.ts";
import { Rng, type RngState } from "../../lib/rng.ts";
import { denoisingErrorValues } from "./implicit_reward.ts";
import { learningRateAt } from "./lr_schedule.ts";
import { gapEstimates, type LossKind } from "./loss_kinds.ts";
import {
  backwardShare,
  type ProbeMetrics,
  probeMetrics,
  type StepMetrics,
  stepMetrics,
} from "./metrics.ts";
import type { PairBatch } from "./pair_data.ts";
import { noiseDraws } from "./pair_noise.ts";
import { preferenceGraph } from "./preference_graph.ts";
import { drawsPerPair, type TrainerOptions } from "./trainer_options.ts";

/** The key of the probe's Rng stream (Rng.derive(seed, PROBE_STREAM, step)): "prob". */
const PROBE_STREAM = 0x70726f62;

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
  /** The onnxruntime threads the state was computed with (a resume on another count
   *  continues, but not bit for bit); absent in checkpoints written before. */
  threads?: number;
}

/** A step's log line and a probe's fields (defined beside their computation in metrics.ts). */
export type { ProbeMetrics, StepMetrics } from "./metrics.ts";

/** How the trainer runs (not part of the training state or its identity). */
export interface PreferenceTrainerOptions {
  /** onnxruntime intra-op threads; null: one per core. Exact resume needs the same count.
   *  @default {null} */
  threads?: number | null;
}

export class PreferenceTrainer {
  readonly model: ModelConfig;
  readonly options: TrainerOptions;
  readonly layout: ParamLayout;
  readonly threads: number;
  /** The policy weights, flat in spec order (models/flat_params.ts). */
  readonly params: Float32Array;
  readonly opt: FlatAdamW;
  step: number;
  #schedule: Schedule;
  #rng: Rng;
  #reference: ReferenceModel;
  /** One training graph per batch size, loss kind and draws (its shapes are static). */
  #sessions = new Map<string, Promise<OrtTrainSession>>();

  private constructor(
    s: FineTuneState,
    options: TrainerOptions,
    reference: ReferenceModel,
    run: PreferenceTrainerOptions,
  ) {
    this.model = s.model;
    this.options = options;
    const specs = denoiserSpecs(s.model);
    this.layout = new ParamLayout(specs);
    this.threads = resolveThreads(run.threads);
    this.#schedule = new Schedule(s.model);
    this.#reference = reference;
    this.params = this.layout.pack(s.params);
    this.opt = new FlatAdamW(ParamLayout.decayMask(specs), {
      weightDecay: options.weight_decay,
      clipNorm: options.grad_clip,
    });
    this.opt.m.set(this.layout.pack(s.adamM));
    this.opt.v.set(this.layout.pack(s.adamV));
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
    run: PreferenceTrainerOptions = {},
  ): PreferenceTrainer {
    const zeros = () => new Map([...weights].map(([k, v]) => [k, new Float32Array(v.length)]));
    const state: FineTuneState = {
      model,
      step: 0,
      rng: new Rng(options.seed).state(),
      params: new Map(weights),
      adamM: zeros(),
      adamV: zeros(),
    };
    return new PreferenceTrainer(state, options, reference, run);
  }

  static restore(
    s: FineTuneState,
    options: TrainerOptions,
    reference: ReferenceModel,
    run: PreferenceTrainerOptions = {},
  ): PreferenceTrainer {
    return new PreferenceTrainer(s, options, reference, run);
  }

  /** The resumable state (copies). */
  snapshot(): FineTuneState {
    return {
      model: this.model,
      step: this.step,
      rng: this.#rng.state(),
      params: this.layout.unpack(this.params),
      adamM: this.layout.unpack(this.opt.m),
      adamV: this.layout.unpack(this.opt.v),
      threads: this.threads,
    };
  }

  /** The current policy weights (copies). */
  weights(): Map<string, Float32Array> {
    return this.layout.unpack(this.params);
  }

  /** One optimisation step on `batch`; `totalSteps` shapes the learning-rate schedule. */
  async trainStep(batch: PairBatch, totalSteps: number): Promise<StepMetrics> {
    const t0 = performance.now();
    const o = this.options;
    // The main Rng advances only when the step succeeds: a step that throws leaves the state
    // exactly as it was (models/finite_gradient.ts).
    const main = new Rng(this.#rng.state());
    const rng = new Rng(main.nextU32());
    // 1-3. D draws of (t, eps) per pair, err_ref, then err_theta, dR_theta, the loss and its
    //      gradient in one session run
    const K = drawsPerPair(o);
    const { loss, grad, extras, w } = await this.#run(batch, rng, o.loss, K);
    // 4. AdamW with global-norm clipping, unless the gradient is not finite
    const norm = globalNorm(grad);
    checkFiniteGradient(grad, norm, this.layout, this.step + 1, loss);
    const lr = learningRateAt(o, this.step, totalSteps);
    this.opt.apply(this.params, grad, lr, norm);
    this.#rng = main;
    this.step += 1;
    const seconds = (performance.now() - t0) / 1000;
    const estimates = gapEstimates(o.loss) === 2
      ? [extras.dr_1!, extras.dr_2!]
      : [extras.dr_theta!];
    const backward = backwardShare(o.loss, estimates, batch.dRca);
    return stepMetrics(this.step, loss, extras.dr_theta!, batch, w, lr, norm, seconds, backward);
  }

  /**
   * The gap estimator's bias and variance on `batch` (a fixed probe batch, docs/method.md §5.5) at
   * the current weights: two independent estimates dR¹, dR² per pair, each as the loss sees it
   * (the mean of `train.draws_per_pair` draws). The draws come from Rng.derive(seed, PROBE, step),
   * never from the training Rng, so probing leaves the training run unchanged. The weights are
   * not updated.
   */
  async probe(batch: PairBatch): Promise<ProbeMetrics> {
    const t0 = performance.now();
    const o = this.options;
    const rng = Rng.derive(o.seed, PROBE_STREAM, this.step);
    const K = drawsPerPair(o);
    // The run's own graph serves the probe: a second graph (another loss kind) would hold a
    // second onnxruntime session and its arena, about 1 GB at the default batch.
    if (gapEstimates(o.loss) === 2) {
      const { extras } = await this.#run(batch, rng, o.loss, K);
      return probeMetrics(o.loss, extras.dr_1!, extras.dr_2!, batch.dRca, t0);
    }
    const first = (await this.#run(batch, rng, o.loss, K)).extras.dr_theta!;
    const second = (await this.#run(batch, rng, o.loss, K)).extras.dr_theta!;
    return probeMetrics(o.loss, first, second, batch.dRca, t0);
  }

  /** Noises `batch` with D = K * (the kind's estimates) draws from `rng`, computes err_ref with
   *  one batched reference call and runs the training graph of `kind` (loss, gradient, dR). */
  async #run(batch: PairBatch, rng: Rng, kind: LossKind, K: number) {
    const c = this.model;
    const B = batch.size;
    const S = c.imageSize;
    const D = K * gapEstimates(kind);
    const N = 2 * B * D;
    // 1. per pair and draw one t and one eps, shared by x+ and x- (as Diffusion-DPO's code)
    const { xt, tau, w, target, tokens } = noiseDraws(
      c,
      this.#schedule,
      this.options,
      batch,
      rng,
      D,
    );
    // 2. err_ref on onnxruntime, every draw in one call (a constant of the loss)
    const refPred = await this.#reference.predict(xt, tau, tokens);
    const errRef = Float32Array.from(denoisingErrorValues(refPred, target, N));
    // 3. err_theta, dR_theta, the loss and its gradient: one session run
    const session = await this.#session(B, kind, K);
    const out = await session.run(this.params, {
      x: [xt, [N, S, S, c.channels]],
      t: [tau, [N]],
      tokens: [tokens, [N, c.maxTokens]],
      target: [target, [N, S, S, c.channels]],
      err_ref: [errRef, [N]],
      w: [w, [B * D]],
      dr_ca: [batch.dRca, [B]],
    });
    return { ...out, w };
  }

  #session(pairs: number, kind: LossKind, draws: number): Promise<OrtTrainSession> {
    const key = `${pairs}:${kind}:${draws}`;
    let s = this.#sessions.get(key);
    if (!s) {
      const graph = preferenceGraph(this.model, pairs, kind, this.options.beta, draws);
      s = OrtTrainSession.create(graph, { threads: this.threads });
      this.#sessions.set(key, s);
    }
    return s;
  }

  /** Releases the onnxruntime sessions (not the reference, which the caller owns). */
  async dispose(): Promise<void> {
    const all = [...this.#sessions.values()];
    this.#sessions.clear();
    for (const s of all) await (await s).release();
  }
}
