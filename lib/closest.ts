/**
 * The closest of `names` to a mistyped `name` (Levenshtein distance), for "did you mean"
 * hints on unknown keys, flags and subcommands; null when nothing is close (more than a third
 * of the longer name would have to change).
 */
export function closest(name: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  if (best === null) return null;
  return bestDistance <= Math.max(1, Math.floor(Math.max(name.length, best.length) / 3))
    ? best
    : null;
}

/** Insertions, deletions and substitutions that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  // One row of the dynamic-programming table at a time: O(|b|) memory.
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}
