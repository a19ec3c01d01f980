/**
 * Tiny ONNX reward graphs for the scorer tests, built with models/onnx's OnnxGraph, and a
 * helper writing a model plus its manifest into a temp folder.
 */
import { join } from "node:path";
import { OnnxGraph } from "../../../models/onnx/graph.ts";

/** score = w * mean(image) + u * sum(tokens): image [B,3,H,W] float32, tokens [B,L] int64. */
export function meanPlusTokens(H: number, W: number, L: number, w: number, u: number): Uint8Array {
  const g = new OnnxGraph("mean_plus_tokens");
  const img = g.input("image", "float32", ["B", 3, H, W]);
  const tok = g.input("tokens", "int64", ["B", L]);
  const m = g.op("ReduceMean", [img], { axes: [1, 2, 3], keepdims: 0 }); // [B]
  const tf = g.op("Cast", [tok], { to: 1 }); // float [B, L]
  const s = g.op("ReduceSum", [tf, g.constInt64([1])], { keepdims: 0 }); // [B]
  const a = g.op("Mul", [m, g.constFloat([w], [])]);
  const b = g.op("Mul", [s, g.constFloat([u], [])]);
  g.output(g.op("Add", [a, b]), "score", "float32", ["B"]);
  return g.toBytes();
}

/** An image-only graph whose output is `make(graph, mean[B,1])`'s value with `dims`. */
function imageOnly(
  name: string,
  H: number,
  W: number,
  layout: "NCHW" | "NHWC",
  make: (g: OnnxGraph, mean: string) => string,
  dims: (string | number)[],
): Uint8Array {
  const g = new OnnxGraph(name);
  const img = g.input("image", "float32", layout === "NCHW" ? ["B", 3, H, W] : ["B", H, W, 3]);
  const m = g.op("ReduceMean", [img], { axes: [1, 2, 3], keepdims: 1 }); // [B,1,1,1]
  const m2 = g.op("Reshape", [m, g.constInt64([-1, 1])]); // [B, 1]
  g.output(make(g, m2), "out", "float32", dims);
  return g.toBytes();
}

/** out [B, 1] = mean(image) * scale */
export function scaledMean(H: number, W: number, scale: number, layout: "NCHW" | "NHWC" = "NCHW") {
  return imageOnly(
    "scaled_mean",
    H,
    W,
    layout,
    (g, m) => g.op("Mul", [m, g.constFloat([scale], [])]),
    ["B", 1],
  );
}

/** out [B, 2] = [mean, -mean] (logits for softmax; a wrong shape for a scalar). */
export function twoLogits(H: number, W: number) {
  return imageOnly(
    "two_logits",
    H,
    W,
    "NCHW",
    (g, m) => g.op("Concat", [m, g.op("Neg", [m])], { axis: 1 }),
    [
      "B",
      2,
    ],
  );
}

/** out [1]: the mean over the whole batch, whatever B is (a wrong batch dimension). */
export function batchMean(H: number, W: number) {
  return imageOnly(
    "batch_mean",
    H,
    W,
    "NCHW",
    (g, m) => g.op("ReduceMean", [m], { axes: [0], keepdims: 0 }), // [B, 1] -> [1]
    [1],
  );
}

/** Writes `model` (if any) and `manifest` to a fresh folder; returns the manifest path. */
export async function writeReward(
  manifest: Record<string, unknown>,
  model: Uint8Array | null,
  extra: Record<string, string> = {},
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "capo-reward-" });
  if (model) await Deno.writeFile(join(dir, String(manifest.file)), model);
  for (const [name, text] of Object.entries(extra)) await Deno.writeTextFile(join(dir, name), text);
  const path = join(dir, "manifest.json");
  await Deno.writeTextFile(path, JSON.stringify(manifest));
  return path;
}

/** A graph with symbolic image dims that only works for 4x4 RGB images (Reshape to [-1, 48]). */
export function only4x4() {
  const g = new OnnxGraph("only_4x4");
  const img = g.input("image", "float32", ["B", "C", "H", "W"]);
  const flat = g.op("Reshape", [img, g.constInt64([-1, 48])]); // [B, 48]
  g.output(g.op("ReduceMean", [flat], { axes: [1], keepdims: 0 }), "out", "float32", ["B"]);
  return g.toBytes();
}
