/**
 * Learning rate of fine-tuning step k (0-based): linear warm-up, then constant or cosine.
 *
 *   k < W:      lr * (k + 1) / W
 *   constant:   lr
 *   cosine:     lr * (1 + cos(pi * (k - W) / (K - W))) / 2,  K total steps (0 after the end)
 */
export const LR_SCHEDULES = ["constant", "cosine"] as const;
export type LrSchedule = typeof LR_SCHEDULES[number];

export interface LrOptions {
  lr: number;
  warmup_steps: number;
  schedule: LrSchedule;
}

export function learningRateAt(o: LrOptions, step: number, totalSteps: number): number {
  if (step < o.warmup_steps) return o.lr * (step + 1) / o.warmup_steps;
  switch (o.schedule) {
    case "constant":
      return o.lr;
    case "cosine": {
      const span = Math.max(1, totalSteps - o.warmup_steps);
      const frac = Math.min(1, (step - o.warmup_steps) / span);
      return o.lr * (1 + Math.cos(Math.PI * frac)) / 2;
    }
  }
}
