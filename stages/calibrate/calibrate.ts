/**
 * Calibrator (docs/method.md §3): each raw reward, per prompt, becomes an expected win-rate against
 * the reference model's own samples for that prompt (Bradley-Terry).
 *
 * Notation (docs/method.md §3.1):
 *   c           the prompt; x_1..x_N its N samples (one group)
 *   r_k(x_i,c)  raw score of reward k on sample i          -> r[i * K + k]
 *   tau_k       per-reward temperature (ours, default 1)  -> tau[k]
 *   sigma(z)    logistic sigmoid 1 / (1 + e^-z)
 *   Rca_k(x_i)  = 1/(N-1) * sum_{j != i} sigma((r_k(x_i) - r_k(x_j)) / tau_k)   (eq. 3.1)
 *
 * Exactness, and how the invariants of docs/method.md §3.2 are kept in float64:
 *  - each unordered pair {i, j} is computed once, as s = sigma((r_i - r_j) / tau) for x_i and
 *    its mirror 1 - s = sigma((r_j - r_i) / tau) for x_j (sigma(a) + sigma(-a) = 1), so every
 *    pair adds 1 to the group's total (exactly when s >= 0.5, by Sterbenz; within 2^-54
 *    otherwise), and the mean of Rca over the group is 0.5 up to the rounding of the sums:
 *    |mean - 0.5| < N * 2^-53;
 *  - sigma saturates to 1 in float64 for |d|/tau > ~37, which would put Rca at exactly 0 or 1.
 *    s is therefore clamped to [EPS, 1 - EPS] with EPS = 2^-36 (reached only for
 *    |d|/tau > ~24.9, where sigma is within 1.5e-11 of 1), so Rca is in [EPS, 1 - EPS], inside
 *    the open interval (0, 1) (for N < 2^17, where the rounding of a sum of N - 1 terms stays
 *    below EPS). The clamp is symmetric (1 - EPS and EPS mirror each other exactly), so the
 *    mean is unchanged. Rca stays strictly monotone in r: if r_i > r_j, then
 *    Rca_i - Rca_j >= (2 s_ij - 1) / (N - 1) > 0 whenever s_ij > 0.5 in float64, i.e. for any
 *    gap above float resolution.
 *  - the fast path uses e_i = exp((r_i - max r) / tau) once per sample (N exps instead of
 *    N(N-1)/2) and s = e_i / (e_i + e_j); when a reward's range / tau in the group exceeds
 *    600 (e_i would lose precision to underflow) the group falls back to one exp per pair.
 *
 * N = 1 has no "other samples" (N - 1 = 0): such a group is an error naming the prompt,
 * not a skip, because a silently dropped prompt would change the training set.
 */
import { checkRewardNames } from "../../schemas/reward_columns.ts";
import type { Calibrated } from "../../schemas/calibrated.ts";
import type { Group } from "../../schemas/group.ts";
import type { Scored } from "../../schemas/scored.ts";

/** The clamp on each pairwise win probability, keeping Rca inside (0, 1). */
export const RCA_EPS = 2 ** -36;
const FAST_RANGE = 600;

/**
 * Calibrates one group into `out`: rows `start .. start + n - 1` of the row-major [rows x K]
 * matrices `r` (raw) and `out` (Rca). `acc` and `e` are scratch of length >= n * K.
 * Values must be finite and n >= 2 (checked by the callers that own the records).
 */
export function calibrateGroup(
  r: Float64Array,
  start: number,
  n: number,
  K: number,
  tau: Float64Array,
  out: Float64Array,
  acc: Float64Array = new Float64Array(n * K),
  e: Float64Array = new Float64Array(n * K),
): void {
  const lo = RCA_EPS;
  const hi = 1 - RCA_EPS;
  const base = start * K;
  const len = n * K;
  // 1. per reward, the group's max and whether its range / tau allows the fast path
  let fast = true;
  for (let k = 0; k < K; k++) {
    let max = -Infinity;
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const v = r[base + i * K + k]!;
      if (v > max) max = v;
      if (v < min) min = v;
    }
    if ((max - min) / tau[k]! > FAST_RANGE) fast = false;
    e[k] = max; // e[0 .. K) holds the maxima until step 2 overwrites it
  }
  if (fast) {
    // 2. e_ik = exp((r_ik - max_k) / tau_k) in (0, 1], so that
    //    sigma((r_ik - r_jk) / tau_k) = e_ik / (e_ik + e_jk). Written back to front, as
    //    e[k] (k < K) still holds max_k until row 0 is written last.
    for (let q = len - 1; q >= 0; q--) {
      const k = q % K;
      e[q] = Math.exp((r[base + q]! - e[k]!) / tau[k]!);
    }
  }
  acc.fill(0, 0, len);
  // 3. each unordered pair once, all K rewards together (K independent divisions in flight):
  //    s = P(x_i beats x_j) clamped to [EPS, 1 - EPS]; x_j gets 1 - s. Branch-free on
  //    purpose: which of the two wins is a coin flip the CPU cannot predict.
  for (let i = 0; i < n; i++) {
    const oi = i * K;
    for (let j = i + 1; j < n; j++) {
      const oj = j * K;
      for (let k = 0; k < K; k++) {
        let s: number;
        if (fast) {
          const a = e[oi + k]!;
          s = a / (a + e[oj + k]!);
        } else {
          // wide range (e would underflow): one exp per pair
          s = 1 / (1 + Math.exp((r[base + oj + k]! - r[base + oi + k]!) / tau[k]!));
        }
        s = s < lo ? lo : s > hi ? hi : s;
        acc[oi + k]! += s;
        acc[oj + k]! += 1 - s;
      }
    }
  }
  // 4. Rca_k(x_i) = acc_ik / (N - 1)
  const inv = 1 / (n - 1);
  for (let q = 0; q < len; q++) out[base + q] = acc[q]! * inv;
}

