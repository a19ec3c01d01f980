/**
 * A reward's spread within prompts: what its calibration temperature tau should be about
 * (ours, docs/method.md §3.4), measured on base-model samples with several seeds per prompt.
 */

/**
 * Median over captions (with at least 2 items) of the sample standard deviation of `scores`
 * within the caption; null if no caption has 2 items.
 */
export function withinPromptSpread(
  scores: readonly number[],
  captions: readonly string[],
): number | null {
  const groups = new Map<string, number[]>();
  captions.forEach((c, i) => {
    const g = groups.get(c);
    if (g) g.push(scores[i]!);
    else groups.set(c, [scores[i]!]);
  });
  const sds: number[] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    sds.push(Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / (g.length - 1)));
  }
  if (sds.length === 0) return null;
  sds.sort((a, b) => a - b);
  const m = sds.length >> 1;
  return sds.length % 2 ? sds[m]! : (sds[m - 1]! + sds[m]!) / 2;
}
