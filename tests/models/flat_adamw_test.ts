import assert from "node:assert/strict";
import { emaUpdate, FlatAdamW, globalNorm } from "../../models/flat_adamw.ts";

const close = (a: ArrayLike<number>, b: number[], tol = 1e-6) =>
  b.forEach((v, i) => assert.ok(Math.abs(a[i]! - v) <= tol, `[${i}] ${a[i]} vs ${v}`));

Deno.test("FlatAdamW's first update is lr * sign(g) plus decay where the mask says so", () => {
  // k = 1: m_hat = g, v_hat = g^2, so m_hat / (sqrt(v_hat) + eps) = sign(g) (eps aside).
  const opt = new FlatAdamW(Uint8Array.from([0, 1, 1]), { weightDecay: 0.5, eps: 0 });
  const p = Float32Array.from([1, 2, -4]);
  const norm = opt.apply(p, Float32Array.from([0.3, -0.1, 0.2]), 0.1);
  close([norm], [Math.sqrt(0.09 + 0.01 + 0.04)]);
  // p - lr * (sign(g) + wd * p): 1 - 0.1; 2 - 0.1 * (-1 + 1); -4 - 0.1 * (1 - 2)
  close(p, [0.9, 2, -3.9]);
  close(opt.m, [0.03, -0.01, 0.02]);
  close(opt.v, [0.00009, 0.00001, 0.00004], 1e-9);
  assert.equal(opt.count, 1);
});

Deno.test("FlatAdamW clips the global norm before the moments see the gradient", () => {
  const opt = new FlatAdamW(new Uint8Array(2), { clipNorm: 1 });
  const p = new Float32Array(2);
  const norm = opt.apply(p, Float32Array.from([3, 4]), 0.01);
  assert.equal(norm, 5, "the pre-clip norm is returned");
  close(opt.m, [0.1 * 0.6, 0.1 * 0.8]); // (1 - beta1) * g * 1/5
});

Deno.test("FlatAdamW refuses buffers of different lengths, naming them", () => {
  const opt = new FlatAdamW(new Uint8Array(2));
  assert.throws(
    () => opt.apply(new Float32Array(2), new Float32Array(3), 0.1),
    /same length: current lengths are 2, 3 and 2/,
  );
});

Deno.test("globalNorm is NaN or Infinity as soon as one value is", () => {
  assert.ok(Number.isNaN(globalNorm(Float32Array.from([1, NaN]))));
  assert.equal(globalNorm(Float32Array.from([1, Infinity])), Infinity);
});

Deno.test("emaUpdate moves the average by (1 - d) of the gap", () => {
  const ema = Float32Array.from([1, 0]);
  emaUpdate(ema, Float32Array.from([3, -1]), 0.75);
  close(ema, [1.5, -0.25]);
});
