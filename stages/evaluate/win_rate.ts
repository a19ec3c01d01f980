/**
 * Win-rate of a fine-tuned model against its base on one reward (docs/method.md §6.2): both models
 * sample the same prompts from the same initial noise, so item i of each is a matched pair, and
 *
 *     win_i = 1 if r(tuned_i) > r(base_i),  0.5 if equal (a tie counts half),  0 otherwise;
 *     win-rate = mean_i win_i.
 *
 * Scores within `tieTolerance` of each other are ties (0 by default: float32 rewards of
 * identical images are bit-equal, so an unchanged image is always a tie).
 */

/** Per-item win scores (1, 0.5 or 0) of `tuned` over `base`. */
export function winScores(
  base: ArrayLike<number>,
  tuned: ArrayLike<number>,
  tieTolerance = 0,
): Float64Array {
  if (base.length !== tuned.length) {
    throw new RangeError(
      `Cannot compare rewards as base and tuned must score the same items: current lengths ` +
        `are ${base.length} and ${tuned.length}`,
    );
  }
  if (!(tieTolerance >= 0)) {
    throw new RangeError(
      `Cannot compare rewards as tieTolerance must be >= 0: current value is ${tieTolerance}`,
    );
  }
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const b = base[i]!, t = tuned[i]!;
    if (!Number.isFinite(b) || !Number.isFinite(t)) {
      throw new RangeError(
        `Cannot compare rewards of item ${i} as both must be finite: current values are ${b} and ${t}`,
      );
    }
    out[i] = Math.abs(t - b) <= tieTolerance ? 0.5 : t > b ? 1 : 0;
  }
  return out;
}

/** Counts of wins, ties and losses in win scores. */
export function tally(scores: ArrayLike<number>): { wins: number; ties: number; losses: number } {
  let wins = 0, ties = 0, losses = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] === 1) wins++;
    else if (scores[i] === 0.5) ties++;
    else losses++;
  }
  return { wins, ties, losses };
}

/**
 * Mean of `values` per group, `groupSize` consecutive items per group (the seeds of one prompt):
 * the unit the bootstrap resamples, since the seeds of one prompt are not independent.
 */
export function groupMeans(values: ArrayLike<number>, groupSize: number): Float64Array {
  if (!Number.isInteger(groupSize) || groupSize < 1 || values.length % groupSize !== 0) {
    throw new RangeError(
      `Cannot average ${values.length} values in groups of ${groupSize} as the group size must ` +
        `be a positive integer dividing the count`,
    );
  }
  const out = new Float64Array(values.length / groupSize);
  for (let g = 0; g < out.length; g++) {
    let s = 0;
    for (let k = 0; k < groupSize; k++) s += values[g * groupSize + k]!;
    out[g] = s / groupSize;
  }
  return out;
}
