/**
 * The contract of a reverse-mode rule, and the helpers rules share.
 *
 * Notation: a node computes outputs y_k from inputs x_i; the loss is L. A rule receives
 * dy_k = dL/dy_k (the name of a value in the graph, null when no gradient reaches output k)
 * and emits nodes computing dx_i = dL/dx_i = sum_k (dy_k/dx_i)^T dy_k for every input with
 * `needs[i]`; it returns their names (null elsewhere). Every dx_i has x_i's exact dims: a rule
 * whose forward broadcast x_i sums its gradient back over the broadcast axes (`unbroadcast`).
 */
import type { GraphNode, OnnxGraph } from "../graph.ts";

export interface RuleContext {
  readonly g: OnnxGraph;
  readonly node: GraphNode;
  /** Dims of a forward value (an input or output of any forward node). */
  dims(value: string): number[];
  /** Which inputs need a gradient (those that depend on a trained weight). */
  readonly needs: readonly boolean[];
  /** The forward node that produced `value` (undefined for inputs and initializers). */
  producer(value: string): GraphNode | undefined;
  /** How many forward nodes read `value`. */
  uses(value: string): number;
}

export type GradRule = (c: RuleContext, dy: readonly (string | null)[]) => (string | null)[];

export const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Reshape `v` to fixed `dims` (free in onnxruntime: a reshape aliases its input). */
export function reshape(g: OnnxGraph, v: string, dims: readonly number[]): string {
  return g.op("Reshape", [v, g.constInt64([...dims])]);
}

/** A float32 scalar constant. */
export function scalar(g: OnnxGraph, value: number): string {
  return g.constFloat([value], []);
}

/** Zeros of `dims` (ConstantOfShape: no initializer of that size in the file). */
export function zeros(g: OnnxGraph, dims: readonly number[]): string {
  return g.op("ConstantOfShape", [g.constInt64([...dims])]);
}

/**
 * Sum `dy` (dims `from`) back to dims `to` that broadcast to it: over the leading axes `to`
 * lacks and over the axes where `to` has 1 and `from` does not.
 */
export function unbroadcast(
  g: OnnxGraph,
  dy: string,
  from: readonly number[],
  to: readonly number[],
): string {
  const lead = from.length - to.length;
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (i < lead || (to[i - lead] === 1 && from[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return lead === 0 ? dy : reshape(g, dy, to);
  const summed = g.op("ReduceSum", [dy, g.constInt64(axes)], { keepdims: 1 });
  return reshape(g, summed, to);
}

/** Inverse of a permutation. */
export function inversePerm(perm: readonly number[]): number[] {
  const inv: number[] = new Array(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** True when `value` is an initializer whose every element equals `v`. */
export function isConstantFill(g: OnnxGraph, value: string, v: number): boolean {
  const c = g.constant(value);
  if (!c || !(c.data instanceof Float32Array)) return false;
  return c.data.every((x) => x === v);
}
