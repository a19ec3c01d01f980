/**
 * Sinusoidal timestep features (DiT / ADM): for t in [0, 1] scaled to s = 1000 t,
 * f_i = 10000^(-i / half), features = [cos(s f), sin(s f)], i = 0..half-1.
 * Inputs are data, not parameters, so no gradient is needed through Sin/Cos.
 */
import * as tf from "@tensorflow/tfjs";
import type { OnnxGraph } from "../onnx/graph.ts";

export const TIME_SCALE = 1000;

export function timestepFreqs(dim: number): Float32Array {
  const half = dim / 2;
  const f = new Float32Array(half);
  for (let i = 0; i < half; i++) f[i] = TIME_SCALE * Math.exp(-Math.log(10000) * i / half);
  return f;
}

/** t [B] -> [B, dim] */
export function timestepFeatures(t: tf.Tensor, dim: number): tf.Tensor {
  const args = tf.mul(t.reshape([-1, 1]), tf.tensor(timestepFreqs(dim), [1, dim / 2]));
  return tf.concat([tf.cos(args), tf.sin(args)], -1);
}

export function emitTimestepFeatures(g: OnnxGraph, t: string, dim: number): string {
  const t2 = g.op("Unsqueeze", [t, g.constInt64([1])]); // [B, 1]
  const args = g.op("Mul", [t2, g.constFloat(timestepFreqs(dim), [1, dim / 2])]);
  return g.op("Concat", [g.op("Cos", [args]), g.op("Sin", [args])], { axis: -1 });
}
