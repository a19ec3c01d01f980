/**
 * Multi-head scaled dot-product attention: self-attention and cross-attention (queries from
 * x, keys/values from a context such as prompt tokens).
 *
 * Notation: B batch, N query tokens, L key tokens, D width, H heads, dh = D / H.
 * Separate q/k/v projections rather than one fused qkv: splitting a fused output costs more in
 * tfjs-wasm (SplitV + its concat gradient) than the two extra small matMuls.
 * No mask: padding tokens are ordinary learned tokens the model learns to ignore, which keeps
 * the graph dense and the tfjs and ONNX versions op-for-op identical.
 */
import * as tf from "@tensorflow/tfjs";
import type { OnnxGraph } from "../onnx/graph.ts";
import { emitLinear, linear, linearSpecs } from "./linear.ts";
import { matMul } from "./matmul.ts";
import type { ParamSpec, WeightNames, Weights } from "./params.ts";

/** Weights of attention `prefix` with queries of width `dim` and keys/values from `ctxDim`. */
export function attentionSpecs(prefix: string, dim: number, ctxDim = dim): ParamSpec[] {
  return [
    ...linearSpecs(`${prefix}.q`, dim, dim),
    ...linearSpecs(`${prefix}.k`, ctxDim, dim),
    ...linearSpecs(`${prefix}.v`, ctxDim, dim),
    ...linearSpecs(`${prefix}.proj`, dim, dim),
  ];
}

/**
 * x [B, N, D], ctx [B, L, Dc] (ctx = x for self-attention) -> [B, N, D].
 * 1. q = x Wq, k = ctx Wk, v = ctx Wv, split into heads
 * 2. A = softmax(q k^T / sqrt(dh))            [B, H, N, L]
 * 3. o = A v, heads merged, projected          [B, N, D]
 */
export function attention(w: Weights, prefix: string, x: tf.Tensor, ctx: tf.Tensor, h: number) {
  const [b, n, d] = x.shape as [number, number, number];
  const l = ctx.shape[1]!;
  const dh = d / h;
  const q = linear(w, `${prefix}.q`, x).reshape([b, n, h, dh]).transpose([0, 2, 1, 3]); // [B,H,N,dh]
  const kt = linear(w, `${prefix}.k`, ctx).reshape([b, l, h, dh]).transpose([0, 2, 3, 1]); // [B,H,dh,L]
  const v = linear(w, `${prefix}.v`, ctx).reshape([b, l, h, dh]).transpose([0, 2, 1, 3]); // [B,H,L,dh]
  const att = tf.softmax(matMul(tf.mul(q, 1 / Math.sqrt(dh)), kt)); // [B, H, N, L]
  const o = matMul(att, v).transpose([0, 2, 1, 3]).reshape([b, n, d]); // [B, N, D]
  return linear(w, `${prefix}.proj`, o);
}

/** ONNX twin of `attention` (ctx = x for self-attention). */
export function emitAttention(
  g: OnnxGraph,
  w: WeightNames,
  prefix: string,
  x: string,
  ctx: string,
  h: number,
  d: number,
): string {
  const dh = d / h;
  const split = g.constInt64([0, 0, h, dh]);
  const heads = (name: string, src: string, perm: number[]) =>
    g.op("Transpose", [g.op("Reshape", [emitLinear(g, w, `${prefix}.${name}`, src), split])], {
      perm,
    });
  const q = heads("q", x, [0, 2, 1, 3]); // [B, H, N, dh]
  const kt = heads("k", ctx, [0, 2, 3, 1]); // [B, H, dh, L]
  const v = heads("v", ctx, [0, 2, 1, 3]); // [B, H, L, dh]
  const qs = g.op("Mul", [q, g.constFloat([1 / Math.sqrt(dh)], [])]);
  const att = g.op("Softmax", [g.op("MatMul", [qs, kt])], { axis: -1 }); // [B, H, N, L]
  const o = g.op("Transpose", [g.op("MatMul", [att, v])], { perm: [0, 2, 1, 3] }); // [B,N,H,dh]
  return emitLinear(g, w, `${prefix}.proj`, g.op("Reshape", [o, g.constInt64([0, 0, d])]));
}
