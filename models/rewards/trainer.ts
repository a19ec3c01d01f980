/**
 * Training a reward network in tfjs: one step = a batch (batches.ts), the objective's loss,
 * AdamW with global-norm clipping, a warm-up + cosine learning-rate schedule.
 *
 * Notation: s the network's scores, y the targets, softplus(z) = log(1 + e^z).
 *   regression     L = mean_i (s_i - y_i)^2
 *   binary         L = mean_i softplus(s_i) - y_i s_i           (BCE on the logit s)
 *   bradley_terry  images in groups of k of one caption; for every judged pair (i, j) of a
 *                  group (mask M = 1): d_ij = s_i - s_j,
 *                  L = sum M (softplus(d_ij) - Y_ij d_ij) / sum M,
 *                  i.e. -log sigmoid(d_ij) when i was preferred (Bradley & Terry 1952)
 */
import { learningRateAt } from "../../lib/lr_schedule.ts";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../lib/rng.ts";
import { AdamW } from "../adamw.ts";
import { initValues, type ParamSpec, readValues, sizeOf, toVariables } from "../nn/params.ts";
import type { Batch } from "./batches.ts";
import type { RewardNetConfig } from "./net_config.ts";
import { rewardNetForward, rewardNetSpecs } from "./reward_net.ts";
import type { RewardTrainConfig } from "./rewards_config.ts";

export type Objective = "regression" | "binary" | "bradley_terry";

/**
 * The loss of scores `s` [n] against targets `y` ([n]; Bradley-Terry: Y [G, k, k] with the
 * judged-pair mask `m` [G, k, k], n = G k).
 */
export function objectiveLoss(
  objective: Objective,
  s: tf.Tensor,
  y: tf.Tensor,
  m: tf.Tensor | null = null,
): tf.Scalar {
  switch (objective) {
    case "regression":
      return tf.mean(tf.squaredDifference(s, y)) as tf.Scalar;
    case "binary":
      return tf.mean(tf.sub(tf.softplus(s), tf.mul(y, s))) as tf.Scalar;
    case "bradley_terry": {
      if (m === null) {
        throw new TypeError("Cannot compute a Bradley-Terry loss as the pair mask is missing");
      }
      const [G, k] = y.shape as [number, number, number];
      const s2 = s.reshape([G, k]);
      const d = tf.sub(s2.reshape([G, k, 1]), s2.reshape([G, 1, k])); // [G,k,k] d_ij = s_i - s_j
      const l = tf.mul(m, tf.sub(tf.softplus(d), tf.mul(y, d)));
      return tf.div(tf.sum(l), tf.sum(m)) as tf.Scalar;
    }
  }
}

/** Learning rate at `step` (0-based): linear warm-up, then cosine to lr * finalLrFraction. */
export function learningRate(t: RewardTrainConfig, step: number): number {
  return learningRateAt(
    {
      lr: t.lr,
      warmupSteps: t.warmupSteps,
      decay: "cosine",
      finalFraction: t.finalLrFraction,
      decaySteps: 0,
    },
    step,
    t.steps,
  );
}

export interface StepResult {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
}

export class RewardTrainer {
  readonly net: RewardNetConfig;
  readonly train: RewardTrainConfig;
  readonly objective: Objective;
  readonly specs: ParamSpec[];
  readonly params: Map<string, tf.Variable>;
  step = 0;
  #opt: AdamW;

  /** A fresh network from `train.seed`, or one warm-started from `init` (every weight). */
  constructor(
    net: RewardNetConfig,
    train: RewardTrainConfig,
    objective: Objective,
    init: ReadonlyMap<string, Float32Array> | null = null,
  ) {
    this.net = net;
    this.train = train;
    this.objective = objective;
    this.specs = rewardNetSpecs(net);
    if (init !== null) {
      for (const s of this.specs) {
        const v = init.get(s.name);
        if (!v || v.length !== sizeOf(s.shape)) {
          throw new RangeError(
            `Cannot warm-start weight '${s.name}' as it needs ${sizeOf(s.shape)} values: ` +
              `current value is ${v ? v.length : "missing"}`,
          );
        }
      }
    }
    this.params = toVariables(this.specs, init ?? initValues(this.specs, new Rng(train.seed)));
    const decay = new Set(this.specs.filter((s) => s.decay).map((s) => s.name));
    this.#opt = new AdamW(this.params, decay, {
      weightDecay: train.weightDecay,
      clipNorm: train.gradClip,
    });
  }

  /** One optimisation step on `batch`. */
  trainStep(batch: Batch): StepResult {
    const S = this.net.imageSize;
    const L = this.net.maxTokens;
    const lr = learningRate(this.train, this.step);
    const vars = [...this.params.values()];
    const { loss, gradNorm } = tf.tidy(() => {
      const x = tf.tensor(batch.images, [batch.n, S, S, 3]);
      const k = batch.tokens ? tf.tensor(batch.tokens, [batch.n, L], "int32") : null;
      const G = batch.n / batch.groupSize;
      const y = batch.mask
        ? tf.tensor(batch.targets, [G, batch.groupSize, batch.groupSize])
        : tf.tensor(batch.targets);
      const m = batch.mask ? tf.tensor(batch.mask, [G, batch.groupSize, batch.groupSize]) : null;
      const { value, grads } = tf.variableGrads(
        () => objectiveLoss(this.objective, rewardNetForward(this.net, this.params, x, k), y, m),
        vars,
      );
      const named = new Map<string, tf.Tensor>();
      for (const [name, v] of this.params) named.set(name, grads[v.name]!);
      const gradNorm = this.#opt.apply(named, lr);
      return { loss: value.dataSync()[0]!, gradNorm };
    });
    this.step += 1;
    if (!Number.isFinite(loss)) {
      throw new RangeError(`Cannot continue training as the loss at step ${this.step} is ${loss}`);
    }
    return { step: this.step, loss, gradNorm, lr };
  }

  /** The trained weights (copies). */
  values(): Map<string, Float32Array> {
    return readValues(this.params);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.#opt.dispose();
  }
}
