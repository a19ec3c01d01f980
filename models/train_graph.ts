/**
 * A training graph: one ONNX model whose single session run is a whole forward and backward
 * pass. Inputs: "params" [P], every weight in one flat buffer (models/flat_params.ts), plus
 * the data inputs the `emit` callback declares. Outputs: "loss" [], "grad" [P] (dL/dparams in
 * the same layout) and any extra outputs `emit` names (metrics such as dR_theta).
 *
 * 1. params is split and reshaped into one value per weight, named as the spec, so the model's
 *    ONNX emitters (models/nn/) read them exactly as they read initializers at inference;
 * 2. `emit` adds the forward and the loss;
 * 3. models/onnx/grad/ appends dL/dw for every weight;
 * 4. the gradients are flattened and concatenated into "grad".
 * Shapes are static (built for one batch size), which the gradient rules rely on.
 */
import { ParamLayout } from "./flat_params.ts";
import type { ParamSpec } from "./nn/params.ts";
import { appendGradients } from "./onnx/grad/mod.ts";
import { OnnxGraph } from "./onnx/graph.ts";

export interface TrainingOutputs {
  /** The scalar loss value's name. */
  loss: string;
  /** Extra graph outputs: output name -> [value name, dims]. */
  outputs?: Record<string, [string, number[]]>;
}

export interface TrainingGraph {
  bytes: Uint8Array;
  layout: ParamLayout;
  /** Names of the extra outputs. */
  extras: string[];
}

export function trainingGraph(
  name: string,
  specs: readonly ParamSpec[],
  emit: (g: OnnxGraph) => TrainingOutputs,
): TrainingGraph {
  const layout = new ParamLayout(specs);
  const g = new OnnxGraph(name);
  // 1. one value per weight, from the flat buffer
  const flat = g.input("params", "float32", [layout.size]);
  const sizes = layout.names.map((_, i) => layout.offsets[i + 1]! - layout.offsets[i]!);
  const parts = g.node("Split", [flat, g.constInt64(sizes)], { axis: 0 }, sizes.length);
  layout.names.forEach((w, i) => {
    g.op("Reshape", [parts[i]!, g.constInt64([...layout.shapes[i]!])], {}, w);
  });
  // 2. forward and loss
  const { loss, outputs = {} } = emit(g);
  // 3. gradients
  const grads = appendGradients(g, loss, layout.names);
  // 4. one flat gradient
  const flatGrads = layout.names.map((w, i) =>
    g.op("Reshape", [grads.get(w)!, g.constInt64([sizes[i]!])])
  );
  g.output(g.op("Concat", flatGrads, { axis: 0 }), "grad", "float32", [layout.size]);
  g.output(loss, "loss", "float32", []);
  for (const [out, [value, dims]] of Object.entries(outputs)) {
    g.output(value, out, "float32", dims);
  }
  return { bytes: g.toBytes(), layout, extras: Object.keys(outputs) };
}
