/** OnnxReward through manifests (run from tests/stages/ort_test.ts, see there). */
import assert from "node:assert/strict";
import { OnnxReward } from "../../../models/rewards/onnx_reward.ts";
import { readRewardManifest } from "../../../models/rewards/reward_manifest.ts";
import type { RgbImage } from "../../../models/rewards/reward_model.ts";
import {
  batchMean,
  meanPlusTokens,
  only4x4,
  scaledMean,
  twoLogits,
  writeReward,
} from "./tiny_models.ts";

const VOCAB = ["<pad>", "<unk>", "<null>", "a", "red", "circle", "blue", "square"];

function solid(w: number, h: number, v: [number, number, number]): RgbImage {
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set(v, i * 3);
  return { width: w, height: h, rgb };
}

const imageSpec = (H: number, W: number, extra: Record<string, unknown> = {}) => ({
  name: "image",
  layout: "NCHW",
  size: [H, W],
  channels: 3,
  scale: 1 / 255,
  ...extra,
});

Deno.test("OnnxReward scores images and prompt tokens through a manifest", async () => {
  const path = await writeReward(
    {
      name: "toy",
      file: "toy.onnx",
      inputs: {
        image: imageSpec(4, 4),
        prompt: {
          name: "tokens",
          kind: "tokens",
          vocab: "vocab.json",
          max_len: 5,
          pad_id: 0,
          unk_id: 1,
          empty_id: 2,
        },
      },
      output: { name: "score", kind: "scalar" },
    },
    meanPlusTokens(4, 4, 5, 2, 0.01),
    { "vocab.json": JSON.stringify(VOCAB) },
  );
  const reward = await OnnxReward.load(path);
  try {
    const images = [solid(4, 4, [255, 0, 0]), solid(4, 4, [51, 51, 51]), solid(4, 4, [0, 0, 0])];
    const prompts = ["A red circle", "a blue SQUARE and a green thing", ""];
    const got = await reward.score(images, prompts);
    // token ids: [3,4,5] -> 12; [3,6,7,1,3] (truncated to 5, 'and' unknown) -> 20; [2] -> 2
    const want = [2 * (1 / 3) + 0.12, 2 * 0.2 + 0.2, 0 + 0.02];
    want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) < 1e-5, `${got[i]} vs ${w}`));
  } finally {
    await reward.close();
  }
});

Deno.test("OnnxReward applies the sigmoid and softmax output kinds", async () => {
  const sig = await OnnxReward.load(
    await writeReward({
      name: "sig",
      file: "m.onnx",
      inputs: { image: imageSpec(2, 2, { layout: "NHWC" }) },
      output: { name: "out", kind: "sigmoid" },
    }, scaledMean(2, 2, 4, "NHWC")),
  );
  const img = solid(2, 2, [255, 255, 0]); // mean 2/3
  assert.ok(Math.abs((await sig.score([img], ["x"]))[0]! - 1 / (1 + Math.exp(-8 / 3))) < 1e-6);
  await sig.close();
  const soft = await OnnxReward.load(
    await writeReward({
      name: "soft",
      file: "m.onnx",
      inputs: { image: imageSpec(2, 2) },
      output: { name: "out", kind: "softmax", index: 0 },
    }, twoLogits(2, 2)),
  );
  // logits [m, -m]: P(class 0) = sigmoid(2m)
  assert.ok(Math.abs((await soft.score([img], ["x"]))[0]! - 1 / (1 + Math.exp(-4 / 3))) < 1e-6);
  await soft.close();
});

Deno.test("OnnxReward names the model and path when the model file is missing", async () => {
  const path = await writeReward(
    {
      name: "ghost",
      file: "gone.onnx",
      inputs: { image: imageSpec(2, 2) },
      output: { name: "out" },
    },
    null,
  );
  await assert.rejects(
    OnnxReward.load(path),
    /Cannot load reward model 'ghost' \(manifest '.*manifest\.json'\): cannot read the model file '.*gone\.onnx': no such file/,
  );
});

Deno.test("OnnxReward errors at load on input names and shapes the graph does not have", async () => {
  const model = scaledMean(4, 4, 1);
  const wrongName = await writeReward(
    {
      name: "m",
      file: "m.onnx",
      inputs: { image: { ...imageSpec(4, 4), name: "pixels" } },
      output: { name: "out" },
    },
    model,
  );
  await assert.rejects(
    OnnxReward.load(wrongName),
    /model 'm'.*no input 'pixels': its inputs are image/,
  );
  const wrongSize = await writeReward(
    { name: "m", file: "m.onnx", inputs: { image: imageSpec(8, 8) }, output: { name: "out" } },
    model,
  );
  await assert.rejects(
    OnnxReward.load(wrongSize),
    /model 'm'.*input 'image' has shape \[B, 3, 4, 4\] but the manifest describes \[B, 3, 8, 8\]/,
  );
  const wrongOut = await writeReward(
    { name: "m", file: "m.onnx", inputs: { image: imageSpec(4, 4) }, output: { name: "score" } },
    model,
  );
  await assert.rejects(OnnxReward.load(wrongOut), /no output 'score': its outputs are out/);
  const unfed = await writeReward(
    { name: "m", file: "m.onnx", inputs: { image: imageSpec(4, 4) }, output: { name: "score" } },
    meanPlusTokens(4, 4, 3, 1, 1),
  );
  await assert.rejects(OnnxReward.load(unfed), /graph input 'tokens' is not described/);
});

