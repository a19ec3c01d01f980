/**
 * Softmax and LayerNormalization: the two row-wise normalisations of a transformer.
 *
 * Softmax over axis a, y = softmax(x):
 *   dx = y * (dy - sum_a(dy * y))
 *
 * LayerNormalization over the axes from `axis` on (n values per row), scale gamma, bias b:
 *   mu = mean(x), r = 1 / sqrt(var(x) + eps), xhat = (x - mu) r, y = gamma xhat + b
 *   g = dy * gamma
 *   dx = r * (g - mean(g) - xhat * mean(g * xhat))
 *   dgamma = sum over rows of dy * xhat,  db = sum over rows of dy
 * mu and r are the node's optional outputs Mean and InvStdDev (added to the forward node, so
 * nothing is recomputed); with a constant unit gamma and zero bias (adaLN's plain norm) g = dy
 * and xhat is the node's output y.
 */
import { axisOf, intAttr } from "../shapes.ts";
import { type GradRule, isConstantFill } from "./rule.ts";

export const softmaxGrad: GradRule = ({ g, node, dims, needs }, [dy]) => {
  if (!needs[0]) return [null];
  const y = node.outputs[0]!;
  const axis = axisOf(intAttr(node, "axis", -1), dims(y).length);
  const s = g.op("ReduceSum", [g.op("Mul", [dy!, y]), g.constInt64([axis])], { keepdims: 1 });
  return [g.op("Mul", [y, g.op("Sub", [dy!, s])])];
};

export const layerNormGrad: GradRule = ({ g, node, dims, needs, producer, uses }, [dy]) => {
  const [x, gamma, bias] = node.inputs as [string, string, string | undefined];
  const xd = dims(x);
  const axis = axisOf(intAttr(node, "axis", -1), xd.length);
  const rowAxes = xd.map((_, i) => i).filter((i) => i < axis); // summed for dgamma, db
  const normAxes = xd.map((_, i) => i).filter((i) => i >= axis); // normalised over
  const y = node.outputs[0]!;
  const [, mu, r] = g.extraOutputs(y, 3) as [string, string, string];
  // Without an affine (adaLN's plain norm: unit gamma, zero bias) the output is xhat itself.
  // Except after an Add read by nothing else: onnxruntime then fuses the two into its
  // SkipLayerNormalization, whose CPU kernel leaves Mean and InvStdDev unwritten; reading x
  // here, as the recomputation does, keeps them apart.
  const plain = isConstantFill(g, gamma, 1) && (bias === undefined || isConstantFill(g, bias, 0));
  const fusable = producer(x)?.opType === "Add" && uses(x) === 1;
  const xhat = plain && !fusable ? y : g.op("Mul", [g.op("Sub", [x, mu]), r]);
  const rows = (v: string) =>
    rowAxes.length === 0 ? v : g.op("ReduceSum", [v, g.constInt64(rowAxes)], { keepdims: 0 });
  let dx: string | null = null;
  if (needs[0]) {
    const gy = isConstantFill(g, gamma, 1) ? dy! : g.op("Mul", [dy!, gamma]);
    const mean = (v: string) => g.op("ReduceMean", [v], { axes: normAxes, keepdims: 1 });
    const mg = mean(gy);
    const mgx = mean(g.op("Mul", [gy, xhat]));
    const centred = g.op("Sub", [g.op("Sub", [gy, mg]), g.op("Mul", [xhat, mgx])]);
    dx = g.op("Mul", [centred, r]);
  }
  return [
    dx,
    needs[1] ? rows(g.op("Mul", [dy!, xhat])) : null,
    bias !== undefined && needs[2] ? rows(dy!) : null,
  ];
};
