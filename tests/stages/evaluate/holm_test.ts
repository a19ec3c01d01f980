import assert from "node:assert/strict";
import { holm } from "../../../stages/evaluate/holm.ts";

const close = (a: number[], b: number[]) =>
  assert.ok(a.every((x, i) => Math.abs(x - b[i]!) < 1e-12), `${a} != ${b}`);

Deno.test("holm() adjusts a small family as computed by hand", () => {
  // sorted: 0.005 x 4 = 0.02; 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> max 0.06
  close(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02]);
  // at alpha 0.05 Holm rejects the first and the last (Bonferroni, 0.0125, only the last)
  assert.deepEqual(holm([0.01, 0.04, 0.03, 0.005]).map((p) => p <= 0.05), [
    true,
    false,
    false,
    true,
  ]);
});

Deno.test("holm() caps at 1, keeps one test as is and accepts an empty family", () => {
  close(holm([0.5, 0.6]), [1, 1]);
  close(holm([0.2]), [0.2]);
  assert.deepEqual(holm([]), []);
});

Deno.test("holm() refuses a p-value outside [0, 1], naming it", () => {
  assert.throws(() => holm([0.1, 1.5]), /p-value 1 must be in \[0, 1\]: current value is 1.5/);
  assert.throws(() => holm([NaN]), /current value is NaN/);
});
