/**
 * The one learning-rate schedule, for pretraining, reward training and fine-tuning: a linear
 * warm-up to the peak `lr`, then one of
 *
 *   k < W:      lr * (k + 1) / W                                  (W warm-up steps)
 *   constant:   lr
 *   cosine:     floor + (lr - floor) * (1 + cos(pi * min(1, (k - W) / (K - W)))) / 2
 *   linear:     lr * (1 - (1 - f) * min(1, (k - (K - D)) / D))   over the last D steps only
 *
 * with K total steps, floor = lr * f and f the final fraction (0: decay to 0).
 */
export const LR_DECAYS = ["constant", "cosine", "linear"] as const;
export type LrDecay = typeof LR_DECAYS[number];

export interface LrSchedule {
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up steps W (0: none). */
  warmupSteps: number;
  decay: LrDecay;
  /** lr at the end of the decay, as a fraction of the peak. */
  finalFraction: number;
  /** 'linear' decays over the last D steps. */
  decaySteps: number;
}

/** The learning rate of (0-based) step `step` of `totalSteps`. */
export function learningRateAt(s: LrSchedule, step: number, totalSteps: number): number {
  if (step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  switch (s.decay) {
    case "constant":
      return s.lr;
    case "cosine": {
      const span = Math.max(1, totalSteps - s.warmupSteps);
      const frac = Math.min(1, (step - s.warmupSteps) / span);
      const floor = s.lr * s.finalFraction;
      return floor + (s.lr - floor) * 0.5 * (1 + Math.cos(Math.PI * frac));
    }
    case "linear": {
      const into = step - (totalSteps - s.decaySteps);
      if (into <= 0) return s.lr;
      return s.lr * (1 - (1 - s.finalFraction) * Math.min(1, into / s.decaySteps));
    }
  }
}
