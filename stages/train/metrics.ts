/**
 * Per-step diagnostics of preference training (logged, never optimised):
 *   implicit accuracy  share of pairs with dR_theta > 0 (the policy prefers x+ more than the
 *                      reference does);
 *   correlation        Pearson r of dR_theta with dR_ca over the batch (CaPO's regression fit).
 */
import { pearson } from "../../models/rewards/metrics.ts";
import type { PairBatch } from "./pair_data.ts";

/** Share of values > 0; NaN for no values. */
export function implicitAccuracy(dR: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < dR.length; i++) if (dR[i]! > 0) n++;
  return dR.length === 0 ? NaN : n / dR.length;
}

/**
 * Pearson correlation of x and y; NaN when either has zero variance (e.g. the first step, where
 * policy = reference and every dR_theta is 0) or fewer than 2 values. One implementation serves
 * the reward cards and the trainer's log.
 */
export { pearson } from "../../models/rewards/metrics.ts";

/** Mean of the values; NaN for none. */
export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return x.length === 0 ? NaN : s / x.length;
}

/** One line of the trainer's log.jsonl (stages/train/fine_tune.ts writes them). */
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

/** The metrics of a step from its dR_theta [B] and the batch's dR_ca [B] and w(t) [B]. */
export function stepMetrics(
  step: number,
  loss: number,
  dR: Float32Array,
  batch: PairBatch,
  w: Float32Array,
  lr: number,
  gradNorm: number,
  seconds: number,
): StepMetrics {
  const r = pearson(dR, batch.dRca);
  return {
    step,
    loss,
    accuracy: implicitAccuracy(dR),
    correlation: Number.isNaN(r) ? null : r,
    lr,
    grad_norm: gradNorm,
    dr_theta: mean(dR),
    dr_ca: mean(batch.dRca),
    w: mean(w),
    seconds,
  };
}
