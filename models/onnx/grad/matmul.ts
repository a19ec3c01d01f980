/**
 * Matrix products.
 *
 * MatMul  Y = A B, A [..., M, K], B [..., K, N] with numpy broadcasting of the batch dims:
 *   dA = dY B^T   (summed over batch dims A was broadcast along)
 *   dB = A^T dY   (likewise)
 * A rank-2 B (a linear layer's weight) is the common case: then dB = sum over every leading row
 * of A^T dY, which is one Gemm with transA on A and dY flattened to 2-D, and dA one Gemm with
 * transB; neither materialises a transpose or a batch of partial products. Batched operands
 * (attention's heads) go through onnxruntime's FusedMatMul with transA / transB.
 *
 * Gemm    Y = alpha op(A) op(B) + beta C, op = transpose when transA / transB:
 *   d op(A) = alpha dY op(B)^T,  d op(B) = alpha op(A)^T dY,  dC = beta dY (unbroadcast).
 */
import type { Attr } from "../graph.ts";
import { intAttr } from "../shapes.ts";
import { type GradRule, reshape, scalar, unbroadcast } from "./rule.ts";

export const matMulGrad: GradRule = ({ g, node, dims, needs }, [dy]) => {
  const [a, b] = node.inputs as [string, string];
  const ad = dims(a), bd = dims(b), yd = dims(node.outputs[0]!);
  if (ad.length < 2 || bd.length < 2) {
    throw new RangeError(`Cannot differentiate MatMul of rank-1 operands ([${ad}] x [${bd}])`);
  }
  const [K, N] = [bd[bd.length - 2]!, bd[bd.length - 1]!];
  let da: string | null = null, db: string | null = null;
  if (bd.length === 2) {
    const rows = yd.slice(0, -1).reduce((p, d) => p * d, 1);
    const dy2 = reshape(g, dy!, [rows, N]); // [M', N]
    if (needs[0]) {
      da = reshape(g, g.op("Gemm", [dy2, b], { transB: 1 }), ad); // [M', K] -> A's dims
    }
    if (needs[1]) {
      const a2 = reshape(g, a, [rows, K]); // [M', K]
      db = g.op("Gemm", [a2, dy2], { transA: 1 }); // [K, N]
    }
    return [da, db];
  }
  // Batched: onnxruntime's FusedMatMul reads the transposed operand in place. A Transpose node
  // would be merged with the attention's head Transpose into one that is no longer a swap of
  // the last two axes, which onnxruntime then materialises (a copy of every head's keys).
  if (needs[0]) {
    const prod = g.op("com.microsoft.FusedMatMul", [dy!, b], { transB: 1 });
    da = unbroadcast(g, prod, [...yd.slice(0, -1), K], ad);
  }
  if (needs[1]) {
    const prod = g.op("com.microsoft.FusedMatMul", [a, dy!], { transA: 1 });
    db = unbroadcast(g, prod, [...yd.slice(0, -2), K, N], bd);
  }
  return [da, db];
};

export const gemmGrad: GradRule = ({ g, node, dims, needs }, [dy]) => {
  const [a, b, c] = node.inputs as [string, string, string | undefined];
  const alpha = floatAttr(node.attrs.alpha, 1), beta = floatAttr(node.attrs.beta, 1);
  const tA = intAttr(node, "transA", 0), tB = intAttr(node, "transB", 0);
  const scaled = (attrs: Record<string, Attr>, x: string, y: string) =>
    g.op("Gemm", [x, y], { ...attrs, alpha: { float: alpha } });
  let da: string | null = null, db: string | null = null, dc: string | null = null;
  if (needs[0]) {
    // op(A) = A: dA = dY op(B)^T; op(A) = A^T: dA = (dY op(B)^T)^T = op(B) dY^T
    da = tA === 0
      ? scaled({ transB: tB === 0 ? 1 : 0 }, dy!, b)
      : scaled({ transA: tB, transB: 1 }, b, dy!);
  }
  if (needs[1]) {
    // op(B) = B: dB = op(A)^T dY; op(B) = B^T: dB = dY^T op(A)
    db = tB === 0
      ? scaled({ transA: tA === 0 ? 1 : 0 }, a, dy!)
      : scaled({ transA: 1, transB: tA }, dy!, a);
  }
  if (c !== undefined && needs[2]) {
    const scaledDy = beta === 1 ? dy! : g.op("Mul", [dy!, scalar(g, beta)]);
    dc = unbroadcast(g, scaledDy, dims(node.outputs[0]!), dims(c));
  }
  return [da, db, dc];
};

function floatAttr(v: Attr | undefined, fallback: number): number {
  return typeof v === "object" && !Array.isArray(v) && "float" in v ? v.float : fallback;
}
