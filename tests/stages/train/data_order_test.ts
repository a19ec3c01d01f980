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

Deno.test("DataOrder with a pool permutes each epoch's own pairs", () => {
  // epoch e trains pairs [10e, 10e + 1, 10e + 2]
  const pool = (e: number) => [10 * e, 10 * e + 1, 10 * e + 2];
  const o = new DataOrder(3, 3, pool);
  for (const epoch of [0, 1, 4]) {
    const seen = Array.from({ length: 3 }, (_, i) => o.at(epoch * 3 + i));
    assert.deepEqual([...seen].sort((a, b) => a - b), pool(epoch));
  }
  // the same permutation as without a pool, mapped through it
  const plain = new DataOrder(3, 3);
  assert.deepEqual(o.batch(1, 3), plain.batch(1, 3).map((i) => pool(1)[i]));
  assert.throws(
    () => new DataOrder(0, 2, () => [0]).at(0),
    /pool must hold 2 pairs: current length is 1/,
  );
});
