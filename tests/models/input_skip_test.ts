import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../models/backend.ts";
import { epsSkipTable, inputSkip } from "../../models/input_skip.ts";
import { alphasCumprod } from "../../models/schedule.ts";
import { tinyConfig } from "./_tiny.ts";

await initBackend();

Deno.test("flow input skip is the best linear predictor of v: -1 at t=0, 1 at t=1, 1.2 at t=0.5", () => {
  const cfg = tinyConfig("flow", { imageSize: 4, sigmaData: 0.5 });
  const c = tf.tidy(() =>
    inputSkip(cfg, tf.ones([3, 4, 4, 3]), tf.tensor1d([0, 0.5, 1])).dataSync() as Float32Array
  );
  assert.deepEqual([c[0], c[48], c[96]], [-1, 1.2000000476837158, 1]);
});

Deno.test("eps input skip reads c = s / (abar sigma^2 + 1 - abar) at DDPM step round(tau T)", () => {
  const cfg = tinyConfig("eps", { imageSize: 4, sigmaData: 0.5 });
  const ab = alphasCumprod(cfg.betaSchedule, cfg.trainSteps);
  const table = epsSkipTable(cfg);
  const i = 600;
  assert.ok(Math.abs(table[i]! - Math.sqrt(1 - ab[i]!) / (ab[i]! * 0.25 + 1 - ab[i]!)) < 1e-6);
  const c = tf.tidy(() =>
    inputSkip(cfg, tf.ones([2, 4, 4, 3]), tf.tensor1d([i / 1000, 0.999])).dataSync()
  );
  assert.equal(c[0], table[i]);
  assert.equal(c[48], table[999]);
  // at high noise the eps target is almost x_t itself
  assert.ok(Math.abs(table[999]! - 1) < 1e-3);
});
