/**
 * Elementwise functions y = f(x); dx = dy * f'(x), with f' written through y where that is
 * cheaper (sigmoid, tanh, exp, sqrt reuse the forward's output instead of recomputing f).
 *
 *   Identity  1              Neg      -1
 *   Sigmoid   y - y^2        Tanh     1 - y^2
 *   Erf       2/sqrt(pi) exp(-x^2)
 *   Softplus  sigmoid(x)     Exp      y
 *   Log       1 / x          Sqrt     1 / (2 y)
 *   Reciprocal  -y^2         Relu     [x > 0]
 */
import type { OnnxGraph } from "../graph.ts";
import { type GradRule, scalar } from "./rule.ts";

/** A rule from f'(x) as a function of (g, x, y) -> the factor's name. */
function unary(factor: (g: OnnxGraph, x: string, y: string) => string): GradRule {
  return ({ g, node, needs }, [dy]) => {
    if (!needs[0]) return [null];
    return [g.op("Mul", [dy!, factor(g, node.inputs[0]!, node.outputs[0]!)])];
  };
}

export const identityGrad: GradRule = ({ needs }, [dy]) => [needs[0] ? dy! : null];

export const negGrad: GradRule = ({ g, needs }, [dy]) => [needs[0] ? g.op("Neg", [dy!]) : null];

// y - y^2 rather than y (1 - y): onnxruntime's scalar-minus-tensor is a slow broadcast.
export const sigmoidGrad = unary((g, _x, y) => g.op("Sub", [y, g.op("Mul", [y, y])]));

export const tanhGrad = unary((g, _x, y) => g.op("Sub", [scalar(g, 1), g.op("Mul", [y, y])]));

export const erfGrad = unary((g, x) =>
  g.op("Mul", [
    g.op("Exp", [g.op("Neg", [g.op("Mul", [x, x])])]),
    scalar(g, 2 / Math.sqrt(Math.PI)),
  ])
);

export const softplusGrad = unary((g, x) => g.op("Sigmoid", [x]));

export const expGrad = unary((_g, _x, y) => y);

export const logGrad = unary((g, x) => g.op("Reciprocal", [x]));

export const sqrtGrad = unary((g, _x, y) => g.op("Div", [scalar(g, 0.5), y]));

export const reciprocalGrad = unary((g, _x, y) => g.op("Neg", [g.op("Mul", [y, y])]));

export const reluGrad = unary((g, x) =>
  g.op("Cast", [g.op("Greater", [x, scalar(g, 0)])], { to: 1 }) // 1 = FLOAT
);
