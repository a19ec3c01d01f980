/**
 * Fine-tuning's learning rate (the `train` section's lr, warmup_steps and schedule) on the one
 * schedule of lib/lr_schedule.ts: linear warm-up, then constant, or cosine to 0 at the last step.
 */
import { learningRateAt as scheduleAt } from "../../lib/lr_schedule.ts";

export const LR_SCHEDULES = ["constant", "cosine"] as const;
export type LrSchedule = typeof LR_SCHEDULES[number];

export interface LrOptions {
  lr: number;
  warmup_steps: number;
  schedule: LrSchedule;
}

export function learningRateAt(o: LrOptions, step: number, totalSteps: number): number {
  return scheduleAt(
    { lr: o.lr, warmupSteps: o.warmup_steps, decay: o.schedule, finalFraction: 0, decaySteps: 0 },
    step,
    totalSteps,
  );
}
