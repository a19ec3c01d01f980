/**
 * Percentile bootstrap interval of a mean (Efron & Tibshirani 1993, ch. 13), seeded.
 *
 * Notation: x_1..x_n the values (here per-prompt mean win scores), B resamples.
 *   1. for b = 1..B draw n indices uniformly with replacement; m_b = mean of those values;
 *   2. sort m_1..m_B; low/high = the (1 - level)/2 and (1 + level)/2 quantiles (linear
 *      interpolation between order statistics, R's type 7);
 *   3. estimate = mean of x (not of the m_b).
 * The draws come from `new Rng(seed)`, so an interval is reproducible.
 */
import { Rng } from "../../lib/rng.ts";

export interface Interval {
  estimate: number;
  low: number;
  high: number;
  /** Coverage, e.g. 0.95. */
  level: number;
  resamples: number;
}

export interface BootstrapOptions {
  /** @default {1000} */
  resamples?: number;
  /** @default {0.95} */
  level?: number;
  /** @default {0} */
  seed?: number;
}

/** Linear-interpolated quantile q of sorted values (type 7). */
export function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function bootstrapMean(values: ArrayLike<number>, opts: BootstrapOptions = {}): Interval {
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  const n = values.length;
  if (n === 0) throw new RangeError("Cannot bootstrap the mean of no values");
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(
      `Cannot bootstrap as resamples must be a positive integer: current value is ${resamples}`,
    );
  }
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`Cannot bootstrap as level must be in (0, 1): current value is ${level}`);
  }
  const rng = new Rng(opts.seed ?? 0);
  // 1. resampled means
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(n)]!;
    means[b] = s / n;
  }
  // 2. percentile interval
  means.sort();
  let total = 0;
  for (let i = 0; i < n; i++) total += values[i]!;
  return {
    estimate: total / n, // 3.
    low: quantile(means, (1 - level) / 2),
    high: quantile(means, (1 + level) / 2),
    level,
    resamples,
  };
}
