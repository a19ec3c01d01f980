/**
 * Token embedding table E [V, D]. tfjs: one-hot x matMul (gather's gradient,
 * UnsortedSegmentSum, is missing in tfjs-wasm). ONNX: Gather, the same numbers.
 */
import * as tf from "@tensorflow/tfjs";
import type { OnnxGraph } from "../onnx/graph.ts";
import { matMul } from "./matmul.ts";
import { type ParamSpec, weight, type Weights } from "./params.ts";

export function embeddingSpecs(name: string, vocab: number, dim: number, std = 0.02): ParamSpec[] {
  return [{ name, shape: [vocab, dim], init: { kind: "normal", std }, decay: false }];
}

/** ids [B, L] int32 -> [B, L, D] */
export function embed(w: Weights, name: string, ids: tf.Tensor): tf.Tensor {
  const E = weight(w, name);
  const [v, d] = E.shape as [number, number];
  const [b, l] = ids.shape as [number, number];
  const oh = tf.oneHot(ids.reshape([b * l]) as tf.Tensor1D, v); // [B*L, V]
  return matMul(oh, E).reshape([b, l, d]);
}

export function emitEmbed(g: OnnxGraph, name: string, ids: string): string {
  return g.op("Gather", [name, ids], { axis: 0 });
}
