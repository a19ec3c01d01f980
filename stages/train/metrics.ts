/**
 * Per-step diagnostics of preference training (logged, never optimised):
 *   implicit accuracy  share of pairs with dR_theta > 0 (the policy prefers x+ more than the
 *                      reference does);
 *   correlation        Pearson r of dR_theta with dR_ca over the batch (CaPO's regression fit).
 */

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
