/**
 * Static shape and element-type inference over an OnnxGraph whose inputs all have fixed dims
 * (a training graph is built for one batch size). Reverse-mode rules (models/onnx/grad/) need
 * every forward value's dims: to sum a gradient over broadcast axes, to reshape it back, to
 * split it along a concatenation.
 *
 * Covers the ops the capo graphs emit; any other op is an error naming it, so a new op in a
 * model fails here, loudly, rather than in onnxruntime with a shape mismatch.
 */
import type { Attr, ElemType, GraphNode, OnnxGraph } from "./graph.ts";

export type ValueType = ElemType | "bool";

export interface ValueInfo {
  type: ValueType;
  dims: number[];
}

/** ONNX TensorProto data types to ours (Cast's `to`). */
const CAST_TO: Record<number, ValueType> = {
  1: "float32",
  2: "uint8",
  6: "int32",
  7: "int64",
  9: "bool",
};

const UNARY = new Set([
  "Identity",
  "Neg",
  "Abs",
  "Sigmoid",
  "Tanh",
  "Erf",
  "Exp",
  "Log",
  "Sqrt",
  "Reciprocal",
  "Relu",
  "Softplus",
  "Sin",
  "Cos",
  "Round",
  "Softmax",
  "Clip",
]);
const BINARY = new Set(["Add", "Sub", "Mul", "Div", "Pow", "Sum", "Max", "Min", "Where"]);

/** Numpy broadcasting of several shapes. */
export function broadcastDims(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v !== 1 && d !== 1 && v !== d) {
        throw new RangeError(`Cannot broadcast shapes ${shapes.map((x) => `[${x}]`).join(", ")}`);
      }
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}

/** Normalise a possibly negative axis. */
export function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function intsAttr(node: GraphNode, name: string): number[] | undefined {
  const v: Attr | undefined = node.attrs[name];
  return Array.isArray(v) ? v : undefined;
}

export function intAttr(node: GraphNode, name: string, fallback: number): number {
  const v = node.attrs[name];
  return typeof v === "number" ? v : fallback;
}

/** The dims and types of every input, initializer and node output of `g`. */
export function inferShapes(g: OnnxGraph): Map<string, ValueInfo> {
  const info = new Map<string, ValueInfo>();
  for (const i of g.inputs()) {
    if (!i.dims.every((d) => typeof d === "number")) {
      throw new TypeError(
        `Cannot infer shapes of graph ${g.name} as input '${i.name}' has symbolic dims ` +
          `[${i.dims.join(", ")}]: build it for one batch size`,
      );
    }
    info.set(i.name, { type: i.type, dims: i.dims as number[] });
  }
  const get = (name: string): ValueInfo => {
    const found = info.get(name);
    if (found) return found;
    const c = g.constant(name);
    if (!c) throw new RangeError(`Cannot infer shapes: value '${name}' is used before it exists`);
    const type: ValueType = c.data instanceof Float32Array
      ? "float32"
      : c.data instanceof Int32Array
      ? "int32"
      : c.data instanceof BigInt64Array
      ? "int64"
      : "uint8";
    const v = { type, dims: [...c.dims] };
    info.set(name, v);
    return v;
  };
  const ints = (name: string): number[] => {
    const c = g.constant(name);
    if (!c) throw new RangeError(`Cannot infer shapes as '${name}' must be a constant`);
    return Array.from(c.data as ArrayLike<number | bigint>, (v) => Number(v));
  };
  for (const node of g.nodes()) {
    const ins = node.inputs.map((n) => (n === "" ? { type: "float32", dims: [] } : get(n)));
    const outs = nodeShapes(node, ins as ValueInfo[], ints);
    node.outputs.forEach((o, k) => {
      const v = outs[k];
      if (!v) throw new RangeError(`Cannot infer output ${k} of ${node.opType}`);
      info.set(o, v);
    });
  }
  return info;
}

