import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../models/backend.ts";
import { affine, matMul } from "../../models/nn/matmul.ts";

await initBackend();

function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-4) {
  assert.deepEqual(a.shape, b.shape);
  const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  assert.ok(d < tol, `max difference ${d}`);
}

Deno.test("matMul and affine give tf.matMul's values and gradients", () => {
  tf.tidy(() => {
    const a = tf.randomNormal([5, 3], 0, 1, "float32", 1);
    const b = tf.randomNormal([3, 4], 0, 1, "float32", 2);
    const c = tf.randomNormal([4], 0, 1, "float32", 3);
    const up = tf.randomNormal([5, 4], 0, 1, "float32", 4);
    const ref = tf.grads((x, y, z) => tf.sum(tf.mul(tf.add(tf.matMul(x, y), z), up)))([a, b, c]);
    const got = tf.grads((x, y, z) => tf.sum(tf.mul(affine(x, y, z), up)))([a, b, c]);
    ref.forEach((r, i) => close(got[i]!, r));
    close(affine(a, b, c), tf.add(tf.matMul(a, b), c));
    const qa = tf.randomNormal([2, 3, 5, 4], 0, 1, "float32", 5);
    const qb = tf.randomNormal([2, 3, 4, 6], 0, 1, "float32", 6);
    const up2 = tf.randomNormal([2, 3, 5, 6], 0, 1, "float32", 7);
    const r2 = tf.grads((x, y) => tf.sum(tf.mul(tf.matMul(x, y), up2)))([qa, qb]);
    const g2 = tf.grads((x, y) => tf.sum(tf.mul(matMul(x, y), up2)))([qa, qb]);
    r2.forEach((r, i) => close(g2[i]!, r));
  });
});
