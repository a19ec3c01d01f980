/**
 * Reverse-mode differentiation of an OnnxGraph: appends to the graph the nodes that compute
 * dL/dw for a scalar loss L and a set of float values w (the trained weights), from the
 * forward nodes already in it.
 *
 * 1. shapes: static dims of every forward value (models/onnx/shapes.ts);
 * 2. activity: a node is differentiated only if one of its float inputs depends on some w
 *    ("varied") and one of its outputs reaches L ("useful"): the timestep features, the
 *    eps skip table lookup and the integer paths get no gradient nodes at all;
 * 3. sweep: forward nodes in reverse order; each active node's output gradients are summed
 *    (one Sum node where a value feeds several consumers, such as the residual stream) and
 *    handed to its op's rule (models/onnx/grad/rules.ts), whose input gradients are collected
 *    for their producers; a SiLU's Mul takes the rule of the whole function (silu.ts), which
 *    leaves its Sigmoid without a gradient to propagate;
 * 4. dL/dw for each w, or zeros where L does not depend on w.
 */
import type { GraphNode, OnnxGraph } from "../graph.ts";
import { inferShapes } from "../shapes.ts";
import { GRAD_RULES } from "./rules.ts";
import { type GradRule, zeros } from "./rule.ts";
import { isSilu, siluGrad } from "./silu.ts";

/** Names of the appended dL/dw values, keyed by w. */
export function appendGradients(
  g: OnnxGraph,
  loss: string,
  wrt: readonly string[],
): Map<string, string> {
  // 1. shapes
  const info = inferShapes(g);
  const dims = (v: string): number[] => {
    const i = info.get(v);
    if (!i) throw new RangeError(`Cannot differentiate: no shape for value '${v}'`);
    return i.dims;
  };
  if (dims(loss).length !== 0) {
    throw new RangeError(
      `Cannot differentiate '${loss}' as the loss must be a scalar: its dims are [${dims(loss)}]`,
    );
  }
  const nodes = [...g.nodes()];
  const producer = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const uses = new Map<string, number>();
  for (const n of nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  const producerOf = (v: string) => producer.get(v);
  const usesOf = (v: string) => uses.get(v) ?? 0;
  const ruleOf = (n: GraphNode): GradRule | undefined =>
    isSilu(n, producerOf, usesOf) ? siluGrad : GRAD_RULES[n.opType];
  // 2. activity
  const varied = new Set(wrt);
  for (const n of nodes) {
    if (n.inputs.some((i) => varied.has(i))) {
      for (const o of n.outputs) if (info.get(o)?.type === "float32") varied.add(o);
    }
  }
  const useful = new Set([loss]);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k]!;
    if (n.outputs.some((o) => useful.has(o))) { for (const i of n.inputs) useful.add(i); }
  }
  // 3. sweep
  const pending = new Map<string, string[]>([[loss, [g.constFloat([1], [])]]]);
  const total = (v: string): string | null => {
    const parts = pending.get(v);
    if (!parts || parts.length === 0) return null;
    if (parts.length === 1) return parts[0]!;
    const s = g.op("Sum", parts);
    pending.set(v, [s]);
    return s;
  };
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k]!;
    const needs = node.inputs.map((i) => varied.has(i) && useful.has(i));
    if (!needs.some(Boolean) || !node.outputs.some((o) => useful.has(o))) continue;
    const dy = node.outputs.map(total);
    if (dy.every((d) => d === null)) continue;
    const rule = node.domain === "" ? ruleOf(node) : undefined;
    if (!rule) {
      throw new RangeError(
        `Cannot differentiate ONNX op ${node.opType} (output '${node.outputs[0]}'): no ` +
          `reverse-mode rule for it in models/onnx/grad/rules.ts`,
      );
    }
    const dx = rule({ g, node, dims, needs, producer: producerOf, uses: usesOf }, dy);
    node.inputs.forEach((input, i) => {
      const d = dx[i];
      if (!needs[i] || d === null || d === undefined) return;
      const list = pending.get(input) ?? [];
      list.push(d);
      pending.set(input, list);
    });
  }
  // 4. results
  return new Map(wrt.map((w) => [w, total(w) ?? zeros(g, dims(w))]));
}
