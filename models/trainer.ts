/**
 * Denoiser pretraining on onnxruntime: one step = draw a ShapeWorld batch, noise it at random
 * times, one session run of the training graph (forward, loss and every weight's gradient,
 * models/pretrain_loss.ts), then AdamW with clipping and the EMA as loops over one flat
 * parameter buffer (models/flat_adamw.ts). models/tfjs_trainer.ts is the tfjs reference.
 *
 * Notation (docs/method.md §1.2, models/schedule.ts): x0 image in [-1, 1] [B,S,S,C], eps noise,
 * x_t = a x0 + s eps, target eps (eps model) or eps - x0 (flow model),
 * loss = mean over batch and pixels of w (f(x_t, tau, c) - target)^2, w = 1 or Min-SNR (eps).
 *
 * Every random draw of a step comes from a per-step Rng seeded by the trainer's main Rng
 * (which only ever draws whole u32s, so its 4-word state captures it completely); with the data
 * cursor and the step count this makes resume bit-exact on the same machine and thread count.
 * A step whose gradient is not finite throws before anything is updated (models/finite_gradient.ts).
 */
import { Rng, type RngState } from "../lib/rng.ts";
import type { ModelConfig } from "./config.ts";
import { denoiserSpecs } from "./denoiser.ts";
import { emaUpdate, FlatAdamW, globalNorm } from "./flat_adamw.ts";
import { ParamLayout } from "./flat_params.ts";
import { checkFiniteGradient } from "./finite_gradient.ts";
import { initValues, type ParamSpec } from "./nn/params.ts";
import { OrtTrainSession, resolveThreads } from "./ort_train_session.ts";
import { drawPretrainBatch, type Example } from "./pretrain_batch.ts";
import { pretrainGraph } from "./pretrain_loss.ts";
import { Schedule } from "./schedule.ts";
import { Tokenizer } from "./tokenizer.ts";
import { emaDecayAt, learningRate, type TrainConfig } from "./train_config.ts";

export type { Example } from "./pretrain_batch.ts";

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
  /** The onnxruntime threads the state was computed with (a resume on another count
   *  continues, but not bit for bit); absent in checkpoints written before. */
  threads?: number;
}

/** What a trainer holds of a TrainState: its weight sets of type `W`. */
interface TrainerState<W> {
  readonly model: ModelConfig;
  readonly train: TrainConfig;
  readonly step: number;
  readonly cursor: number;
  readonly params: W;
  readonly ema: W;
  readonly opt: { readonly m: W; readonly v: W };
}

/**
 * The TrainState of trainer `t` (this one or models/tfjs_trainer.ts) with main Rng state `rng`,
 * its weights, EMA and AdamW moments read out as named copies by `read`.
 */
export function trainStateOf<W>(
  t: TrainerState<W>,
  rng: RngState,
  read: (w: W) => Map<string, Float32Array>,
): TrainState {
  return {
    model: t.model,
    train: t.train,
    step: t.step,
    cursor: t.cursor,
    rng,
    params: read(t.params),
    ema: read(t.ema),
    adamM: read(t.opt.m),
    adamV: read(t.opt.v),
  };
}

export interface StepResult {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
}

/** How the trainer runs (not part of the training state). */
export interface DenoiserTrainerOptions {
  /** onnxruntime intra-op threads; null: one per core. Exact resume needs the same count.
   *  @default {null} */
  threads?: number | null;
}

export class DenoiserTrainer {
  readonly model: ModelConfig;
  readonly train: TrainConfig;
  readonly specs: ParamSpec[];
  readonly schedule: Schedule;
  readonly tokenizer: Tokenizer;
  readonly layout: ParamLayout;
  readonly threads: number;
  /** The weights, flat in spec order (models/flat_params.ts). */
  readonly params: Float32Array;
  readonly ema: Float32Array;
  readonly opt: FlatAdamW;
  step: number;
  cursor: number;
  #rng: Rng;
  #session: Promise<OrtTrainSession> | null = null;

