/**
 * Broadcasting binary ops. Each partial derivative is formed at the output's dims and then
 * summed back over the axes its operand was broadcast along (`unbroadcast`): a bias [D] added
 * to [B, T, D] gets the sum of dY over B and T.
 *
 *   Add  y = a + b          da = dy               db = dy
 *   Sub  y = a - b          da = dy               db = -dy
 *   Mul  y = a * b          da = dy * b           db = dy * a
 *   Div  y = a / b          da = dy / b           db = -dy * y / b
 *   Pow  y = a ^ p          da = dy * p a^(p-1)   (p a constant scalar)
 *   Sum  y = sum_i a_i      da_i = dy
 */
import { type GradRule, type RuleContext, scalar, unbroadcast } from "./rule.ts";

/** Sum `d` (at the output's dims) back to input `i`'s dims. */
function back(c: RuleContext, i: number, d: string): string {
  return unbroadcast(c.g, d, c.dims(c.node.outputs[0]!), c.dims(c.node.inputs[i]!));
}

export const addGrad: GradRule = (c, [dy]) =>
  c.node.inputs.map((_, i) => (c.needs[i] ? back(c, i, dy!) : null));

export const sumGrad: GradRule = addGrad;

export const subGrad: GradRule = (c, [dy]) => [
  c.needs[0] ? back(c, 0, dy!) : null,
  c.needs[1] ? back(c, 1, c.g.op("Neg", [dy!])) : null,
];

export const mulGrad: GradRule = (c, [dy]) => {
  const [a, b] = c.node.inputs as [string, string];
  // x * x (a square): one product, counted twice.
  if (a === b) {
    const d = c.g.op("Mul", [c.g.op("Mul", [dy!, a]), scalar(c.g, 2)]);
    return [back(c, 0, d), null];
  }
  return [
    c.needs[0] ? back(c, 0, c.g.op("Mul", [dy!, b])) : null,
    c.needs[1] ? back(c, 1, c.g.op("Mul", [dy!, a])) : null,
  ];
};

export const divGrad: GradRule = (c, [dy]) => {
  const [, b] = c.node.inputs as [string, string];
  const y = c.node.outputs[0]!;
  const da = c.needs[0] || c.needs[1] ? c.g.op("Div", [dy!, b]) : null;
  return [
    c.needs[0] ? back(c, 0, da!) : null,
    c.needs[1] ? back(c, 1, c.g.op("Neg", [c.g.op("Mul", [da!, y])])) : null,
  ];
};

export const powGrad: GradRule = (c, [dy]) => {
  const [a, p] = c.node.inputs as [string, string];
  const exp = c.g.constant(p);
  if (!exp || exp.data.length !== 1 || c.needs[1]) {
    throw new RangeError("Cannot differentiate Pow unless its exponent is a constant scalar");
  }
  const e = Number(exp.data[0]);
  const d = c.g.op("Mul", [
    dy!,
    c.g.op("Mul", [c.g.op("Pow", [a, scalar(c.g, e - 1)]), scalar(c.g, e)]),
  ]);
  return [back(c, 0, d), null];
};
