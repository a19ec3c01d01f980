/**
 * SiLU, y = x * sigmoid(x), emitted as the two nodes s = Sigmoid(x), y = Mul(x, s) (models/nn/
 * mlp.ts), differentiated as one function: the rules of Mul and Sigmoid applied separately
 * cost six passes over the MLP's widest activations; through the forward's own y and s,
 *   dy/dx = s + x s (1 - s) = s + y - y s,     dx = dy * (s + (y - y s))
 * costs four.
 */
import type { GraphNode } from "../graph.ts";
import type { GradRule } from "./rule.ts";

/**
 * Whether `mul` is Mul(x, Sigmoid(x)) (either order) whose sigmoid output feeds nothing else;
 * `producer` gives a value's producing node, `uses` its number of consumers.
 */
export function isSilu(
  mul: GraphNode,
  producer: (v: string) => GraphNode | undefined,
  uses: (v: string) => number,
): boolean {
  if (mul.opType !== "Mul" || mul.domain !== "") return false;
  const [a, b] = mul.inputs as [string, string];
  const sig = (s: string, x: string) => {
    const p = producer(s);
    return p?.opType === "Sigmoid" && p.inputs[0] === x && uses(s) === 1;
  };
  return a !== b && (sig(b, a) || sig(a, b));
}

/** The rule for a node `isSilu` accepted: the whole gradient goes to x, none to s. */
export const siluGrad: GradRule = ({ g, node, producer }, [dy]) => {
  const [a, b] = node.inputs as [string, string];
  const xFirst = producer(b)?.opType === "Sigmoid"; // Mul(x, s) rather than Mul(s, x)
  const s = xFirst ? b : a;
  const y = node.outputs[0]!;
  const ys = g.op("Mul", [y, s]);
  const factor = g.op("Add", [s, g.op("Sub", [y, ys])]); // s + y - y s
  const dx = g.op("Mul", [dy!, factor]);
  return xFirst ? [dx, null] : [null, dx];
};
