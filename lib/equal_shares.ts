/**
 * Equal shares of a total over groups, each capped: the allocation behind the dev split
 * (shapeworld/prompts.ts) and the stratified evaluation (stages/evaluate/eval_inputs.ts).
 *
 * Water-filling over integers:
 *   1. every group not yet capped gets floor(remaining / groups left), at most its cap;
 *   2. a group that reached its cap is fixed, and what it could not take is shared again;
 *   3. once no cap binds, the last units (remaining mod groups left) go one each to the
 *      groups in the order given.
 * So a small group gives all it has and the others split the rest equally; the total is
 * min(total, sum of caps).
 */

/** Shares of `total` over `caps` (same keys, same order), each <= its cap. */
export function equalShares<K extends string>(
  caps: Readonly<Record<K, number>>,
  total: number,
): Record<K, number> {
  if (!Number.isSafeInteger(total) || total < 0) {
    throw new RangeError(
      `Cannot share a total as it must be an integer >= 0: current value is ${total}`,
    );
  }
  const keys = Object.keys(caps) as K[];
  for (const k of keys) {
    const c = caps[k];
    if (!Number.isSafeInteger(c) || c < 0) {
      throw new RangeError(
        `Cannot share a total as the cap of '${k}' must be an integer >= 0: current value is ${c}`,
      );
    }
  }
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  let open = keys.filter((k) => caps[k] > 0);
  let remaining = Math.min(total, keys.reduce((s, k) => s + caps[k], 0));
  while (remaining > 0 && open.length > 0) {
    // 1.-2. an equal share; the groups it would overfill take their cap and leave
    const share = Math.floor(remaining / open.length);
    const full = open.filter((k) => caps[k] - out[k] <= share);
    if (full.length > 0) {
      for (const k of full) {
        remaining -= caps[k] - out[k];
        out[k] = caps[k];
      }
      open = open.filter((k) => !full.includes(k));
      continue;
    }
    // 3. no cap binds: the equal share, then one more each for the first groups
    for (const k of open) out[k] += share;
    remaining -= share * open.length;
    for (const k of open.slice(0, remaining)) out[k] += 1;
    remaining = 0;
  }
  return out;
}