  private constructor(s: TrainState, opts: DenoiserTrainerOptions) {
    this.model = s.model;
    this.train = s.train;
    this.specs = denoiserSpecs(s.model);
    this.schedule = new Schedule(s.model);
    this.tokenizer = new Tokenizer(s.model.vocabulary, s.model.maxTokens);
    this.layout = new ParamLayout(this.specs);
    this.threads = resolveThreads(opts.threads);
    this.params = this.layout.pack(s.params);
    this.ema = this.layout.pack(s.ema);
    this.opt = new FlatAdamW(ParamLayout.decayMask(this.specs), {
      weightDecay: s.train.weightDecay,
      clipNorm: s.train.gradClip,
    });
    this.opt.m.set(this.layout.pack(s.adamM));
    this.opt.v.set(this.layout.pack(s.adamV));
    this.opt.count = s.step;
    this.step = s.step;
    this.cursor = s.cursor;
    this.#rng = new Rng(s.rng);
  }

  /** A fresh model: weights drawn from Rng(train.seed). */
  static create(
    model: ModelConfig,
    train: TrainConfig,
    opts: DenoiserTrainerOptions = {},
  ): DenoiserTrainer {
    const rng = new Rng(train.seed);
    const params = initValues(denoiserSpecs(model), rng);
    const zeros = () => new Map([...params].map(([k, v]) => [k, new Float32Array(v.length)]));
    return new DenoiserTrainer({
      model,
      train,
      step: 0,
      cursor: 0,
      rng: rng.state(),
      params,
      ema: new Map([...params].map(([k, v]) => [k, v.slice()])),
      adamM: zeros(),
      adamV: zeros(),
    }, opts);
  }

  static restore(s: TrainState, opts: DenoiserTrainerOptions = {}): DenoiserTrainer {
    return new DenoiserTrainer(s, opts);
  }

  /** The resumable state (copies). `train` may be overridden, e.g. to extend `steps`. */
  snapshot(): TrainState {
    const unpack = (w: Float32Array) => this.layout.unpack(w);
    return { ...trainStateOf(this, this.#rng.state(), unpack), threads: this.threads };
  }

  /** One optimisation step on the next `batchSize` examples of `corpus`. */
  async trainStep(corpus: (index: number) => Example): Promise<StepResult> {
    const B = this.train.batchSize;
    const S = this.model.imageSize;
    const C = this.model.channels;
    // 1-2. the batch and its noise
    // The main Rng advances only when the step succeeds: a step that throws leaves the state
    // exactly as it was (models/finite_gradient.ts).
    const main = new Rng(this.#rng.state());
    const rng = new Rng(main.nextU32());
    const b = drawPretrainBatch(this, corpus, rng);
    // 3. loss and gradients: one session run
    this.#session ??= OrtTrainSession.create(pretrainGraph(this.model, B), {
      threads: this.threads,
    });
    const { loss, grad } = await (await this.#session).run(this.params, {
      x: [b.xt, [B, S, S, C]],
      t: [b.tau, [B]],
      tokens: [b.tokens, [B, this.model.maxTokens]],
      target: [b.target, [B, S, S, C]],
      weight: [b.weights, [B]],
    });
    // 4. AdamW (with clipping) and EMA, unless the gradient is not finite
    const norm = globalNorm(grad);
    checkFiniteGradient(grad, norm, this.layout, this.step + 1, loss);
    const lr = learningRate(this.train, this.step);
    this.opt.apply(this.params, grad, lr, norm);
    emaUpdate(this.ema, this.params, emaDecayAt(this.train, this.step));
    this.#rng = main;
    this.step += 1;
    this.cursor += B;
    return { step: this.step, loss, gradNorm: norm, lr };
  }

  /** EMA weights (what gets exported). */
  emaValues(): Map<string, Float32Array> {
    return this.layout.unpack(this.ema);
  }

  /** Releases the onnxruntime session. */
  async dispose(): Promise<void> {
    const s = this.#session;
    this.#session = null;
    if (s) await (await s).release();
  }
}
