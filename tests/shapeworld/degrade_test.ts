import assert from "node:assert/strict";
import { addGaussianNoise, gaussianBlur, gaussianKernel } from "../../shapeworld/mod.ts";
import { Rng } from "../../lib/rng.ts";

Deno.test("gaussianKernel() sums to one and is symmetric", () => {
  const k = gaussianKernel(1.3);
  assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  for (let i = 0; i < k.length; i++) assert.equal(k[i], k[k.length - 1 - i]);
});

Deno.test("gaussianBlur() keeps a plain image plain and spreads a point", () => {
  const plain = new Uint8Array(8 * 8 * 3).fill(200);
  assert.deepEqual(gaussianBlur(plain, 8, 8, 1.5), plain);
  const dot = new Uint8Array(9 * 9 * 3);
  dot.set([255, 255, 255], 3 * (4 * 9 + 4));
  const b = gaussianBlur(dot, 9, 9, 1);
  assert.ok(b[3 * (4 * 9 + 4)]! < 255 && b[3 * (4 * 9 + 5)]! > 0);
  assert.deepEqual(gaussianBlur(dot, 9, 9, 0), dot);
  assert.throws(() => gaussianBlur(dot, 8, 8, 1), /8x8 needs 192 bytes: current value is 243/);
});

Deno.test("addGaussianNoise() has the asked standard deviation and is seeded", () => {
  const base = new Uint8Array(20000).fill(128);
  const a = addGaussianNoise(base, 10, new Rng(1));
  assert.deepEqual(a, addGaussianNoise(base, 10, new Rng(1)));
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
  assert.ok(Math.abs(mean - 128) < 0.5 && Math.abs(sd - 10) < 0.5, `${mean} ${sd}`);
  assert.throws(
    () => addGaussianNoise(base, -1, new Rng(1)),
    /sigma must be >= 0: current value is -1/,
  );
});
