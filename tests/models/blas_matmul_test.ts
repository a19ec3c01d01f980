import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../models/backend.ts";
import { blasMatMulActive, openBlas, useBlasMatMul } from "../../models/blas_matmul.ts";

// Only where an OpenBLAS is installed (Debian: libopenblas0); elsewhere wasm's kernel runs.
const hasBlas = openBlas() !== null;

await initBackend();

/** tf.matMul on the pure-JS cpu backend, as the reference. */
function onCpu(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): Float32Array {
  const prev = tf.getBackend();
  tf.setBackend("cpu");
  const ca = tf.tensor(a.dataSync(), a.shape), cb = tf.tensor(b.dataSync(), b.shape);
  const out = tf.matMul(ca, cb, ta, tb).dataSync() as Float32Array;
  tf.dispose([ca, cb]);
  tf.setBackend(prev);
  return out;
}

Deno.test({
  name: "wasm matMul through OpenBLAS equals the cpu backend: transposes, batches, broadcast",
  ignore: !hasBlas,
  fn() {
    assert.ok(useBlasMatMul() !== null);
    assert.equal(blasMatMulActive(), true);
    const cases: [number[], number[], boolean, boolean][] = [
      [[5, 3], [3, 4], false, false],
      [[3, 5], [3, 4], true, false],
      [[5, 3], [4, 3], false, true],
      [[3, 5], [4, 3], true, true],
      [[2, 3, 5, 4], [2, 3, 4, 6], false, false], // attention-shaped batch
      [[1, 5, 4], [3, 4, 6], false, false], // a broadcast over b's batch
      [[3, 5, 4], [4, 6], false, false], // rank-2 b shared by every batch
      [[2, 4, 5], [2, 6, 4], true, true],
    ];
    let seed = 1;
    for (const [sa, sb, ta, tb] of cases) {
      const a = tf.randomNormal(sa, 0, 1, "float32", seed++);
      const b = tf.randomNormal(sb, 0, 1, "float32", seed++);
      const got = tf.matMul(a, b, ta, tb);
      const want = onCpu(a, b, ta, tb);
      const g = got.dataSync();
      assert.equal(g.length, want.length, `${sa} x ${sb}`);
      let d = 0;
      for (let i = 0; i < g.length; i++) d = Math.max(d, Math.abs(g[i]! - want[i]!));
      assert.ok(d < 1e-5, `${sa} x ${sb} (${ta}, ${tb}): max difference ${d}`);
      tf.dispose([a, b, got]);
    }
  },
});

Deno.test({
  name: "wasm matMul through OpenBLAS handles empty operands",
  ignore: !hasBlas,
  fn() {
    useBlasMatMul();
    const z = tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 3]));
    assert.deepEqual(z.shape, [2, 3]);
    assert.deepEqual([...z.dataSync()], [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(tf.matMul(tf.zeros([0, 4]), tf.ones([4, 3])).shape, [0, 3]);
  },
});

Deno.test("openBlas() returns null when no listed library opens", () => {
  assert.equal(openBlas(["/nonexistent/libopenblas.so.0"]), null);
});
