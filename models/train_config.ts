/**
 * Pretraining hyper-parameters (the `train` half of models/configs/*.json; the `model` half
 * is a ModelConfig). Each default states why.
 */
import { learningRateAt } from "../lib/lr_schedule.ts";
export interface TrainConfig {
  /** Seeds weight init and every per-step random draw. @default {0} */
  seed: number;
  /** Seeds the ShapeWorld corpus stream (corpusItem(dataSeed, index)). @default {1} */
  dataSeed: number;
  /** @default {48} big enough for stable Adam moments, small enough for steps/s on one core */
  batchSize: number;
  /** Total steps; resuming with a larger value continues training. */
  steps: number;
  /** Peak learning rate. @default {4e-4} small DiTs tolerate more than DiT-XL's 1e-4 */
  lr: number;
  /** Linear warm-up steps. @default {300} */
  warmupSteps: number;
  /** Linear decay to lr * finalLrFraction over the last decaySteps (0 = constant). @default {0} */
  decaySteps: number;
  /** @default {0.1} */
  finalLrFraction: number;
  /** @default {0.01} */
  weightDecay: number;
  /** @default {1} clip the global gradient norm; early diffusion steps spike */
  gradClip: number;
  /** EMA decay of the exported weights. @default {0.999} ~1000-step horizon fits a few-k-step run */
  emaDecay: number;
  /** Probability of dropping the prompt to <null> (classifier-free guidance). @default {0.1} */
  pUncond: number;
  /** flow only: share of training times drawn uniformly instead of logit-normal. @default {0.2} */
  flowUniformMix: number;
  /** eps only: Min-SNR-gamma loss weighting (0 = plain eps MSE). @default {0} configs set 5 */
  minSnrGamma: number;
  /** Steps between loss-log lines. @default {25} */
  logEvery: number;
  /** Minutes between checkpoints. @default {5} */
  checkpointMinutes: number;
}

export const TRAIN_DEFAULTS: Omit<TrainConfig, "steps"> = {
  seed: 0,
  dataSeed: 1,
  batchSize: 48,
  lr: 4e-4,
  warmupSteps: 300,
  decaySteps: 0,
  finalLrFraction: 0.1,
  weightDecay: 0.01,
  gradClip: 1,
  emaDecay: 0.999,
  pUncond: 0.1,
  flowUniformMix: 0.2,
  minSnrGamma: 0,
  logEvery: 25,
  checkpointMinutes: 5,
};

export function parseTrainConfig(raw: unknown): TrainConfig {
  if (typeof raw !== "object" || raw === null) {
    throw new TypeError(
      `Cannot use train config as it must be an object: current value is ${JSON.stringify(raw)}`,
    );
  }
  const o = { ...TRAIN_DEFAULTS, ...raw } as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const k of [...Object.keys(TRAIN_DEFAULTS), "steps"]) {
    const v = o[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new RangeError(
        `Cannot use train config as ${k} must be a finite number >= 0: current value is ${
          JSON.stringify(v)
        }`,
      );
    }
    out[k] = v;
  }
  for (const k of ["batchSize", "steps", "logEvery"]) {
    if (!Number.isInteger(out[k]) || out[k]! < 1) {
      throw new RangeError(
        `Cannot use train config as ${k} must be a positive integer: current value is ${out[k]}`,
      );
    }
  }
  return out as unknown as TrainConfig;
}

/** Learning rate at (0-based) step: warm-up, constant, optional linear decay at the end. */
export function learningRate(c: TrainConfig, step: number): number {
  return learningRateAt(
    {
      lr: c.lr,
      warmupSteps: c.warmupSteps,
      decay: c.decaySteps > 0 ? "linear" : "constant",
      finalFraction: c.finalLrFraction,
      decaySteps: c.decaySteps,
    },
    step,
    c.steps,
  );
}

/**
 * EMA decay after (0-based) step `step`: min(emaDecay, (1 + k) / (10 + k)), k = step + 1, so
 * the average warms up over the first steps instead of starting glued to the initial weights.
 */
export function emaDecayAt(c: TrainConfig, step: number): number {
  const k = step + 1;
  return Math.min(c.emaDecay, (1 + k) / (10 + k));
}