/** Reward `name`: `model` on a 2x2 NCHW image, its output 'out' as it is. */
async function load2x2(name: string, model: Uint8Array): Promise<OnnxReward> {
  const manifest = {
    name,
    file: "m.onnx",
    inputs: { image: imageSpec(2, 2) },
    output: { name: "out" },
  };
  return await OnnxReward.load(await writeReward(manifest, model));
}

Deno.test("OnnxReward errors on a wrong output shape or batch size, naming the model", async () => {
  const img = solid(2, 2, [1, 2, 3]);
  const wide = await OnnxReward.load(
    await writeReward(
      {
        name: "wide",
        file: "m.onnx",
        inputs: { image: imageSpec(2, 2) },
        output: { name: "out", kind: "scalar" },
      },
      twoLogits(2, 2),
    ),
  );
  await assert.rejects(
    wide.score([img, img], ["a", "b"]),
    /output 'out' of reward model 'wide' as it must be \[B\] or \[B, 1\].*current shape is \[2, 2\]/,
  );
  await wide.close();
  const pooled = await load2x2("pooled", batchMean(2, 2));
  await assert.rejects(
    pooled.score([img, img, img], ["a", "b", "c"]),
    /reward model 'pooled' as its batch dimension must be 3: current shape is \[1\] for a batch of 3/,
  );
  await pooled.close();
});

Deno.test("OnnxReward names the model and input shapes when onnxruntime rejects the inputs", async () => {
  const reward = await load2x2("picky", only4x4());
  try {
    await assert.rejects(
      reward.score([solid(2, 2, [1, 1, 1])], ["x"]),
      /Cannot score with reward model 'picky' as onnxruntime rejected the inputs image \[1, 3, 2, 2\]/,
    );
  } finally {
    await reward.close();
  }
});

Deno.test("readRewardManifest() names the bad key", async () => {
  const base = {
    name: "m",
    file: "m.onnx",
    inputs: { image: imageSpec(2, 2) },
    output: { name: "out" },
  };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...base, inptus: {} }, /as inptus must be absent \(unknown key/],
    [
      { ...base, inputs: { image: { ...imageSpec(2, 2), layout: "HWC" } } },
      /inputs\.image\.layout must be one of 'NCHW', 'NHWC': current value is 'HWC'/,
    ],
    [
      { ...base, inputs: { image: { ...imageSpec(2, 2), size: [2] } } },
      /inputs\.image\.size must be a list of 2 positive integers/,
    ],
    [{ ...base, inputs: { image: { ...imageSpec(2, 2), std: [1, 0, 1] } } }, /inputs\.image\.std/],
    [
      { ...base, output: { name: "out", kind: "logit" } },
      /output\.kind must be one of 'scalar', 'sigmoid', 'softmax'/,
    ],
    [{ ...base, output: { name: "out", kind: "softmax" } }, /output\.index must be a class index/],
    [{ ...base, name: "Bad Name" }, /as name must be a lowercase identifier/],
    [
      { ...base, file: undefined },
      /as file must be a non-empty string: current value is undefined/,
    ],
    [
      {
        ...base,
        inputs: {
          ...base.inputs,
          prompt: { name: "t", kind: "tokens", vocab: ["a"], max_len: 4, pad_id: 0, unk_id: 3 },
        },
      },
      /inputs\.prompt\.unk_id must be an integer id in \[0, 1\)/,
    ],
    [
      {
        ...base,
        inputs: {
          ...base.inputs,
          prompt: {
            name: "t",
            kind: "tokens",
            vocab: "missing.txt",
            max_len: 4,
            pad_id: 0,
            unk_id: 0,
          },
        },
      },
      /Cannot read the vocab '.*missing\.txt'/,
    ],
  ];
  for (const [manifest, re] of cases) {
    await assert.rejects(readRewardManifest(await writeReward(manifest, null)), re);
  }
  await assert.rejects(
    readRewardManifest("/nonexistent/manifest.json"),
    /Cannot read reward manifest '\/nonexistent\/manifest\.json': no such file/,
  );
});
