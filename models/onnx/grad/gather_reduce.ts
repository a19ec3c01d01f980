/**
 * Reductions and the embedding lookup.
 *
 * ReduceSum / ReduceMean over axes R (n = product of x's dims over R):
 *   dx = expand(dy with R kept as 1s, dims(x))        (times 1/n for the mean)
 *
 * Gather along axis 0 of a table E [V, ...] by integer ids [M...]: every row id of the output
 * came from row id of E, so dE[v] = sum over the positions with id v of dy. As one product:
 *   onehot [M, V] = (ids == v), dE = onehot^T dy      (Gemm with transA; dy flattened [M, ...])
 * A product rather than ScatterND's add: exact to the same float sums as tfjs' one-hot matMul,
 * and the same on any number of threads.
 */
import { axisOf, intAttr, intsAttr } from "../shapes.ts";
import { type GradRule, reshape, scalar, sizeOf } from "./rule.ts";

export const reduceGrad: GradRule = ({ g, node, dims, needs }, [dy]) => {
  const rest = node.inputs.slice(1).map(() => null);
  if (!needs[0]) return [null, ...rest];
  const x = node.inputs[0]!;
  const xd = dims(x);
  const axesConst = node.opType === "ReduceSum" && node.inputs[1]
    ? g.constant(node.inputs[1])
    : undefined;
  const raw = axesConst
    ? Array.from(axesConst.data as ArrayLike<number | bigint>, Number)
    : intsAttr(node, "axes");
  const axes = new Set((raw ?? xd.map((_, i) => i)).map((a) => axisOf(a, xd.length)));
  const kept = xd.map((d, i) => (axes.has(i) ? 1 : d)); // dy's dims with keepdims
  let d = intAttr(node, "keepdims", 1) === 1 ? dy! : reshape(g, dy!, kept);
  if (node.opType === "ReduceMean") {
    const n = [...axes].reduce((a, i) => a * xd[i]!, 1);
    d = g.op("Mul", [d, scalar(g, 1 / n)]);
  }
  return [g.op("Expand", [d, g.constInt64(xd)]), ...rest];
};

export const gatherGrad: GradRule = ({ g, node, dims, needs }, [dy]) => {
  if (!needs[0]) return [null, null];
  const [table, ids] = node.inputs as [string, string];
  const td = dims(table);
  if (axisOf(intAttr(node, "axis", 0), td.length) !== 0) {
    throw new RangeError("Cannot differentiate Gather along an axis other than 0");
  }
  const V = td[0]!;
  const M = sizeOf(dims(ids));
  const row = sizeOf(td.slice(1));
  const rangeV = g.initializer(g.fresh("range"), Int32Array.from({ length: V }, (_, i) => i), [V]);
  const flatIds = reshape(g, ids, [M, 1]);
  const idsI32 = g.op("Cast", [flatIds], { to: 6 }); // 6 = INT32, the range's type
  const onehot = g.op("Cast", [g.op("Equal", [idsI32, rangeV])], { to: 1 }); // [M, V] float
  const dE = g.op("Gemm", [onehot, reshape(g, dy!, [M, row])], { transA: 1 }); // [V, row]
  return [reshape(g, dE, td), null];
};
