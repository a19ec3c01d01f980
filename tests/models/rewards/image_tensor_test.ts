import assert from "node:assert/strict";
import { imageTensor } from "../../../models/rewards/image_tensor.ts";
import type { ImageInputSpec } from "../../../models/rewards/reward_manifest.ts";

const spec = (over: Partial<ImageInputSpec>): ImageInputSpec => ({
  name: "image",
  layout: "NCHW",
  size: [2, 2],
  channels: 3,
  dtype: "float32",
  scale: 1,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  resize: "error",
  ...over,
});
const label = (i: number) => `item ${i}`;

Deno.test("imageTensor() lays out NCHW and NHWC and normalises per channel", () => {
  // 1x2 image: pixel 0 = (10, 20, 30), pixel 1 = (40, 50, 60)
  const img = { width: 2, height: 1, rgb: Uint8Array.of(10, 20, 30, 40, 50, 60) };
  const s = {
    size: [1, 2] as [number, number],
    scale: 0.5,
    mean: [1, 2, 3] as [number, number, number],
    std: [2, 2, 4] as [number, number, number],
  };
  const nchw = imageTensor([img], spec({ ...s, layout: "NCHW" }), label);
  assert.deepEqual(nchw.dims, [1, 3, 1, 2]);
  assert.deepEqual([...nchw.data], [2, 9.5, 4, 11.5, 3, 6.75]);
  const nhwc = imageTensor([img], spec({ ...s, layout: "NHWC" }), label);
  assert.deepEqual(nhwc.dims, [1, 1, 2, 3]);
  assert.deepEqual([...nhwc.data], [2, 4, 3, 9.5, 11.5, 6.75]);
});

Deno.test("imageTensor() errors on another size unless resize allows it, naming the item", () => {
  const img = { width: 3, height: 3, rgb: new Uint8Array(27) };
  assert.throws(
    () => imageTensor([img, img], spec({}), label),
    /image of item 0 as the model expects 2x2 \(width x height\): current size is 3x3/,
  );
  assert.throws(
    () => imageTensor([{ width: 2, height: 2, rgb: new Uint8Array(5) }], spec({}), label),
    /must hold 2x2x3 = 12 bytes: current length is 5/,
  );
});

Deno.test("imageTensor() resizes by nearest pixel and by half-pixel bilinear", () => {
  // 1x2 grey image [0, 255] -> 1x4
  const img = { width: 2, height: 1, rgb: Uint8Array.of(0, 0, 0, 255, 255, 255) };
  const near = imageTensor([img], spec({ size: [1, 4], resize: "nearest" }), label);
  assert.deepEqual([...near.data.subarray(0, 4)], [0, 0, 255, 255]);
  const bil = imageTensor([img], spec({ size: [1, 4], resize: "bilinear" }), label);
  assert.deepEqual([...bil.data.subarray(0, 4)], [0, 63.75, 191.25, 255]);
});