/**
 * Calibrates many groups packed in one [rows x K] matrix; group g is rows
 * `offsets[g] .. offsets[g + 1] - 1`. Scratch is allocated once for the largest group.
 */
export function calibrateGroups(
  r: Float64Array,
  offsets: Int32Array,
  K: number,
  tau: Float64Array,
  out: Float64Array,
): void {
  let maxN = 0;
  for (let g = 0; g + 1 < offsets.length; g++) {
    maxN = Math.max(maxN, offsets[g + 1]! - offsets[g]!);
  }
  const acc = new Float64Array(maxN * K);
  const e = new Float64Array(maxN * K);
  for (let g = 0; g + 1 < offsets.length; g++) {
    const start = offsets[g]!;
    const n = offsets[g + 1]! - start;
    if (n < 2) {
      throw new RangeError(
        `Cannot calibrate group ${g} as it has ${n} sample(s): at least 2 are needed`,
      );
    }
    calibrateGroup(r, start, n, K, tau, out, acc, e);
  }
}

/**
 * Rca from an explicit pairwise win-probability matrix P ([n x n] row-major, P[i][j] = the
 * probability that x_i beats x_j; the diagonal is ignored): Rca(x_i) = 1/(N-1) sum_{j != i}
 * P[i][j]. The reference form of eq. 3.1, before sigma is applied; `calibrateGroup` is this
 * with P[i][j] = sigma((r_i - r_j) / tau). Used by tests (the paper's worked example) and as
 * the straightforward baseline.
 */
export function rcaFromWinMatrix(P: ArrayLike<number>, n: number): Float64Array {
  if (P.length !== n * n) {
    throw new RangeError(
      `Cannot average a win matrix as its length must be n * n = ${
        n * n
      }: current value is ${P.length}`,
    );
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let j = 0; j < n; j++) if (j !== i) t += P[i * n + j]!;
    out[i] = t / (n - 1);
  }
  return out;
}

export interface CalibrateOptions {
  /** Reward names; reads `reward_<k>`, writes `rca_<k>`. */
  rewards: readonly string[];
  /**
   * Per-reward temperature tau_k > 0 (ours, docs/method.md §3.4).
   * @default {1 for every reward}
   */
  tau?: Record<string, number>;
}

/** Scored groups -> Calibrated groups (same rows, plus one `rca_<k>` per reward). */
export class CalibrateStream extends TransformStream<Group<Scored>, Group<Calibrated>> {
  constructor(options: CalibrateOptions) {
    const rewards = [...options.rewards];
    checkRewardNames(rewards);
    const tau = new Float64Array(rewards.map((k) => options.tau?.[k] ?? 1));
    for (const key of Object.keys(options.tau ?? {})) {
      if (!rewards.includes(key)) {
        throw new TypeError(
          `Cannot construct CalibrateStream as tau names an unknown reward '${key}': rewards are ${
            rewards.join(", ")
          }`,
        );
      }
    }
    rewards.forEach((k, i) => {
      const t = tau[i]!;
      if (!(Number.isFinite(t) && t > 0)) {
        throw new RangeError(
          `Cannot construct CalibrateStream as tau for '${k}' must be finite and > 0: current value is ${t}`,
        );
      }
    });
    const K = rewards.length;
    const rawKeys = rewards.map((k) => `reward_${k}` as const);
    const rcaKeys = rewards.map((k) => `rca_${k}` as const);
    // Scratch reused across groups (grown on demand): no typed-array allocation per group.
    let cap = 0;
    let r = new Float64Array(0);
    let out = new Float64Array(0);
    let acc = new Float64Array(0);
    let e = new Float64Array(0);
    super({
      transform: (group, controller) => {
        const n = group.rows.length;
        if (n < 2) {
          throw new RangeError(
            `Cannot calibrate prompt '${group.prompt_id}' as it has ${n} sample(s): at least 2 ` +
              `are needed (Rca averages over the N-1 other samples, docs/method.md §3.1)`,
          );
        }
        if (n > cap) {
          cap = Math.max(n, 2 * cap);
          r = new Float64Array(cap * K);
          out = new Float64Array(cap * K);
          acc = new Float64Array(cap * K);
          e = new Float64Array(cap * K);
        }
        for (let i = 0; i < n; i++) {
          const row = group.rows[i]!;
          for (let k = 0; k < K; k++) {
            const v = row[rawKeys[k]!];
            if (typeof v !== "number" || !Number.isFinite(v)) {
              throw new RangeError(
                `Cannot calibrate sample '${row.sample_id}' as reward '${rewards[k]}' must be a ` +
                  `finite number: current value is ${v}`,
              );
            }
            r[i * K + k] = v;
          }
        }
        calibrateGroup(r, 0, n, K, tau, out, acc, e);
        const rows = group.rows.map((row, i) => {
          const c: Record<string, unknown> = { ...row };
          for (let k = 0; k < K; k++) c[rcaKeys[k]!] = out[i * K + k]!;
          return c as Calibrated;
        });
        controller.enqueue({ prompt_id: group.prompt_id, prompt: group.prompt, rows });
      },
    });
  }
}
