/**
 * The reverse-mode rule of every ONNX op the capo graphs differentiate through: one switch
 * over a closed set, each family in its own file. An op reached by a gradient without a rule
 * is an error naming it (models/onnx/grad/backprop.ts), never a silent zero.
 */
import { addGrad, divGrad, mulGrad, powGrad, subGrad, sumGrad } from "./elementwise.ts";
import { gatherGrad, reduceGrad } from "./gather_reduce.ts";
import { gemmGrad, matMulGrad } from "./matmul.ts";
import { layerNormGrad, softmaxGrad } from "./normalize.ts";
import type { GradRule } from "./rule.ts";
import {
  concatGrad,
  expandGrad,
  reshapeGrad,
  sliceGrad,
  splitGrad,
  transposeGrad,
} from "./shape_ops.ts";
import {
  erfGrad,
  expGrad,
  identityGrad,
  logGrad,
  negGrad,
  reciprocalGrad,
  reluGrad,
  sigmoidGrad,
  softplusGrad,
  sqrtGrad,
  tanhGrad,
} from "./unary.ts";

export const GRAD_RULES: Readonly<Record<string, GradRule>> = {
  MatMul: matMulGrad,
  Gemm: gemmGrad,
  Add: addGrad,
  Sub: subGrad,
  Mul: mulGrad,
  Div: divGrad,
  Pow: powGrad,
  Sum: sumGrad,
  Identity: identityGrad,
  Neg: negGrad,
  Sigmoid: sigmoidGrad,
  Tanh: tanhGrad,
  Erf: erfGrad,
  Softplus: softplusGrad,
  Exp: expGrad,
  Log: logGrad,
  Sqrt: sqrtGrad,
  Reciprocal: reciprocalGrad,
  Relu: reluGrad,
  Softmax: softmaxGrad,
  LayerNormalization: layerNormGrad,
  Reshape: reshapeGrad,
  Flatten: reshapeGrad,
  Squeeze: reshapeGrad,
  Unsqueeze: reshapeGrad,
  Transpose: transposeGrad,
  Expand: expandGrad,
  Concat: concatGrad,
  Split: splitGrad,
  Slice: sliceGrad,
  ReduceSum: reduceGrad,
  ReduceMean: reduceGrad,
  Gather: gatherGrad,
};
