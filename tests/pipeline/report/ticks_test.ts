import assert from "node:assert/strict";
import { formatTick, niceTicks } from "../../../pipeline/report/ticks.ts";

Deno.test("niceTicks() steps by 1, 2 or 5 times a power of ten inside the range", () => {
  assert.deepEqual(niceTicks(0, 1, 5).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.13, 0.87, 5).values, [0.2, 0.4, 0.6, 0.8]);
  const t = niceTicks(-3.2, 41, 4);
  assert.equal(t.step, 20);
  assert.deepEqual(t.values, [0, 20, 40]);
});

Deno.test("niceTicks() widens to whole steps when asked and survives a single value", () => {
  const t = niceTicks(0.13, 0.87, 5, true);
  assert.deepEqual([t.min, t.max], [0, 1]);
  assert.ok(niceTicks(2, 2).values.includes(2));
  assert.throws(() => niceTicks(1, 0), /min <= max: current value is \[1, 0\]/);
  assert.throws(() => niceTicks(0, NaN), /finite/);
});

Deno.test("formatTick() uses the decimals of the step, exponents for tiny values", () => {
  assert.equal(formatTick(0.4, 0.2), "0.4");
  assert.equal(formatTick(0.25, 0.05), "0.25");
  assert.equal(formatTick(20, 10), "20");
  assert.equal(formatTick(0, 0.1), "0");
  assert.equal(formatTick(1e-5, 2e-6), "1e-5");
  assert.equal(formatTick(6e-6, 2e-6), "6e-6");
});
