/**
 * Paired bootstrap over prompts and training seeds (docs/method.md §6.5): the interval and the
 * p-value of a mean statistic of two models A and B sampled from the same noise.
 *
 * Notation: P prompts, S_A training seeds of A, S_B of B; x[p, s, t] the statistic on prompt p
 * (already averaged over the prompt's eval seeds, which are not independent) for A's seed s
 * against B's seed t (S = 1 for a model trained once, or the base). B resamples.
 *   theta = mean over all (p, s, t) of x                                   (the estimate)
 *   1. for b = 1..B draw P prompts, S_A seeds of A and S_B seeds of B, each uniformly with
 *      replacement and independently (a crossed design: the prompts are shared, the seeds of
 *      the two models are not); theta*_b = mean of x over the drawn (p, s, t), with repeats;
 *   2. the interval: the (1 - level)/2 and (1 + level)/2 quantiles of the theta*_b (type 7);
 *   3. the two-sided p-value of H0: theta = theta0, from the bootstrap distribution shifted to
 *      the null (Efron & Tibshirani 1993, §16.4):
 *        p = (1 + #{b : |theta*_b - theta| >= |theta - theta0|}) / (B + 1).
 * With one seed per model step 1 resamples prompts only (bootstrap.ts). With few seeds the
 * seed draws understate training variance (by (S - 1) / S); the spread is still in the interval.
 */
import { Rng } from "../../lib/rng.ts";
import { type BootstrapOptions, type Interval, quantile } from "./bootstrap.ts";

/** x[p, s, t] in row-major order: index (p * seedsA + s) * seedsB + t. */
export interface CrossedValues {
  values: ArrayLike<number>;
  prompts: number;
  seedsA: number;
  seedsB: number;
}

export interface PairedTest extends Interval {
  /** theta0 of H0. */
  null_value: number;
  /** Two-sided bootstrap p-value of H0 (uncorrected). */
  p_value: number;
}

/** Tolerance of |theta* - theta| >= |theta - theta0|: sums in another order differ by rounding. */
const EPS = 1e-12;

export function pairedBootstrap(
  x: CrossedValues,
  nullValue: number,
  opts: BootstrapOptions = {},
): PairedTest {
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  const { prompts: P, seedsA: SA, seedsB: SB, values } = x;
  for (const [name, v] of [["prompts", P], ["seedsA", SA], ["seedsB", SB]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(
        `Cannot bootstrap as ${name} must be a positive integer: current value is ${v}`,
      );
    }
  }
  if (values.length !== P * SA * SB) {
    throw new RangeError(
      `Cannot bootstrap as values must hold prompts x seedsA x seedsB = ${P * SA * SB} ` +
        `numbers: current length is ${values.length}`,
    );
  }
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(
      `Cannot bootstrap as resamples must be a positive integer: current value is ${resamples}`,
    );
  }
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`Cannot bootstrap as level must be in (0, 1): current value is ${level}`);
  }
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new RangeError(`Cannot bootstrap as value ${i} is not finite: ${values[i]}`);
    }
    total += values[i]!;
  }
  const theta = total / values.length;
  const rng = new Rng(opts.seed ?? 0);
  // 1. resampled means, from the multiplicity of each prompt and seed in the draw
  const cp = new Float64Array(P), cs = new Float64Array(SA), ct = new Float64Array(SB);
  const means = new Float64Array(resamples);
  const denom = P * SA * SB;
  for (let b = 0; b < resamples; b++) {
    cp.fill(0);
    cs.fill(0);
    ct.fill(0);
    for (let i = 0; i < P; i++) cp[rng.int(P)]! += 1;
    for (let i = 0; i < SA; i++) cs[SA === 1 ? 0 : rng.int(SA)]! += 1;
    for (let i = 0; i < SB; i++) ct[SB === 1 ? 0 : rng.int(SB)]! += 1;
    let sum = 0;
    for (let p = 0; p < P; p++) {
      if (cp[p] === 0) continue;
      for (let s = 0; s < SA; s++) {
        if (cs[s] === 0) continue;
        const w = cp[p]! * cs[s]!;
        const row = (p * SA + s) * SB;
        for (let t = 0; t < SB; t++) sum += w * ct[t]! * values[row + t]!;
      }
    }
    means[b] = sum / denom;
  }
  // 3. the p-value, before sorting (order does not matter to a count)
  const gap = Math.abs(theta - nullValue);
  let extreme = 0;
  for (let b = 0; b < resamples; b++) if (Math.abs(means[b]! - theta) >= gap - EPS) extreme++;
  // 2. percentile interval
  means.sort();
  return {
    estimate: theta,
    low: quantile(means, (1 - level) / 2),
    high: quantile(means, (1 + level) / 2),
    level,
    resamples,
    null_value: nullValue,
    p_value: (1 + extreme) / (resamples + 1),
  };
}
