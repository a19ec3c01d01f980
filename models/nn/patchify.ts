/**
 * Patchify / unpatchify an NHWC image with reshape + transpose (no Conv2D: tfjs-wasm has no
 * gradient for conv filters, and a p x p stride-p conv is exactly this followed by a matMul).
 *
 * Notation: image [B, S, S, C], patch p, G = S / p patches per side, T = G * G tokens,
 * P = p * p * C values per patch, ordered (row-in-patch, col-in-patch, channel).
 * The transposes are rank 4 by merging B with the patch-row index and keeping (p, C) together.
 */
import * as tf from "@tensorflow/tfjs";
import type { OnnxGraph } from "../onnx/graph.ts";

/** [B, S, S, C] -> [B, T, P] */
export function patchify(x: tf.Tensor, p: number): tf.Tensor {
  const [b, s, , c] = x.shape as [number, number, number, number];
  const gr = s / p;
  return x
    .reshape([b * gr, p, gr, p * c]) // [B*G, p, G, p*C]
    .transpose([0, 2, 1, 3]) // [B*G, G, p, p*C]
    .reshape([b, gr * gr, p * p * c]); // [B, T, P]
}

/** [B, T, P] -> [B, S, S, C] */
export function unpatchify(x: tf.Tensor, p: number, s: number, c: number): tf.Tensor {
  const b = x.shape[0]!;
  const gr = s / p;
  return x
    .reshape([b * gr, gr, p, p * c]) // [B*G, G, p, p*C]
    .transpose([0, 2, 1, 3]) // [B*G, p, G, p*C]
    .reshape([b, s, s, c]);
}

export function emitPatchify(g: OnnxGraph, x: string, p: number, s: number, c: number): string {
  const gr = s / p;
  const r = g.op("Reshape", [x, g.constInt64([-1, p, gr, p * c])]);
  const t = g.op("Transpose", [r], { perm: [0, 2, 1, 3] });
  return g.op("Reshape", [t, g.constInt64([-1, gr * gr, p * p * c])]);
}

export function emitUnpatchify(g: OnnxGraph, x: string, p: number, s: number, c: number): string {
  const gr = s / p;
  const r = g.op("Reshape", [x, g.constInt64([-1, gr, p, p * c])]);
  const t = g.op("Transpose", [r], { perm: [0, 2, 1, 3] });
  return g.op("Reshape", [t, g.constInt64([-1, s, s, c])]);
}
