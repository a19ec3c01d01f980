import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../models/backend.ts";
import { imageValues } from "../../../models/config.ts";
import { denoiserForward, denoiserSpecs } from "../../../models/denoiser.ts";
import { OrtDenoiser } from "../../../models/ort_denoiser.ts";
import { Rng } from "../../../lib/rng.ts";
import { randomWeights, TINY_VOCAB, tinyConfig } from "../_tiny.ts";

await initBackend();

const CASES = [["eps", true], ["flow", true], ["eps", false], ["flow", false]] as const;

for (const [p, skip] of CASES) {
  const name = `${p}, inputSkip ${skip}`;
  Deno.test(`denoiser on onnxruntime matches tfjs within 1e-4 on random weights (${name})`, async () => {
    const cfg = tinyConfig(p, {
      imageSize: 32,
      width: 32,
      heads: 4,
      maxTokens: 16,
      timeFeatures: 16,
      inputSkip: skip,
    });
    const weights = randomWeights(cfg, p === "eps" ? 1 : 2);
    const rng = new Rng(7);
    const B = 3;
    const x = rng.normals(B * imageValues(cfg));
    const t = Float32Array.from([0.001, 0.5123, 0.999]);
    const tokens = Int32Array.from(
      { length: B * cfg.maxTokens },
      () => rng.int(TINY_VOCAB.length + 3),
    );
    const shapes = new Map(denoiserSpecs(cfg).map((s) => [s.name, s.shape]));
    const expected = tf.tidy(() => {
      const w = new Map([...weights].map(([k, v]) => [k, tf.tensor(v, shapes.get(k)!)]));
      const y = denoiserForward(
        cfg,
        w,
        tf.tensor(x, [B, 32, 32, 3]),
        tf.tensor(t),
        tf.tensor(tokens, [B, 16], "int32"),
      );
      return y.dataSync() as Float32Array;
    });
    const ort = await OrtDenoiser.create(cfg, weights, { intraOpThreads: 1 });
    const got = await ort.predict(x, t, tokens);
    await ort.release();
    let maxDiff = 0, maxAbs = 0;
    for (let i = 0; i < expected.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(expected[i]! - got[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(expected[i]!));
    }
    assert.ok(maxAbs > 0.1, `outputs should be non-trivial: max |y| = ${maxAbs}`);
    assert.ok(maxDiff <= 1e-4, `max abs difference ${maxDiff} > 1e-4`);
  });
}
