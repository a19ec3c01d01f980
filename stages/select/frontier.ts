/**
 * Pair selection cores on packed arrays (docs/method.md §4): frontier-based rejection sampling
 * (FRS) and the best-vs-worst selection used by the single-reward and SUM methods.
 *
 * Notation (docs/method.md §4.1):
 *   x_i          sample i of one prompt's group; its calibrated vector
 *                (Rca_1(x_i), ..., Rca_K(x_i)) is row i of `v` (row-major [rows x K])
 *   x > y        x dominates y: x_k >= y_k for every k and x_k > y_k for at least one k
 *   X+           upper frontier: the non-dominated points (no y dominates x)
 *   X-           lower frontier: the points that dominate no other point
 *   (x+, x-)     a drawn pair, accepted iff x+ > x-
 *
 * No objects are allocated per sample: counts and frontiers live in caller-owned scratch.
 */
import type { Rng } from "../../lib/rng.ts";

/** x > y (x dominates y) for rows `i` and `j` of the row-major matrix `v` with K columns. */
export function dominatesAt(v: ArrayLike<number>, K: number, i: number, j: number): boolean {
  let gt = false;
  for (let k = 0; k < K; k++) {
    const a = v[i * K + k]!;
    const b = v[j * K + k]!;
    if (a < b) return false;
    if (a > b) gt = true;
  }
  return gt;
}

/** x > y for two vectors of the same length: the FRS acceptance test of a pair (x+, x-). */
export function dominates(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  if (x.length !== y.length) {
    throw new RangeError(
      `Cannot compare for dominance vectors of lengths ${x.length} and ${y.length}`,
    );
  }
  let gt = false;
  for (let k = 0; k < x.length; k++) {
    if (x[k]! < y[k]!) return false;
    if (x[k]! > y[k]!) gt = true;
  }
  return gt;
}

/** Scratch for one group of up to `maxN` samples; reuse it across groups. */
export class FrontierScratch {
  readonly dominated: Int32Array;
  readonly dominating: Int32Array;
  readonly plus: Int32Array;
  readonly minus: Int32Array;
  nPlus = 0;
  nMinus = 0;
  constructor(readonly maxN: number) {
    this.dominated = new Int32Array(maxN);
    this.dominating = new Int32Array(maxN);
    this.plus = new Int32Array(maxN);
    this.minus = new Int32Array(maxN);
  }
}

/**
 * Steps 1-3 of FRS for rows `start .. start + n - 1` of `v`: fills `s.plus[0 .. s.nPlus)`
 * (X+) and `s.minus[0 .. s.nMinus)` (X-) with 0-based indices within the group, points in
 * both sets removed. O(n^2 K), each unordered pair compared once.
 */
export function frontiers(
  v: ArrayLike<number>,
  start: number,
  n: number,
  K: number,
  s: FrontierScratch,
): void {
  if (n > s.maxN) {
    throw new RangeError(`Cannot use FrontierScratch(${s.maxN}) for a group of ${n} samples`);
  }
  const { dominated, dominating } = s;
  dominated.fill(0, 0, n);
  dominating.fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    const oi = (start + i) * K;
    for (let j = i + 1; j < n; j++) {
      const oj = (start + j) * K;
      // Branch-free comparisons: on real rewards most pairs are incomparable, in an order
      // the CPU cannot predict.
      let gt = 0; // 1 iff some x_i,k > x_j,k
      let lt = 0; // 1 iff some x_i,k < x_j,k
      for (let k = 0; k < K; k++) {
        const a = v[oi + k]!;
        const b = v[oj + k]!;
        gt |= +(a > b);
        lt |= +(a < b);
      }
      if (gt !== lt) {
        if (gt) {
          dominating[i]!++;
          dominated[j]!++;
        } else {
          dominating[j]!++;
          dominated[i]!++;
        }
      }
    }
  }
  // 1. X+ = not dominated; 2. X- = dominates nobody; 3. drop points in both
  let np = 0;
  let nm = 0;
  for (let i = 0; i < n; i++) {
    const up = dominated[i] === 0;
    const low = dominating[i] === 0;
    if (up && low) continue;
    if (up) s.plus[np++] = i;
    if (low) s.minus[nm++] = i;
  }
  s.nPlus = np;
  s.nMinus = nm;
}

/**
 * FRS (docs/method.md §4.2) for one group: up to `pairs` distinct pairs, written to
 * `winners`/`losers` (0-based indices within the group); returns how many were found.
 *
 * 4. draw x+ uniformly from X+ and x- uniformly from X- with `rng`; accept iff x+ > x- and
 *    the pair was not already taken; each pair gets one draw plus at most `maxRetries`
 *    retries. When a pair's draws are exhausted the group yields no further pairs (a prompt
 *    with no accepted pair yields none at all).
 */
export function frsSelect(
  v: ArrayLike<number>,
  start: number,
  n: number,
  K: number,
  rng: Rng,
  pairs: number,
  maxRetries: number,
  winners: Int32Array,
  losers: Int32Array,
  s: FrontierScratch,
): number {
  frontiers(v, start, n, K, s);
  const { nPlus, nMinus, plus, minus } = s;
  if (nPlus === 0 || nMinus === 0) return 0;
  let found = 0;
  while (found < pairs) {
    let ok = false;
    for (let attempt = 0; attempt <= maxRetries && !ok; attempt++) {
      const w = plus[Math.floor(rng.next() * nPlus)]!;
      const l = minus[Math.floor(rng.next() * nMinus)]!;
      if (!dominatesAt(v, K, start + w, start + l)) continue;
      ok = true;
      for (let p = 0; p < found; p++) {
        if (winners[p] === w && losers[p] === l) ok = false;
      }
      if (ok) {
        winners[found] = w;
        losers[found] = l;
      }
    }
    if (!ok) break;
    found++;
  }
  return found;
}

/**
 * Best vs worst by a scalar score (single reward: Rca_k; SUM: sum of raw or calibrated
 * rewards) for the n scores `score[0 .. n)`. Pair p is (p-th best, p-th worst) in the order
 * (score descending, index ascending for ties), so pair 0 is (argmax, argmin); pairs stop
 * before the two ends meet or when the winner's score is not strictly above the loser's (a
 * pair with no gap teaches nothing). Returns how many pairs were written.
 */
export function extremePairs(
  score: Float64Array,
  n: number,
  pairs: number,
  winners: Int32Array,
  losers: Int32Array,
  order: Int32Array = new Int32Array(n),
): number {
  if (pairs === 1) {
    // The common case without a sort: first argmax, last argmin (ties: the "p-th worst"
    // in the order above is the highest index among equal minima).
    let w = 0;
    let l = 0;
    for (let i = 1; i < n; i++) {
      if (score[i]! > score[w]!) w = i;
      if (score[i]! <= score[l]!) l = i;
    }
    if (n < 2 || !(score[w]! > score[l]!)) return 0;
    winners[0] = w;
    losers[0] = l;
    return 1;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  const idx = order.subarray(0, n).sort((a, b) => score[b]! - score[a]! || a - b);
  let found = 0;
  for (let p = 0; p < pairs && p < n - 1 - p; p++) {
    const w = idx[p]!;
    const l = idx[n - 1 - p]!;
    if (!(score[w]! > score[l]!)) break;
    winners[found] = w;
    losers[found] = l;
    found++;
  }
  return found;
}