function nodeShapes(
  node: GraphNode,
  ins: ValueInfo[],
  ints: (name: string) => number[],
): ValueInfo[] {
  const x = ins[0]!;
  const op = node.opType;
  if (UNARY.has(op)) return [{ type: x.type, dims: [...x.dims] }];
  if (BINARY.has(op)) {
    const operands = op === "Where" ? ins.slice(1) : ins;
    return [{ type: operands[0]!.type, dims: broadcastDims(ins.map((i) => i.dims)) }];
  }
  switch (op) {
    case "Equal":
    case "Less":
    case "Greater":
      return [{ type: "bool", dims: broadcastDims(ins.map((i) => i.dims)) }];
    case "Cast": {
      const to = CAST_TO[intAttr(node, "to", 1)];
      if (!to) throw new RangeError(`Cannot infer Cast to ${node.attrs.to}`);
      return [{ type: to, dims: [...x.dims] }];
    }
    case "MatMul":
    case "FusedMatMul": {
      // FusedMatMul (onnxruntime's): op(A) op(B), transA / transB swap the last two axes.
      const swap = (d: number[], t: number) =>
        t ? [...d.slice(0, -2), d[d.length - 1]!, d[d.length - 2]!] : d;
      const a = swap(x.dims, intAttr(node, "transA", 0));
      const b = swap(ins[1]!.dims, intAttr(node, "transB", 0));
      if (a.length < 2 || b.length < 2) throw new RangeError("Cannot infer MatMul of rank < 2");
      const batch = broadcastDims([a.slice(0, -2), b.slice(0, -2)]);
      return [{ type: x.type, dims: [...batch, a[a.length - 2]!, b[b.length - 1]!] }];
    }
    case "Gemm": {
      const a = x.dims, b = ins[1]!.dims;
      const m = intAttr(node, "transA", 0) ? a[1]! : a[0]!;
      const n = intAttr(node, "transB", 0) ? b[0]! : b[1]!;
      return [{ type: x.type, dims: [m, n] }];
    }
    case "Transpose": {
      const perm = intsAttr(node, "perm") ?? x.dims.map((_, i) => x.dims.length - 1 - i);
      return [{ type: x.type, dims: perm.map((p) => x.dims[p]!) }];
    }
    case "Reshape": {
      const want = ints(node.inputs[1]!).map((d, i) => (d === 0 ? x.dims[i]! : d));
      const known = want.reduce((a, d) => (d === -1 ? a : a * d), 1);
      const total = x.dims.reduce((a, d) => a * d, 1);
      return [{ type: x.type, dims: want.map((d) => (d === -1 ? total / known : d)) }];
    }
    case "Unsqueeze": {
      const rank = x.dims.length + ints(node.inputs[1]!).length;
      const axes = new Set(ints(node.inputs[1]!).map((a) => axisOf(a, rank)));
      const dims: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) dims.push(axes.has(i) ? 1 : x.dims[k++]!);
      return [{ type: x.type, dims }];
    }
    case "Squeeze": {
      const axes = new Set(ints(node.inputs[1]!).map((a) => axisOf(a, x.dims.length)));
      return [{ type: x.type, dims: x.dims.filter((_, i) => !axes.has(i)) }];
    }
    case "Expand":
      return [{ type: x.type, dims: broadcastDims([x.dims, ints(node.inputs[1]!)]) }];
    case "ConstantOfShape":
      return [{ type: "float32", dims: ints(node.inputs[0]!) }];
    case "Concat": {
      const axis = axisOf(intAttr(node, "axis", 0), x.dims.length);
      const dims = [...x.dims];
      dims[axis] = ins.reduce((a, i) => a + i.dims[axis]!, 0);
      return [{ type: x.type, dims }];
    }
    case "Split": {
      const axis = axisOf(intAttr(node, "axis", 0), x.dims.length);
      const sizes = node.inputs[1]
        ? ints(node.inputs[1])
        : Array(node.outputs.length).fill(x.dims[axis]! / node.outputs.length);
      return sizes.map((s) => {
        const dims = [...x.dims];
        dims[axis] = s;
        return { type: x.type, dims };
      });
    }
    case "Slice": {
      const starts = ints(node.inputs[1]!), ends = ints(node.inputs[2]!);
      const axes = node.inputs[3] ? ints(node.inputs[3]) : starts.map((_, i) => i);
      const dims = [...x.dims];
      axes.forEach((a0, i) => {
        const a = axisOf(a0, dims.length);
        const n = dims[a]!;
        const clamp = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
        dims[a] = Math.max(0, clamp(ends[i]!) - clamp(starts[i]!));
      });
      return [{ type: x.type, dims }];
    }
    case "Pad": {
      const pads = ints(node.inputs[1]!);
      const r = x.dims.length;
      return [{ type: x.type, dims: x.dims.map((d, i) => d + pads[i]! + pads[r + i]!) }];
    }
    case "Gather": {
      const axis = axisOf(intAttr(node, "axis", 0), x.dims.length);
      const idx = ins[1]!.dims;
      return [{
        type: x.type,
        dims: [...x.dims.slice(0, axis), ...idx, ...x.dims.slice(axis + 1)],
      }];
    }
    case "LayerNormalization": {
      const axis = axisOf(intAttr(node, "axis", -1), x.dims.length);
      const stats = x.dims.map((d, i) => (i < axis ? d : 1));
      return [
        { type: x.type, dims: [...x.dims] },
        { type: "float32", dims: stats },
        { type: "float32", dims: [...stats] },
      ];
    }
    case "ReduceMean":
    case "ReduceSum": {
      const raw = op === "ReduceSum" && node.inputs[1]
        ? ints(node.inputs[1])
        : intsAttr(node, "axes");
      const axes = new Set((raw ?? x.dims.map((_, i) => i)).map((a) => axisOf(a, x.dims.length)));
      const keep = intAttr(node, "keepdims", 1) === 1;
      const dims = keep
        ? x.dims.map((d, i) => (axes.has(i) ? 1 : d))
        : x.dims.filter((_, i) => !axes.has(i));
      return [{ type: x.type, dims }];
    }
    default:
      throw new RangeError(`Cannot infer the shape of ONNX op ${op}: no rule for it`);
  }
}
