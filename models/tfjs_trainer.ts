/**
 * The tfjs reference of pretraining (models/trainer.ts trains on onnxruntime): the same step
 * with tfjs autodiff, tfjs AdamW (models/adamw.ts) and a tfjs EMA. It is what the onnxruntime
 * gradients are tested against (tests/models/ort/trainer_parity.ts compares 20 steps' losses)
 * and the tfjs-wasm row of `deno task bench train`.
 *
 * Notation (docs/method.md §1.2, models/pretrain_batch.ts): loss = mean over batch and pixels of
 * w (f(x_t, tau, c) - target)^2. State and batches are those of models/trainer.ts, so a
 * snapshot of either restores in the other.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../lib/rng.ts";
import { AdamW } from "./adamw.ts";
import type { ModelConfig } from "./config.ts";
import { denoiserForward, denoiserSpecs } from "./denoiser.ts";
import { type ParamSpec, readValues, toVariables } from "./nn/params.ts";
import { drawPretrainBatch, type Example } from "./pretrain_batch.ts";
import { Schedule } from "./schedule.ts";
import { Tokenizer } from "./tokenizer.ts";
import { emaDecayAt, learningRate, type TrainConfig } from "./train_config.ts";
import { type StepResult, type TrainState, trainStateOf } from "./trainer.ts";

export class TfjsDenoiserTrainer {
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

  static restore(s: TrainState): TfjsDenoiserTrainer {
    return new TfjsDenoiserTrainer(s);
  }

  /** The resumable state (copies). `train` may be overridden, e.g. to extend `steps`. */
  snapshot(): TrainState {
    return trainStateOf(this, this.#rng.state(), readValues);
  }

  /** One optimisation step on the next `batchSize` examples of `corpus`. */
  trainStep(corpus: (index: number) => Example): StepResult {
    const B = this.train.batchSize;
    const L = this.model.maxTokens;
    const S = this.model.imageSize;
    const C = this.model.channels;
    // 1-2. the batch, drawn as models/trainer.ts draws it
    const rng = new Rng(this.#rng.nextU32());
    const { xt, tau, tokens, target, weights } = drawPretrainBatch(this, corpus, rng);
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
      const d = emaDecayAt(this.train, this.step);
      for (const [name, e] of this.ema) {
        e.assign(tf.add(tf.mul(e, d), tf.mul(this.params.get(name)!, 1 - d)));
      }
      return { loss: value.dataSync()[0]!, gradNorm };
    });
    this.step += 1;
    this.cursor += B;
    return { step: this.step, loss, gradNorm, lr };
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
