/**
 * Ops that move values without changing them: the gradient moves back the same way.
 *
 *   Reshape, Flatten, Squeeze, Unsqueeze   dx = reshape(dy, dims(x))
 *   Transpose (perm p)                      dx = transpose(dy, p^-1)
 *   Expand                                  dx = dy summed over the expanded axes
 *   Concat along a                          dx_i = the i-th block of dy along a (one Split)
 *   Split along a                           dx = concat of the dy_k, zeros where none came
 *   Slice (unit steps)                      dx = dy padded with zeros to dims(x)
 */
import { axisOf, intAttr, intsAttr } from "../shapes.ts";
import { type GradRule, inversePerm, reshape, unbroadcast, zeros } from "./rule.ts";

export const reshapeGrad: GradRule = ({ g, node, dims, needs }, [dy]) => [
  needs[0] ? reshape(g, dy!, dims(node.inputs[0]!)) : null,
  ...node.inputs.slice(1).map(() => null),
];

export const transposeGrad: GradRule = ({ g, node, dims, needs }, [dy]) => {
  if (!needs[0]) return [null];
  const rank = dims(node.inputs[0]!).length;
  const perm = intsAttr(node, "perm") ?? [...Array(rank).keys()].reverse();
  return [g.op("Transpose", [dy!], { perm: inversePerm(perm) })];
};

export const expandGrad: GradRule = ({ g, node, dims, needs }, [dy]) => [
  needs[0] ? unbroadcast(g, dy!, dims(node.outputs[0]!), dims(node.inputs[0]!)) : null,
  null,
];

export const concatGrad: GradRule = ({ g, node, dims, needs }, [dy]) => {
  const rank = dims(node.outputs[0]!).length;
  const axis = axisOf(intAttr(node, "axis", 0), rank);
  const sizes = node.inputs.map((i) => dims(i)[axis]!);
  const parts = g.node("Split", [dy!, g.constInt64(sizes)], { axis }, sizes.length);
  return parts.map((p, i) => (needs[i] ? p : null));
};

export const splitGrad: GradRule = ({ g, node, dims, needs }, dys) => {
  if (!needs[0]) return node.inputs.map(() => null);
  const rank = dims(node.inputs[0]!).length;
  const axis = axisOf(intAttr(node, "axis", 0), rank);
  const parts = node.outputs.map((o, k) => dys[k] ?? zeros(g, dims(o)));
  return [g.op("Concat", parts, { axis }), ...node.inputs.slice(1).map(() => null)];
};

export const sliceGrad: GradRule = ({ g, node, dims, needs }, [dy]) => {
  const rest = node.inputs.slice(1).map(() => null);
  if (!needs[0]) return [null, ...rest];
  const xd = dims(node.inputs[0]!);
  const ints = (i: number) => {
    const c = node.inputs[i] ? g.constant(node.inputs[i]) : undefined;
    return c ? Array.from(c.data as ArrayLike<number | bigint>, Number) : undefined;
  };
  const starts = ints(1), ends = ints(2);
  const axes = ints(3) ?? starts?.map((_, i) => i);
  const steps = ints(4);
  if (!starts || !ends || !axes || steps?.some((s) => s !== 1)) {
    throw new RangeError("Cannot differentiate Slice unless its bounds are constants and steps 1");
  }
  const pads = new Array(2 * xd.length).fill(0);
  axes.forEach((a0, i) => {
    const a = axisOf(a0, xd.length);
    const n = xd[a]!;
    const clamp = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
    const s = clamp(starts[i]!), e = clamp(ends[i]!);
    pads[a] = s;
    pads[xd.length + a] = n - e;
  });
  return [g.op("Pad", [dy!, g.constInt64(pads)]), ...rest];
};
