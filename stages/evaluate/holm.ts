/**
 * Holm's step-down correction for multiple comparisons (Holm 1979), controlling the family-wise
 * error rate over a family of m tests declared in advance (docs/method.md §6.5).
 *
 * Notation: p_(1) <= ... <= p_(m) the p-values sorted ascending.
 *   adjusted p_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))
 * A test is rejected at level alpha iff its adjusted p-value is <= alpha; this is the same as
 * Holm's procedure (reject H_(1), H_(2), ... while p_(i) <= alpha / (m - i + 1), then stop).
 */

/** Holm-adjusted p-values, in the order given. Ties keep their order (a stable sort). */
export function holm(pValues: readonly number[]): number[] {
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(
        `Cannot apply Holm's correction as p-value ${i} must be in [0, 1]: current value is ${p}`,
      );
    }
  });
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], j) => {
    running = Math.max(running, Math.min(1, (m - j) * p));
    out[i] = running;
  });
  return out;
}
