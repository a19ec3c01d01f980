import assert from "node:assert/strict";
import { bootstrapMean } from "../../../stages/evaluate/bootstrap.ts";
import { Rng } from "../../../lib/rng.ts";

/** n win scores, a share p of wins, the rest half ties and half losses, shuffled. */
function scores(n: number, p: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const u = rng.next();
    return u < p ? 1 : u < p + (1 - p) / 2 ? 0.5 : 0;
  });
}

Deno.test("the bootstrap interval contains the point estimate", () => {
  for (const [n, seed] of [[10, 1], [40, 2], [400, 3]] as const) {
    const x = scores(n, 0.6, seed);
    const ci = bootstrapMean(x, { seed });
    assert.equal(ci.estimate, x.reduce((a, v) => a + v, 0) / n);
    assert.ok(ci.low <= ci.estimate && ci.estimate <= ci.high, JSON.stringify(ci));
    assert.ok(ci.low < ci.high);
    assert.equal(ci.level, 0.95);
    assert.equal(ci.resamples, 1000);
  }
});

Deno.test("the bootstrap interval narrows with more data (about 1/sqrt(n))", () => {
  const width = (n: number) => {
    const ci = bootstrapMean(scores(n, 0.6, 7), { seed: 1 });
    return ci.high - ci.low;
  };
  const w25 = width(25), w400 = width(400);
  assert.ok(w400 < w25 / 2.5, `width ${w25} at n = 25, ${w400} at n = 400`);
  // the normal approximation: width ~ 2 * 1.96 * sd / sqrt(n), sd of these scores = 0.4
  assert.ok(Math.abs(w400 - 2 * 1.96 * 0.4 / 20) < 0.02, `width ${w400}`);
});

Deno.test("the bootstrap is deterministic given its seed, and the seed matters", () => {
  const x = scores(50, 0.5, 9);
  assert.deepEqual(bootstrapMean(x, { seed: 3 }), bootstrapMean(x, { seed: 3 }));
  assert.notDeepEqual(bootstrapMean(x, { seed: 3 }), bootstrapMean(x, { seed: 4 }));
});

Deno.test("a higher level gives a wider interval; constant data a point", () => {
  const x = scores(60, 0.5, 11);
  const a = bootstrapMean(x, { level: 0.5 }), b = bootstrapMean(x, { level: 0.99 });
  assert.ok(b.high - b.low > a.high - a.low);
  const c = bootstrapMean([0.5, 0.5, 0.5]);
  assert.deepEqual([c.low, c.estimate, c.high], [0.5, 0.5, 0.5]);
});

Deno.test("bootstrapMean() rejects no values and bad options", () => {
  assert.throws(() => bootstrapMean([]), /no values/);
  assert.throws(() => bootstrapMean([1], { resamples: 0 }), /resamples must be a positive integer/);
  assert.throws(() => bootstrapMean([1], { level: 1 }), /level must be in \(0, 1\)/);
});
