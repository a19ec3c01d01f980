import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { OnnxGraph } from "../../../models/onnx/graph.ts";

Deno.test("OnnxGraph builds a model onnxruntime runs (MatMul, Add, LayerNormalization)", async () => {
  const g = new OnnxGraph("tiny");
  const x = g.input("x", "float32", ["batch", 2]);
  g.initializer("w", Float32Array.from([1, 2, 3, 4]), [2, 2]);
  const y = g.op("Add", [g.op("MatMul", [x, "w"]), g.constFloat([10, 20])]);
  const n = g.op("LayerNormalization", [y, g.constFloat([1, 1]), g.constFloat([0, 0])], {
    axis: -1,
    epsilon: { float: 1e-5 },
  });
  g.output(y, "y", "float32", ["batch", 2]);
  g.output(n, "n", "float32", ["batch", 2]);
  const s = await ort.InferenceSession.create(g.toBytes());
  const out = await s.run({
    x: new ort.Tensor("float32", Float32Array.from([1, 1, 0, 2]), [2, 2]),
  });
  assert.deepEqual([...(out.y!.data as Float32Array)], [14, 26, 16, 28]);
  const nv = [...(out.n!.data as Float32Array)];
  assert.ok(Math.abs(nv[0]! + 1) < 1e-3 && Math.abs(nv[1]! - 1) < 1e-3, `${nv}`);
  await s.release();
});

Deno.test("OnnxGraph rejects a reused name and a mis-sized initializer, naming them", () => {
  const g = new OnnxGraph("g");
  g.input("x", "float32", [1]);
  assert.throws(
    () => g.initializer("x", new Float32Array(1), [1]),
    /initializer 'x' .* name already used/,
  );
  assert.throws(() => g.initializer("w", new Float32Array(3), [2, 2]), /'w' .* current value is 3/);
  assert.throws(() => g.op("Softmax", ["x"], { axis: 0.5 }), /Cannot encode attribute 'axis'/);
});
