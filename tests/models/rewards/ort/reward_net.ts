import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../../models/backend.ts";
import { sizeOf } from "../../../../models/nn/params.ts";
import { readOnnxWeights } from "../../../../models/rewards/export.ts";
import { type NetInputs, parseRewardNetConfig } from "../../../../models/rewards/net_config.ts";
import {
  rewardNetForward,
  rewardNetOnnx,
  rewardNetSpecs,
} from "../../../../models/rewards/reward_net.ts";
import { Rng } from "../../../../lib/rng.ts";
import { VOCABULARY } from "../../../../shapeworld/vocab.ts";

await initBackend();

function tinyNet(inputs: NetInputs) {
  return parseRewardNetConfig({
    inputs,
    width: 16,
    depth: 2,
    heads: 2,
    mlpRatio: 2,
    maxTokens: 12,
    vocabulary: VOCABULARY,
  });
}

/** Every weight N(0, 0.3^2) (norms and biases too, so every path counts). */
function randomWeights(inputs: NetInputs, seed: number) {
  const rng = new Rng(seed);
  const cfg = tinyNet(inputs);
  return new Map(
    rewardNetSpecs(cfg).map((s) => {
      const v = rng.normals(sizeOf(s.shape));
      for (let i = 0; i < v.length; i++) v[i]! *= 0.3;
      return [s.name, v];
    }),
  );
}

for (const inputs of ["image", "image_text"] as const) {
  Deno.test(`reward net (${inputs}) on onnxruntime matches tfjs within 1e-4 on random weights`, async () => {
    const cfg = tinyNet(inputs);
    const weights = randomWeights(inputs, inputs === "image" ? 3 : 4);
    const rng = new Rng(9);
    const B = 5;
    const x = Float32Array.from({ length: B * 32 * 32 * 3 }, () => rng.uniform(-1, 1));
    const ids = Int32Array.from({ length: B * 12 }, () => rng.int(VOCABULARY.length + 3));
    const shapes = new Map(rewardNetSpecs(cfg).map((s) => [s.name, s.shape]));
    const expected = tf.tidy(() => {
      const w = new Map([...weights].map(([k, v]) => [k, tf.tensor(v, shapes.get(k)!)]));
      const tokens = inputs === "image" ? null : tf.tensor(ids, [B, 12], "int32");
      return rewardNetForward(cfg, w, tf.tensor(x, [B, 32, 32, 3]), tokens)
        .dataSync() as Float32Array;
    });
    const session = await ort.InferenceSession.create(rewardNetOnnx(cfg, weights, "t"), {
      intraOpNumThreads: 1,
    });
    const feeds: Record<string, ort.Tensor> = {
      image: new ort.Tensor("float32", x, [B, 32, 32, 3]),
    };
    if (inputs === "image_text") {
      feeds.tokens = new ort.Tensor("int64", BigInt64Array.from(ids, (v) => BigInt(v)), [B, 12]);
    }
    const out = (await session.run(feeds)).score!;
    await session.release();
    assert.deepEqual(out.dims, [B]);
    const got = out.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < B; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i]! - got[i]!));
    const spread = Math.max(...expected) - Math.min(...expected);
    assert.ok(spread > 0.01, `scores should differ across the batch: spread ${spread}`);
    assert.ok(maxDiff <= 1e-4, `max abs difference ${maxDiff} > 1e-4`);
  });
}

Deno.test("readOnnxWeights() gives back every weight an exported reward net holds, exactly", async () => {
  const cfg = tinyNet("image_text");
  const weights = randomWeights("image_text", 5);
  const dir = await Deno.makeTempDir({ prefix: "capo-net-" });
  try {
    const path = `${dir}/net.onnx`;
    await Deno.writeFile(path, rewardNetOnnx(cfg, weights, "t"));
    const back = await readOnnxWeights(path);
    for (const [name, v] of weights) assert.deepEqual(back.get(name), v, name);
    await assert.rejects(
      readOnnxWeights(`${dir}/missing.onnx`),
      /Cannot read weights from '.*missing.onnx'/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
