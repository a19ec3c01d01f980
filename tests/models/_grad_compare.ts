/**
 * Per-tensor comparison of two gradients (onnxruntime's against tfjs autodiff).
 *
 * rel(w) = ||g_ort(w) - g_tfjs(w)|| / max(||g_tfjs(w)||, FLOOR * ||g_tfjs||_all)
 * The floor only matters for tensors whose true gradient is zero: the keys' biases of every
 * attention (softmax ignores a constant added to all logits of a query, so dL/db_k = 0
 * exactly), where both runtimes return rounding noise of ~1e-9.
 * Also the random batches and the tfjs side of the parity tests.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { imageValues, type ModelConfig } from "../../models/config.ts";
import { denoiserForward, denoiserSpecs } from "../../models/denoiser.ts";
import { Rng } from "../../lib/rng.ts";
import { TINY_VOCAB } from "./_tiny.ts";

export const GRAD_TOLERANCE = 1e-4;
const FLOOR = 1e-3;

const norm = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
};

/** rel(w) for every tensor of `expected`, worst first. */
export function gradientDiffs(
  got: ReadonlyMap<string, Float32Array>,
  expected: ReadonlyMap<string, Float32Array>,
): { name: string; rel: number }[] {
  const all = norm(Float32Array.from([...expected.values()].map((v) => norm(v))));
  const out: { name: string; rel: number }[] = [];
  for (const [name, b] of expected) {
    const a = got.get(name);
    assert.ok(a && a.length === b.length, `gradient of '${name}' missing or mis-sized`);
    let d = 0;
    for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2;
    out.push({ name, rel: Math.sqrt(d) / Math.max(norm(b), FLOOR * all) });
  }
  return out.sort((x, y) => y.rel - x.rel);
}

/** Asserts every tensor's rel(w) <= GRAD_TOLERANCE; returns the worst for the test's log. */
export function assertGradientsMatch(
  got: ReadonlyMap<string, Float32Array>,
  expected: ReadonlyMap<string, Float32Array>,
  what: string,
): { name: string; rel: number } {
  const diffs = gradientDiffs(got, expected);
  const bad = diffs.filter((d) => !(d.rel <= GRAD_TOLERANCE));
  assert.deepEqual(
    bad.map((d) => `${d.name}: ${d.rel.toExponential(2)}`),
    [],
    `${what}: gradients differ by more than ${GRAD_TOLERANCE} (relative)`,
  );
  return diffs[0]!;
}

/** A batch of B random inputs: x_t, t spread over (0, 1), tokens, target and weights. */
export function randomBatch(cfg: ModelConfig, B: number, seed: number) {
  const rng = new Rng(seed);
  return {
    x: rng.normals(B * imageValues(cfg)),
    t: Float32Array.from({ length: B }, (_, i) => (i + 0.5) / B),
    tokens: Int32Array.from(
      { length: B * cfg.maxTokens },
      () => rng.int(TINY_VOCAB.length + 3),
    ),
    target: rng.normals(B * imageValues(cfg)),
    weight: Float32Array.from({ length: B }, () => 0.2 + rng.next()),
  };
}

/** tfjs autodiff of f(prediction) over every weight: the loss and the named gradients. */
export function tfjsGradients(
  cfg: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
  x: Float32Array,
  t: Float32Array,
  tokens: Int32Array,
  loss: (prediction: tf.Tensor) => tf.Scalar,
): { loss: number; grads: Map<string, Float32Array> } {
  const B = t.length, S = cfg.imageSize;
  const vars = new Map(
    denoiserSpecs(cfg).map((s) => [s.name, tf.variable(tf.tensor(weights.get(s.name)!, s.shape))]),
  );
  const { value, grads } = tf.variableGrads(() =>
    loss(
      denoiserForward(
        cfg,
        vars,
        tf.tensor(x, [B, S, S, cfg.channels]),
        tf.tensor(t, [B]),
        tf.tensor(tokens, [B, cfg.maxTokens], "int32"),
      ),
    ), [...vars.values()]);
  const named = new Map([...vars].map(([k, v]) => [k, grads[v.name]!.dataSync() as Float32Array]));
  const out = { loss: value.dataSync()[0]!, grads: named };
  tf.dispose([value, ...Object.values(grads), ...vars.values()]);
  return out;
}
