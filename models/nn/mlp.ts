/**
 * Two-layer MLP with SiLU: y = fc2(silu(fc1(x))). SiLU (x * sigmoid(x)) is two cheap ops in
 * both runtimes and trains as well as GELU at this scale.
 */
import * as tf from "@tensorflow/tfjs";
import type { OnnxGraph } from "../onnx/graph.ts";
import { emitLinear, linear, linearSpecs } from "./linear.ts";
import type { Init, ParamSpec, WeightNames, Weights } from "./params.ts";

export function mlpSpecs(
  prefix: string,
  din: number,
  hidden: number,
  dout: number,
  outInit?: Init,
) {
  const specs: ParamSpec[] = [
    ...linearSpecs(`${prefix}.fc1`, din, hidden),
    ...linearSpecs(`${prefix}.fc2`, hidden, dout, outInit ? { init: outInit } : {}),
  ];
  return specs;
}

export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

export function emitSilu(g: OnnxGraph, x: string): string {
  return g.op("Mul", [x, g.op("Sigmoid", [x])]);
}

export function mlp(w: Weights, prefix: string, x: tf.Tensor): tf.Tensor {
  return linear(w, `${prefix}.fc2`, silu(linear(w, `${prefix}.fc1`, x)));
}

export function emitMlp(
  g: OnnxGraph,
  w: WeightNames,
  prefix: string,
  x: string,
): string {
  return emitLinear(g, w, `${prefix}.fc2`, emitSilu(g, emitLinear(g, w, `${prefix}.fc1`, x)));
}
