/**
 * Each reverse-mode rule of models/onnx/grad/ against tfjs autodiff, on ops and cases the
 * denoiser's graph does not reach (its own are covered by grad_parity.ts): every Gemm transpose,
 * batch broadcasting in MatMul, Slice, Concat, Split with an unused output, the unary family,
 * Div and Pow with broadcasting, reductions with and without keepdims, Expand, Transpose.
 * Loss: sum(y * R) for a fixed random R, so dL/dy = R reaches every element.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../models/backend.ts";
import type { ParamSpec } from "../../../models/nn/params.ts";
import type { OnnxGraph } from "../../../models/onnx/graph.ts";
import { OrtTrainSession } from "../../../models/ort_train_session.ts";
import { trainingGraph } from "../../../models/train_graph.ts";
import { Rng } from "../../../lib/rng.ts";
import { assertGradientsMatch } from "../_grad_compare.ts";

await initBackend();

interface Case {
  name: string;
  /** Trained inputs: name -> [dims, positive values only]. */
  inputs: Record<string, [number[], boolean?]>;
  onnx: (g: OnnxGraph) => string;
  tfjs: (x: Record<string, tf.Tensor>) => tf.Tensor;
}

const gemm = (tA: number, tB: number): Case => ({
  name: `Gemm transA ${tA} transB ${tB}, alpha and beta, broadcast C`,
  inputs: { a: [tA ? [4, 3] : [3, 4]], b: [tB ? [5, 4] : [4, 5]], c: [[5]] },
  onnx: (g) =>
    g.op("Gemm", ["a", "b", "c"], {
      transA: tA,
      transB: tB,
      alpha: { float: 0.7 },
      beta: { float: 1.3 },
    }),
  tfjs: ({ a, b, c }) => tf.add(tf.mul(tf.matMul(a!, b!, !!tA, !!tB), 0.7), tf.mul(c!, 1.3)),
});

const unary = (op: string, f: (x: tf.Tensor) => tf.Tensor, positive = false): Case => ({
  name: op,
  inputs: { x: [[3, 4], positive] },
  onnx: (g) => g.op(op, ["x"]),
  tfjs: ({ x }) => f(x!),
});

const CASES: Case[] = [
  gemm(0, 0),
  gemm(0, 1),
  gemm(1, 0),
  gemm(1, 1),
  {
    name: "MatMul with both operands batched",
    inputs: { a: [[2, 3, 4]], b: [[2, 4, 5]] },
    onnx: (g) => g.op("MatMul", ["a", "b"]),
    tfjs: ({ a, b }) => tf.matMul(a!, b!),
  },
  {
    name: "MatMul broadcasting a rank-2 first operand over a batch",
    inputs: { a: [[3, 4]], b: [[2, 4, 5]] },
    onnx: (g) => g.op("MatMul", ["a", "b"]),
    tfjs: ({ a, b }) => tf.matMul(tf.stack([a!, a!]), b!),
  },
  {
    name: "Slice on two axes",
    inputs: { x: [[4, 6]] },
    onnx: (g) =>
      g.op("Slice", ["x", g.constInt64([1, 2]), g.constInt64([3, 5]), g.constInt64([0, 1])]),
    tfjs: ({ x }) => tf.slice(x!, [1, 2], [2, 3]),
  },
  {
    name: "Concat along axis 1",
    inputs: { a: [[2, 3]], b: [[2, 4]] },
    onnx: (g) => g.op("Concat", ["a", "b"], { axis: 1 }),
    tfjs: ({ a, b }) => tf.concat([a!, b!], 1),
  },
  {
    name: "Split with only its second output used",
    inputs: { x: [[2, 7]] },
    onnx: (g) => g.node("Split", ["x", g.constInt64([3, 4])], { axis: 1 }, 2)[1]!,
    tfjs: ({ x }) => tf.slice(x!, [0, 3], [2, 4]),
  },
  unary("Tanh", tf.tanh),
  unary("Erf", tf.erf),
  unary("Sigmoid", tf.sigmoid),
  unary("Softplus", tf.softplus),
  unary("Exp", tf.exp),
  unary("Neg", tf.neg),
  unary("Relu", tf.relu),
  unary("Log", tf.log, true),
  unary("Sqrt", tf.sqrt, true),
  unary("Reciprocal", tf.reciprocal, true),
  {
    name: "Div with a broadcast divisor",
    inputs: { a: [[3, 4]], b: [[4], true] },
    onnx: (g) => g.op("Div", ["a", "b"]),
    tfjs: ({ a, b }) => tf.div(a!, b!),
  },
  {
    name: "Sub and Mul broadcasting both ways",
    inputs: { a: [[3, 1]], b: [[1, 4]] },
    onnx: (g) => g.op("Mul", [g.op("Sub", ["a", "b"]), "a"]),
    tfjs: ({ a, b }) => tf.mul(tf.sub(a!, b!), a!),
  },
  {
    name: "Pow with a constant exponent",
    inputs: { x: [[3, 4], true] },
    onnx: (g) => g.op("Pow", ["x", g.constFloat([3], [])]),
    tfjs: ({ x }) => tf.pow(x!, 3),
  },
  {
    name: "ReduceSum without keepdims and ReduceMean with",
    inputs: { x: [[3, 4, 2]] },
    onnx: (g) =>
      g.op("Mul", [
        g.op("ReduceSum", ["x", g.constInt64([1])], { keepdims: 0 }),
        g.op("ReduceMean", ["x"], { axes: [0, 1], keepdims: 1 }),
      ]),
    tfjs: ({ x }) => tf.mul(tf.sum(x!, 1), tf.mean(x!, [0, 1], true).reshape([1, 2])),
  },
  {
    name: "Expand and Transpose",
    inputs: { x: [[3, 1, 2]] },
    onnx: (g) =>
      g.op("Transpose", [g.op("Expand", ["x", g.constInt64([3, 4, 2])])], { perm: [2, 0, 1] }),
    tfjs: ({ x }) => tf.transpose(tf.tile(x!, [1, 4, 1]), [2, 0, 1]),
  },
  {
    name: "Softmax along axis 0",
    inputs: { x: [[3, 4]] },
    onnx: (g) => g.op("Softmax", ["x"], { axis: 0 }),
    tfjs: ({ x }) => tf.transpose(tf.softmax(tf.transpose(x!))),
  },
];

