/**
 * Named parameter tensors: the one description of a model's weights.
 *
 * A model is a list of `ParamSpec`s (name, shape, initialiser) derived from its config, and
 * forward/emit functions that read weights by those names. tfjs trains a `Map` of Variables
 * built from the specs; the ONNX exporter writes the same names as initializers; safetensors
 * files store them under the same names. Names follow PyTorch's dotted convention
 * (`blocks.0.attn.qkv.weight`) so a PyTorch user can map them.
 *
 * Linear weights are stored [in, out] (x @ W), not PyTorch's [out, in]; recorded in the
 * safetensors metadata as `"linear_layout": "in_out"`.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../lib/rng.ts";

/** How a parameter starts. `xavier` is Glorot-uniform over the first (in) and last (out) dim. */
export type Init =
  | { kind: "zeros" }
  | { kind: "ones" }
  | { kind: "normal"; std: number }
  | { kind: "xavier" }
  | { kind: "values"; values: Float32Array };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  /** Whether AdamW applies weight decay (matrices yes; biases, norms, embeddings' pos no). */
  decay: boolean;
}

/** Weights read by name during a forward pass (Variables while training, tensors otherwise). */
export type Weights = ReadonlyMap<string, tf.Tensor>;

/** What an ONNX emitter needs to know about the weights: which names exist (e.g. biases). */
export interface WeightNames {
  has(name: string): boolean;
}

/** Read a weight, failing with the missing name (a typo in a layer must not pass silently). */
export function weight(w: Weights, name: string): tf.Tensor {
  const t = w.get(name);
  if (!t) throw new RangeError(`Cannot read weight '${name}': no such parameter`);
  return t;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Initial values for every spec, drawn from `rng` in spec order (so a seed fixes them). */
export function initValues(specs: readonly ParamSpec[], rng: Rng): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const s of specs) {
    const n = sizeOf(s.shape);
    let v: Float32Array;
    switch (s.init.kind) {
      case "zeros":
        v = new Float32Array(n);
        break;
      case "ones":
        v = new Float32Array(n).fill(1);
        break;
      case "normal": {
        v = rng.normals(n);
        for (let i = 0; i < n; i++) v[i]! *= s.init.std;
        break;
      }
      case "xavier": {
        const fanIn = s.shape[0]!;
        const fanOut = s.shape[s.shape.length - 1]!;
        const a = Math.sqrt(6 / (fanIn + fanOut));
        v = new Float32Array(n);
        for (let i = 0; i < n; i++) v[i] = rng.uniform(-a, a);
        break;
      }
      case "values":
        if (s.init.values.length !== n) {
          throw new RangeError(
            `Cannot initialise '${s.name}' as its values must have length ${n}: ` +
              `current value is ${s.init.values.length}`,
          );
        }
        v = s.init.values.slice();
        break;
    }
    out.set(s.name, v);
  }
  return out;
}

/** tfjs Variables holding `values`, shaped by `specs`. */
export function toVariables(
  specs: readonly ParamSpec[],
  values: ReadonlyMap<string, Float32Array>,
  trainable = true,
): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const s of specs) {
    const v = values.get(s.name);
    if (!v) throw new RangeError(`Cannot build variable '${s.name}': no values given`);
    // Unnamed: tfjs variable names are global, and several models may coexist (policy, reference).
    out.set(s.name, tf.variable(tf.tensor(v, s.shape, "float32"), trainable));
  }
  return out;
}

/** Read Variables/tensors back to Float32Arrays (a copy). */
export function readValues(w: Weights): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [k, t] of w) out.set(k, t.dataSync() as Float32Array);
  return out;
}

/** Total number of scalars. */
export function countParams(specs: readonly ParamSpec[]): number {
  return specs.reduce((a, s) => a + sizeOf(s.shape), 0);
}
