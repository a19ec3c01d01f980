/**
 * The onnxruntime gradient of the pretraining loss (models/pretrain_loss.ts through
 * models/onnx/grad/) against tfjs autodiff of the same loss on the tfjs forward, for every
 * parameter tensor, on random weights (every weight non-zero, so every path counts) and
 * random inputs.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../models/backend.ts";
import { OrtTrainSession } from "../../../models/ort_train_session.ts";
import { pretrainGraph } from "../../../models/pretrain_loss.ts";
import { randomWeights, tinyConfig } from "../_tiny.ts";
import { assertGradientsMatch, randomBatch, tfjsGradients } from "../_grad_compare.ts";

await initBackend();

for (const p of ["eps", "flow"] as const) {
  Deno.test(`pretraining gradients on onnxruntime match tfjs autodiff for every tensor (${p})`, async () => {
    const cfg = tinyConfig(p);
    const weights = randomWeights(cfg, p === "eps" ? 11 : 12);
    const B = 3, S = cfg.imageSize, C = cfg.channels;
    const b = randomBatch(cfg, B, 5);
    const graph = pretrainGraph(cfg, B);
    const session = await OrtTrainSession.create(graph, { threads: 1 });
    const got = await session.run(graph.layout.pack(weights), {
      x: [b.x, [B, S, S, C]],
      t: [b.t, [B]],
      tokens: [b.tokens, [B, cfg.maxTokens]],
      target: [b.target, [B, S, S, C]],
      weight: [b.weight, [B]],
    });
    await session.release();
    const ref = tfjsGradients(cfg, weights, b.x, b.t, b.tokens, (pred) => {
      const sq = tf.squaredDifference(pred, tf.tensor(b.target, [B, S, S, C]));
      return tf.mean(tf.mul(sq, tf.tensor(b.weight, [B, 1, 1, 1]))) as tf.Scalar;
    });
    assert.ok(Math.abs(got.loss - ref.loss) <= 1e-5 * ref.loss, `loss ${got.loss} vs ${ref.loss}`);
    assertGradientsMatch(graph.layout.unpack(got.grad), ref.grads, `pretrain ${p}`);
  });
}
