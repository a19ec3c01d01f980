import assert from "node:assert/strict";
import { pairwiseAccuracy, ranks, rocAuc, spearman } from "../../../models/rewards/metrics.ts";

const close = (a: number, b: number, eps = 1e-12) =>
  assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

Deno.test("ranks() gives ties their average rank", () => {
  assert.deepEqual([...ranks([10, 20, 20, 5])], [2, 3.5, 3.5, 1]);
});

Deno.test("spearman() is 1 for any increasing map, -1 reversed, and matches a hand value with ties", () => {
  close(spearman([1, 2, 3, 4], [1, 8, 27, 64]), 1);
  close(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // ranks x = [1, 2, 3, 4], y = [1, 2.5, 2.5, 4]: Pearson = 4.5 / sqrt(5 * 4.5)
  close(spearman([1, 2, 3, 4], [0, 7, 7, 9]), 4.5 / Math.sqrt(5 * 4.5));
  assert.ok(Number.isNaN(spearman([1, 2, 3], [5, 5, 5])));
  assert.throws(() => spearman([1, 2], [1]), /same length: current lengths are 2 and 1/);
});

Deno.test("rocAuc() counts a tie as half and needs both classes", () => {
  close(rocAuc([0.9, 0.8, 0.1, 0.2], [true, true, false, false]), 1);
  close(rocAuc([0.1, 0.2, 0.9, 0.8], [true, true, false, false]), 0);
  // positives {0.5, 0.9}, negatives {0.5, 0.1}: pairs win 1 + 1 + 0.5 (tie) + 1 = 3.5 of 4
  close(rocAuc([0.5, 0.9, 0.5, 0.1], [true, true, false, false]), 3.5 / 4);
  assert.throws(
    () => rocAuc([1, 2], [true, true]),
    /both classes must be present: current counts are 2 positive and 0 negative/,
  );
});

Deno.test("pairwiseAccuracy() scores agreement with the preferred side, ties half", () => {
  close(
    pairwiseAccuracy([1, 0, 2, 3], [0, 1, 2, 1], [true, true, true, false]),
    (1 + 0 + 0.5 + 0) / 4,
  );
  assert.throws(() => pairwiseAccuracy([], [], []), /no pairs/);
});
