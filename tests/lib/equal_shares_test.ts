import assert from "node:assert/strict";
import { equalShares } from "../../lib/equal_shares.ts";

Deno.test("equalShares() splits equally when no cap binds, the first groups taking the rest", () => {
  assert.deepEqual(equalShares({ a: 10, b: 10, c: 10 }, 8), { a: 3, b: 3, c: 2 });
  assert.deepEqual(equalShares({ a: 10, b: 10 }, 0), { a: 0, b: 0 });
});

Deno.test("equalShares() gives a small group all it has and shares its rest again", () => {
  // 96 over 6: a (3) and b (18) are capped; 75 left over 4 -> 19, 19, 19, 18
  assert.deepEqual(
    equalShares({ a: 3, b: 18, c: 100, d: 24, e: 220, f: 150 }, 96),
    { a: 3, b: 18, c: 19, d: 19, e: 19, f: 18 },
  );
  // a cap that binds only after another group's leftovers are shared (d: 20 < 21)
  assert.deepEqual(equalShares({ a: 1, b: 100, c: 100, d: 20 }, 64), {
    a: 1,
    b: 22,
    c: 21,
    d: 20,
  });
});

Deno.test("equalShares() stops at the sum of the caps and skips empty groups", () => {
  assert.deepEqual(equalShares({ a: 2, b: 0, c: 3 }, 100), { a: 2, b: 0, c: 3 });
});

Deno.test("equalShares() refuses a negative or fractional total or cap, naming it", () => {
  assert.throws(
    () => equalShares({ a: 1 }, -1),
    /total as it must be an integer >= 0: current value is -1/,
  );
  assert.throws(
    () => equalShares({ a: 1.5 }, 1),
    /cap of 'a' must be an integer >= 0: current value is 1.5/,
  );
});
