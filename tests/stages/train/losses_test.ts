import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../models/backend.ts";
import {
  denoisingError,
  denoisingErrorValues,
  implicitRewardGap,
} from "../../../stages/train/implicit_reward.ts";
import {
  checkLossKind,
  LOSS_KINDS,
  type LossKind,
  pairLoss,
} from "../../../stages/train/losses.ts";

await initBackend();

const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} is not within ${tol} of ${b}`);

function meanLoss(kind: LossKind, dR: number[], dRca: number[]): number {
  return tf.tidy(() => tf.mean(pairLoss(kind, tf.tensor1d(dR), tf.tensor1d(dRca))).dataSync()[0]!);
}

// dR_theta = [0.5, -1], dR_ca = [0.3, 0.2]:
//   capo: ((0.5 - 0.3)^2 + (-1 - 0.2)^2) / 2 = (0.04 + 1.44) / 2 = 0.74
//   dpo:  (log(1 + e^-0.5) + log(1 + e^1)) / 2 = (0.4740770 + 1.3132617) / 2 = 0.8936693
//   ipo:  ((0.5 - 1)^2 + (-1 - 1)^2) / 2 = (0.25 + 4) / 2 = 2.125
Deno.test("pairLoss('capo') is (dR_theta - dR_ca)^2, averaged: 0.74 on the worked example", () => {
  close(meanLoss("capo", [0.5, -1], [0.3, 0.2]), 0.74);
});

Deno.test("pairLoss('dpo') is -log sigmoid(dR_theta), averaged: 0.8936693 on the worked example", () => {
  close(meanLoss("dpo", [0.5, -1], [0.3, 0.2]), 0.8936693358);
});

Deno.test("pairLoss('ipo') is (dR_theta - 1)^2, ignoring dR_ca: 2.125 on the worked example", () => {
  close(meanLoss("ipo", [0.5, -1], [0.3, 0.2]), 2.125);
  close(meanLoss("ipo", [0.5, -1], [-0.9, 0.9]), 2.125);
});

Deno.test("pairLoss('dpo') stays finite for large implicit gaps", () => {
  close(meanLoss("dpo", [-200], [0]), 200, 1e-3);
  close(meanLoss("dpo", [200], [0]), 0, 1e-6);
});

// The whole chain on 2 pairs of 2-value images ([N, 1, 1, 2], winners rows 0-1, losers 2-3):
//   pred   w1 [0.1, 0.3]  w2 [0, 0]     l1 [0.2, -0.2]  l2 [0.5, 0.5]
//   target w1 [0, 0]      w2 [0.2, 0]   l1 [0, 0]       l2 [0, 0.5]
//   err_theta = mean sq: w1 (0.01 + 0.09)/2 = 0.05, w2 0.04/2 = 0.02, l1 0.08/2 = 0.04,
//               l2 0.25/2 = 0.125
//   err_ref = [0.04, 0.03, 0.05, 0.1]
//   h = err_ref - err_theta = [-0.01, 0.01, 0.01, -0.025]
//   h+ - h- = [-0.01 - 0.01, 0.01 + 0.025] = [-0.02, 0.035]
//   beta = 10, w = [1, 0.5]: dR_theta = [-0.2, 0.175];  dR_ca = [0.4, -0.1]
//   capo ((-0.6)^2 + 0.275^2) / 2 = (0.36 + 0.075625) / 2 = 0.2178125
//   dpo  (log(1 + e^0.2) + log(1 + e^-0.175)) / 2 = (0.7981389 + 0.6094705) / 2 = 0.7038047
//   ipo  ((-1.2)^2 + (-0.825)^2) / 2 = (1.44 + 0.680625) / 2 = 1.0603125
const PRED = [0.1, 0.3, 0, 0, 0.2, -0.2, 0.5, 0.5];
const TARGET = [0, 0, 0.2, 0, 0, 0, 0, 0.5];
const ERR_REF = [0.04, 0.03, 0.05, 0.1];
const W = [1, 0.5];
const DR_CA = [0.4, -0.1];
const EXPECTED: Record<LossKind, number> = {
  capo: 0.2178125,
  dpo: 0.7038046500,
  ipo: 1.0603125,
};

function chain(kind: LossKind) {
  return tf.tidy(() => {
    const err = denoisingError(tf.tensor4d(PRED, [4, 1, 1, 2]), tf.tensor4d(TARGET, [4, 1, 1, 2]));
    const dR = implicitRewardGap(err, tf.tensor1d(ERR_REF), tf.tensor1d(W), 10);
    return {
      err: [...err.dataSync()],
      dR: [...dR.dataSync()],
      loss: tf.mean(pairLoss(kind, dR, tf.tensor1d(DR_CA))).dataSync()[0]!,
    };
  });
}

for (const kind of LOSS_KINDS) {
  Deno.test(`the ${kind} loss of the worked 2-pair example is ${EXPECTED[kind]}`, () => {
    const r = chain(kind);
    [0.05, 0.02, 0.04, 0.125].forEach((v, i) => close(r.err[i]!, v));
    close(r.dR[0]!, -0.2);
    close(r.dR[1]!, 0.175);
    close(r.loss, EXPECTED[kind]);
  });
}

// Gradient of the capo loss with respect to err_theta on the example:
//   dL/d dR_j = 2 (dR_j - dR_ca_j) / B = [-0.6, 0.275];  d dR_j / d err_theta(x+_j) = -beta w_j
//   d err(x+_1) = -0.6 * -10 = 6, d err(x+_2) = 0.275 * -5 = -1.375, the losers the negatives.
// dpo: dL/d dR_j = -sigmoid(-dR_j) / B = [-0.2749170, -0.2281807]
//   d err(x+_1) = 2.7491699, d err(x+_2) = 1.1409033
Deno.test("the gradient flows into err_theta with the hand-computed values (capo, dpo)", () => {
  const grad = (kind: LossKind) =>
    tf.tidy(() => {
      const g = tf.grad((e: tf.Tensor) =>
        tf.mean(pairLoss(
          kind,
          implicitRewardGap(e, tf.tensor1d(ERR_REF), tf.tensor1d(W), 10),
          tf.tensor1d(DR_CA),
        ))
      );
      return [...g(tf.tensor1d([0.05, 0.02, 0.04, 0.125])).dataSync()];
    });
  const capo = grad("capo");
  [6, -1.375, -6, 1.375].forEach((v, i) => close(capo[i]!, v, 1e-5));
  const dpo = grad("dpo");
  [2.7491700, 1.1409033, -2.7491700, -1.1409033].forEach((v, i) => close(dpo[i]!, v, 1e-5));
});

Deno.test("denoisingErrorValues() equals the tensor version on flat arrays", () => {
  const v = denoisingErrorValues(Float32Array.from(PRED), Float32Array.from(TARGET), 4);
  [0.05, 0.02, 0.04, 0.125].forEach((x, i) => close(v[i]!, x));
  assert.throws(
    () => denoisingErrorValues(new Float32Array(8), new Float32Array(6), 4),
    /current lengths are 8 and 6/,
  );
});

Deno.test("implicitRewardGap() rejects err tensors that are not 2B long", () => {
  assert.throws(
    () => tf.tidy(() => implicitRewardGap(tf.zeros([3]), tf.zeros([4]), tf.ones([2]), 1)),
    /must have 4 rows/,
  );
});

Deno.test("an unknown loss kind is rejected with the allowed values", () => {
  assert.throws(() => checkLossKind("kto"), /one of 'capo', 'dpo', 'ipo': current value is "kto"/);
  assert.equal(checkLossKind("ipo"), "ipo");
});
