import assert from "node:assert/strict";
import { implicitAccuracy, pearson } from "../../../stages/train/metrics.ts";

Deno.test("implicit accuracy is the share of pairs with dR_theta > 0 (0 counts as wrong)", () => {
  assert.equal(implicitAccuracy([0.3, -0.1, 0, 2]), 0.5);
  assert.ok(Number.isNaN(implicitAccuracy([])));
});

// x = [1, 2, 3, 4], y = [2, 1, 4, 3]: dx = [-1.5, -0.5, 0.5, 1.5], dy = [-0.5, -1.5, 1.5, 0.5]
// sxy = 0.75 + 0.75 + 0.75 + 0.75 = 3, sxx = syy = 5, r = 3 / 5 = 0.6
Deno.test("pearson() matches the hand-computed r = 0.6", () => {
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [2, 1, 4, 3]) - 0.6) < 1e-12);
  assert.ok(Math.abs(pearson([1, 2, 3], [-2, -4, -6]) + 1) < 1e-12);
});

Deno.test("pearson() is NaN without variance and rejects unequal lengths", () => {
  assert.ok(Number.isNaN(pearson([0, 0, 0], [1, 2, 3])));
  assert.ok(Number.isNaN(pearson([1], [1])));
  assert.throws(() => pearson([1, 2], [1]), /current lengths are 2 and 1/);
});
