import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../models/backend.ts";
import { learningRate, objectiveLoss } from "../../../models/rewards/trainer.ts";

await initBackend();

const close = (a: number, b: number, eps = 1e-5) =>
  assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);
const softplus = (z: number) => Math.log1p(Math.exp(z));
const value = (t: tf.Scalar) => t.dataSync()[0]!;

Deno.test("objectiveLoss(regression) is the mean squared error", () => {
  const l = tf.tidy(() =>
    value(objectiveLoss("regression", tf.tensor([1, 0.5, 0]), tf.tensor([1, 0, 1])))
  );
  close(l, (0 + 0.25 + 1) / 3);
});

Deno.test("objectiveLoss(binary) is the cross-entropy of sigmoid(logit)", () => {
  const s = [2, -1, 0.5], y = [1, 0, 0];
  const want = (-Math.log(1 / (1 + Math.exp(-2))) - Math.log(1 - 1 / (1 + Math.exp(1))) -
    Math.log(1 - 1 / (1 + Math.exp(-0.5)))) / 3;
  close(tf.tidy(() => value(objectiveLoss("binary", tf.tensor(s), tf.tensor(y)))), want);
});

Deno.test("objectiveLoss(bradley_terry) averages -log sigmoid(winner - loser) over judged pairs only", () => {
  // one group of k = 3 with scores [1, 0, 3]; judged pairs (0,1): 0 preferred, (0,2): 2
  // preferred, (1,2): 1 preferred; the lower triangle is unjudged and must not count.
  const s = tf.tensor([1, 0, 3]);
  const Y = tf.tensor([0, 1, 0, 1, 0, 1, 1, 1, 0], [1, 3, 3]);
  const M = tf.tensor([0, 1, 1, 0, 0, 1, 0, 0, 0], [1, 3, 3]);
  // d01 = 1 (y 1), d02 = -2 (y 0), d12 = -3 (y 1)
  const want = (softplus(-1) + softplus(-2) + softplus(3)) / 3;
  close(tf.tidy(() => value(objectiveLoss("bradley_terry", s, Y, M))), want);
  assert.throws(() => objectiveLoss("bradley_terry", s, Y, null), /pair mask is missing/);
});

Deno.test("learningRate() warms up linearly, then decays by cosine to the floor", () => {
  const t = {
    seed: 0,
    steps: 110,
    batchSize: 8,
    groupSize: 1,
    lr: 1e-3,
    warmupSteps: 10,
    finalLrFraction: 0.1,
    weightDecay: 0,
    gradClip: 0,
    curriculumSteps: 0,
  };
  close(learningRate(t, 0), 1e-4, 1e-12);
  close(learningRate(t, 9), 1e-3, 1e-12);
  close(learningRate(t, 10), 1e-3, 1e-12);
  close(learningRate(t, 60), 1e-4 + 0.9e-3 * 0.5, 1e-12);
  close(learningRate(t, 110), 1e-4, 1e-12);
});
