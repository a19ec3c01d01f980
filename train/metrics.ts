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
 * policy = reference and every dR_theta is 0) or fewer than 2 values.
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) {
    throw new RangeError(
      `Cannot correlate as x and y must have the same length: current lengths are ${n} and ${y.length}`,
    );
  }
  if (n < 2) return NaN;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx, dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Mean of the values; NaN for none. */
export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return x.length === 0 ? NaN : s / x.length;
}
