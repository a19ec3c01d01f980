/**
 * Held-out quality measures of the reward cards: Spearman's rank correlation, ROC AUC and
 * pairwise accuracy. Ties get average ranks (Spearman) and count half (AUC, accuracy).
 */

function checkLengths(what: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `Cannot compute ${what} as both series must have the same length: current lengths are ${a.length} and ${b.length}`,
    );
  }
}

/** 1-based ranks, ties sharing their average rank. */
export function ranks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => x[i]! - x[j]!);
  const r = new Float64Array(n);
  for (let s = 0; s < n;) {
    let e = s;
    while (e + 1 < n && x[order[e + 1]!] === x[order[s]!]) e++;
    const avg = (s + e) / 2 + 1;
    for (let k = s; k <= e; k++) r[order[k]!] = avg;
    s = e + 1;
  }
  return r;
}

/** Pearson's correlation; NaN when either series is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths("a correlation", x, y);
  const n = x.length;
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
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rho: Pearson's correlation of the (tie-averaged) ranks. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths("Spearman's rho", x, y);
  return pearson(ranks(x), ranks(y));
}

/**
 * ROC AUC of `scores` for binary `labels` (true = positive): the probability that a random
 * positive scores above a random negative, ties counting half (Mann-Whitney U / (n+ n-)).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number {
  checkLengths("ROC AUC", scores, labels);
  const r = ranks(scores);
  let nPos = 0, rankSum = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i]) {
      nPos++;
      rankSum += r[i]!;
    }
  }
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new RangeError(
      `Cannot compute ROC AUC as both classes must be present: current counts are ${nPos} positive and ${nNeg} negative`,
    );
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Fraction of pairs where sign(a - b) agrees with `preferA` (a tie counts half). */
export function pairwiseAccuracy(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  preferA: ArrayLike<boolean>,
): number {
  checkLengths("pairwise accuracy", a, b);
  checkLengths("pairwise accuracy", a, preferA);
  if (a.length === 0) throw new RangeError("Cannot compute pairwise accuracy of no pairs");
  let hits = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    hits += d === 0 ? 0.5 : (d > 0) === preferA[i] ? 1 : 0;
  }
  return hits / a.length;
}
