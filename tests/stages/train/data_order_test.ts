import assert from "node:assert/strict";
import { DataOrder } from "../../../stages/train/data_order.ts";

Deno.test("each epoch of the data order is a permutation of the pairs", () => {
  const o = new DataOrder(3, 10);
  for (const epoch of [0, 1, 2]) {
    const seen = Array.from({ length: 10 }, (_, i) => o.at(epoch * 10 + i));
    assert.deepEqual([...seen].sort((a, b) => a - b), [...Array(10).keys()]);
  }
  const e0 = Array.from({ length: 10 }, (_, i) => o.at(i));
  const e1 = Array.from({ length: 10 }, (_, i) => o.at(10 + i));
  assert.notDeepEqual(e0, e1, "epochs are shuffled differently");
});

Deno.test("the data order depends only on (seed, size, position), not on the access pattern", () => {
  const a = new DataOrder(7, 5);
  const straight = Array.from({ length: 4 }, (_, k) => a.batch(k, 3));
  const b = new DataOrder(7, 5);
  const jumped = [3, 0, 2, 1].map((k) => [k, b.batch(k, 3)] as const);
  for (const [k, batch] of jumped) assert.deepEqual(batch, straight[k]);
  assert.notDeepEqual(new DataOrder(8, 5).batch(0, 5), a.batch(0, 5));
});

Deno.test("DataOrder rejects an empty set of pairs", () => {
  assert.throws(() => new DataOrder(0, 0), /size must be a positive integer: current value is 0/);
});