for (const c of CASES) {
  Deno.test(`the ${c.name} gradient matches tfjs autodiff`, async () => {
    const rng = new Rng(c.name.length);
    const specs: ParamSpec[] = Object.entries(c.inputs).map(([name, [shape]]) => ({
      name,
      shape,
      init: { kind: "zeros" },
      decay: false,
    }));
    const values = new Map(
      Object.entries(c.inputs).map(([name, [shape, positive]]) => {
        const v = rng.normals(shape.reduce((a, b) => a * b, 1));
        if (positive) { for (let i = 0; i < v.length; i++) v[i] = 0.5 + Math.abs(v[i]!); }
        return [name, v];
      }),
    );
    // 1. onnxruntime: loss = sum(y * R)
    let R: Float32Array = new Float32Array(0), dims: number[] = [];
    const graph = trainingGraph(`rule_${c.name}`, specs, (g) => {
      const y = c.onnx(g);
      const tfY = tf.tidy(() => c.tfjs(tensorsOf(values, specs)));
      dims = tfY.shape;
      tfY.dispose();
      R = rng.normals(dims.reduce((a, b) => a * b, 1));
      const loss = g.op("ReduceSum", [g.op("Mul", [y, g.constFloat(R, dims)])], { keepdims: 0 });
      return { loss };
    });
    const session = await OrtTrainSession.create(graph, { threads: 1 });
    const got = await session.run(graph.layout.pack(values), {});
    await session.release();
    // 2. tfjs
    const vars = tensorsOf(values, specs);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(c.tfjs(vars), tf.tensor(R, dims))) as tf.Scalar,
      Object.values(vars) as tf.Variable[],
    );
    const expected = new Map(
      Object.entries(vars).map(([k, v]) => [k, grads[v.name]!.dataSync() as Float32Array]),
    );
    tf.dispose([...Object.values(grads), ...Object.values(vars)]);
    assertGradientsMatch(graph.layout.unpack(got.grad), expected, c.name);
  });
}

function tensorsOf(
  values: ReadonlyMap<string, Float32Array>,
  specs: readonly ParamSpec[],
): Record<string, tf.Variable> {
  return Object.fromEntries(
    specs.map((s) => [s.name, tf.variable(tf.tensor(values.get(s.name)!, s.shape))]),
  );
}

Deno.test("an op without a reverse-mode rule on a weight's path is an error naming it", () => {
  const spec: ParamSpec = { name: "w", shape: [3], init: { kind: "zeros" }, decay: false };
  assert.throws(
    () =>
      trainingGraph("no_rule", [spec], (g) => ({
        loss: g.op("ReduceSum", [g.op("Cos", ["w"])], { keepdims: 0 }),
      })),
    /Cannot differentiate ONNX op Cos .*no reverse-mode rule/,
  );
});
