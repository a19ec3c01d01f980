/**
 * Linear layer y = x W + b over the last axis. W is [in, out].
 */
import type * as tf from "@tensorflow/tfjs";
import type { OnnxGraph } from "../onnx/graph.ts";
import { affine, matMul } from "./matmul.ts";
import { type Init, type ParamSpec, weight, type WeightNames, type Weights } from "./params.ts";

export interface LinearOptions {
  /** @default {true} */
  bias?: boolean;
  /** @default {{ kind: "xavier" }} */
  init?: Init;
}

export function linearSpecs(
  prefix: string,
  din: number,
  dout: number,
  opts: LinearOptions = {},
): ParamSpec[] {
  const specs: ParamSpec[] = [
    {
      name: `${prefix}.weight`,
      shape: [din, dout],
      init: opts.init ?? { kind: "xavier" },
      decay: true,
    },
  ];
  if (opts.bias ?? true) {
    specs.push({ name: `${prefix}.bias`, shape: [dout], init: { kind: "zeros" }, decay: false });
  }
  return specs;
}

/** x [..., in] -> [..., out]. tfjs matMul wants rank 2 here, so flatten the leading dims. */
export function linear(w: Weights, prefix: string, x: tf.Tensor): tf.Tensor {
  const W = weight(w, `${prefix}.weight`);
  const [din, dout] = W.shape as [number, number];
  const lead = x.shape.slice(0, -1);
  const x2 = x.reshape([-1, din]); // [M, in]
  const b = w.get(`${prefix}.bias`);
  const y = b ? affine(x2, W, b) : matMul(x2, W); // [M, out]
  return y.reshape([...lead, dout]);
}

/** ONNX twin of `linear`: MatMul broadcasts over leading dims. */
export function emitLinear(
  g: OnnxGraph,
  w: WeightNames,
  prefix: string,
  x: string,
): string {
  let y = g.op("MatMul", [x, `${prefix}.weight`]);
  if (w.has(`${prefix}.bias`)) y = g.op("Add", [y, `${prefix}.bias`]);
  return y;
}
