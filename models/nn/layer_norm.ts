/**
 * Layer normalisation over the last axis, with or without a learned affine.
 *
 * tfjs: composed from mean/variance (all have wasm gradients). ONNX: LayerNormalization
 * (opset 17) with unit scale and zero bias when there is no affine.
 */
import * as tf from "@tensorflow/tfjs";
import type { OnnxGraph } from "../onnx/graph.ts";
import { type ParamSpec, weight, type Weights } from "./params.ts";

export const LN_EPS = 1e-6;

export function layerNormSpecs(prefix: string, dim: number): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [dim], init: { kind: "ones" }, decay: false },
    { name: `${prefix}.bias`, shape: [dim], init: { kind: "zeros" }, decay: false },
  ];
}

/** prefix null: no affine (adaLN supplies scale and shift). */
export function layerNorm(w: Weights, prefix: string | null, x: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  let y = tf.mul(xc, tf.rsqrt(tf.add(variance, LN_EPS)));
  if (prefix !== null) {
    y = tf.add(tf.mul(y, weight(w, `${prefix}.weight`)), weight(w, `${prefix}.bias`));
  }
  return y;
}

export function emitLayerNorm(
  g: OnnxGraph,
  prefix: string | null,
  x: string,
  dim: number,
): string {
  const scale = prefix !== null ? `${prefix}.weight` : g.constFloat(new Float32Array(dim).fill(1));
  const bias = prefix !== null ? `${prefix}.bias` : g.constFloat(new Float32Array(dim));
  return g.op("LayerNormalization", [x, scale, bias], { axis: -1, epsilon: { float: LN_EPS } });
}
