/**
 * Per-step diagnostics of preference training (logged, never optimised):
 *   implicit accuracy  share of pairs with dR_theta > 0 (the policy prefers x+ more than the
 *                      reference does);
 *   correlation        Pearson r of dR_theta with dR_ca over the batch (CaPO's regression fit);
 *   backward           share of the loss weights that push a pair backwards (docs/method.md §5.5):
 *                      the squared kinds weight pair j by dL/d dR = 2 (dR - c) (c = dR_ca for
 *                      CaPO, 1 for IPO), so a gradient step moves dR towards c, i.e. against
 *                      sign(c) when sign(dR - c) = sign(c) (an overshoot; c = 0 is never
 *                      backwards); the unbiased kinds weight estimate 1 by (dR² - c) and
 *                      estimate 2 by (dR¹ - c), both counted (2B weights); DPO's weight
 *                      sigmoid(-dR) is always positive: 0.
 * and, every `train.probe_every` steps on a fixed probe batch, from two independent estimates
 * dR¹, dR² per pair (each as the loss computes it):
 *   probe_var          mean over pairs of (dR¹ - dR²)^2 / 2, unbiased for Var(dR);
 *   probe_bias2        mean over pairs of (dR¹ - c)(dR² - c), unbiased for (E[dR] - c)^2;
 *   probe_sq           mean over pairs of ((dR¹ - c)^2 + (dR² - c)^2) / 2, the one-estimate
 *                      squared loss; probe_sq = probe_bias2 + probe_var exactly (per pair,
 *                      (a^2 + b^2)/2 = ab + (a - b)^2/2). Null for DPO (no target c).
 */
import { pearson } from "../../models/rewards/metrics.ts";
import { type LossKind, lossTarget } from "./loss_kinds.ts";
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
  /** Share of loss weights pushing a pair backwards (0 for DPO); null for no pairs. Absent
   *  from logs written before issue #19. */
  backward?: number | null;
  /** The probe's fields, on the steps it ran (`train.probe_every`). */
  probe_var?: number;
  probe_bias2?: number | null;
  probe_sq?: number | null;
  probe_pairs?: number;
  probe_seconds?: number;
}

/** A probe's fields of the log line (see the header). */
export type ProbeMetrics = Required<
  Pick<StepMetrics, "probe_var" | "probe_bias2" | "probe_sq" | "probe_pairs" | "probe_seconds">
>;

/**
 * Share of the loss weights that push their pair backwards (see the header): `estimates` holds
 * the loss's one or two gap estimates [B]; null for no pairs.
 */
export function backwardShare(
  kind: LossKind,
  estimates: readonly ArrayLike<number>[],
  dRca: ArrayLike<number>,
): number | null {
  const B = dRca.length;
  if (B === 0) return null;
  if (kind === "dpo") return 0;
  let back = 0, weights = 0;
  for (let j = 0; j < B; j++) {
    const c = lossTarget(kind, dRca[j]!)!;
    // the weight on estimate e is (the other estimate - c), or (dR - c) with one estimate
    for (let e = 0; e < estimates.length; e++) {
      const other = estimates[estimates.length === 1 ? 0 : 1 - e]![j]!;
      weights++;
      if (c !== 0 && Math.sign(other - c) === Math.sign(c)) back++;
    }
  }
  return back / weights;
}

/** The probe's fields from two independent estimates dR¹, dR² [B] (see the header). */
export function probeMetrics(
  kind: LossKind,
  d1: ArrayLike<number>,
  d2: ArrayLike<number>,
  dRca: ArrayLike<number>,
  t0: number,
): ProbeMetrics {
  const B = dRca.length;
  let v = 0, b2 = 0, sq = 0;
  const squared = kind !== "dpo";
  for (let j = 0; j < B; j++) {
    const a = d1[j]!, b = d2[j]!;
    v += (a - b) ** 2 / 2;
    if (squared) {
      const c = lossTarget(kind, dRca[j]!)!;
      b2 += (a - c) * (b - c);
      sq += ((a - c) ** 2 + (b - c) ** 2) / 2;
    }
  }
  return {
    probe_var: v / B,
    probe_bias2: squared ? b2 / B : null,
    probe_sq: squared ? sq / B : null,
    probe_pairs: B,
    probe_seconds: (performance.now() - t0) / 1000,
  };
}

/** The metrics of a step from its dR_theta [B], the batch's dR_ca [B] and w(t) [D B]. */
export function stepMetrics(
  step: number,
  loss: number,
  dR: Float32Array,
  batch: PairBatch,
  w: Float32Array,
  lr: number,
  gradNorm: number,
  seconds: number,
  backward: number | null,
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
    backward,
  };
}
