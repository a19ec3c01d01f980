import assert from "node:assert/strict";
import { decodeSafetensors, encodeSafetensors } from "../../models/safetensors.ts";
import {
  decodeModelWeights,
  encodeModelWeights,
  loadModel,
  saveModel,
} from "../../models/weights.ts";
import { randomWeights, tinyConfig } from "./_tiny.ts";

Deno.test("safetensors round trip keeps names, shapes, values and metadata", () => {
  const tensors = new Map([
    ["a.weight", { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) }],
    ["b", { shape: [1], data: Float32Array.from([Math.PI]) }],
  ]);
  const bytes = encodeSafetensors(tensors, { note: "hi" });
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLen % 8, 0, "header padded to 8 bytes");
  const back = decodeSafetensors(bytes);
  assert.deepEqual(back.metadata, { note: "hi" });
  assert.deepEqual([...back.tensors.keys()], ["a.weight", "b"]);
  assert.deepEqual(back.tensors.get("a.weight"), tensors.get("a.weight"));
  assert.deepEqual(back.tensors.get("b")!.data, Float32Array.from([Math.PI]));
});

Deno.test("model weights round trip through files with the config in the metadata", async () => {
  const cfg = tinyConfig("flow");
  const w = randomWeights(cfg, 3);
  const dir = await Deno.makeTempDir();
  try {
    await saveModel(dir, cfg, w);
    const back = await loadModel(dir);
    assert.deepEqual(back.config, cfg);
    assert.deepEqual(back.weights, w);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/config.json`)), cfg);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loading weights whose shape does not match the config names the tensor", () => {
  const cfg = tinyConfig("eps");
  const bytes = encodeModelWeights(cfg, randomWeights(cfg, 4));
  const { tensors, metadata } = decodeSafetensors(bytes);
  tensors.set("blocks.1.mlp.fc1.weight", { shape: [16, 33], data: new Float32Array(16 * 33) });
  assert.throws(
    () => decodeModelWeights(encodeSafetensors(tensors, metadata), "bad.safetensors"),
    /bad\.safetensors as tensor 'blocks\.1\.mlp\.fc1\.weight' has shape \[16,33\] but the config requires \[16,32\]/,
  );
});

Deno.test("loading weights with a missing or unknown tensor names it", () => {
  const cfg = tinyConfig("eps");
  const { tensors, metadata } = decodeSafetensors(encodeModelWeights(cfg, randomWeights(cfg, 5)));
  const missing = new Map(tensors);
  missing.delete("final.proj.bias");
  assert.throws(
    () => decodeModelWeights(encodeSafetensors(missing, metadata)),
    /'final\.proj\.bias' is missing/,
  );
  const extra = new Map(tensors);
  extra.set("blocks.9.extra", { shape: [1], data: new Float32Array(1) });
  assert.throws(
    () => decodeModelWeights(encodeSafetensors(extra, metadata)),
    /'blocks\.9\.extra' is not in the config/,
  );
});

Deno.test("decoding truncated bytes is a clear error", () => {
  assert.throws(
    () => decodeSafetensors(new Uint8Array(4), "x.safetensors"),
    /Cannot read x\.safetensors as safetensors/,
  );
  const bytes = encodeSafetensors(new Map([["a", { shape: [4], data: new Float32Array(4) }]]));
  assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4)), /offsets/);
});
