import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../models/backend.ts";
import {
  denoisingError,
  denoisingErrorValues,
  implicitRewardGap,
  implicitRewardGaps,
} from "../../../stages/train/implicit_reward.ts";
import {
  checkLossKind,
  type LossKind,
  pairLoss,
  PAPER_LOSS_KINDS,
} from "../../../stages/train/losses.ts";
import { Rng } from "../../../lib/rng.ts";

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
const EXPECTED: Record<typeof PAPER_LOSS_KINDS[number], number> = {
  capo: 0.2178125,
  dpo: 0.7038046500,
  ipo: 1.0603125,
};

function chain(kind: typeof PAPER_LOSS_KINDS[number]) {
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

for (const kind of PAPER_LOSS_KINDS) {
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
  assert.throws(
    () => checkLossKind("kto"),
    /one of 'capo', 'dpo', 'ipo', 'capo_unbiased', 'ipo_unbiased': current value is "kto"/,
  );
  assert.equal(checkLossKind("ipo"), "ipo");
  assert.equal(checkLossKind("capo_unbiased"), "capo_unbiased");
});

// The unbiased products (issue #19, ours) on two estimates dR¹ = [0.5, -1], dR² = [0.1, 0.4],
// dR_ca = [0.3, 0.2]:
//   capo_unbiased: ((0.5 - 0.3)(0.1 - 0.3) + (-1 - 0.2)(0.4 - 0.2)) / 2 = (-0.04 - 0.24) / 2 = -0.14
//   ipo_unbiased:  ((0.5 - 1)(0.1 - 1) + (-1 - 1)(0.4 - 1)) / 2 = (0.45 + 1.2) / 2 = 0.825
function meanLoss2(kind: LossKind, d1: number[], d2: number[], dRca: number[]): number {
  return tf.tidy(() =>
    tf.mean(pairLoss(kind, tf.tensor1d(d1), tf.tensor1d(dRca), tf.tensor1d(d2))).dataSync()[0]!
  );
}

Deno.test("pairLoss('capo_unbiased') is (dR¹ - dR_ca)(dR² - dR_ca): -0.14 on the worked example", () => {
  close(meanLoss2("capo_unbiased", [0.5, -1], [0.1, 0.4], [0.3, 0.2]), -0.14);
  // with equal estimates it is CaPO's square
  close(meanLoss2("capo_unbiased", [0.5, -1], [0.5, -1], [0.3, 0.2]), 0.74);
});

Deno.test("pairLoss('ipo_unbiased') is (dR¹ - 1)(dR² - 1), ignoring dR_ca: 0.825 on the worked example", () => {
  close(meanLoss2("ipo_unbiased", [0.5, -1], [0.1, 0.4], [0.3, 0.2]), 0.825);
  close(meanLoss2("ipo_unbiased", [0.5, -1], [0.1, 0.4], [-0.9, 0.9]), 0.825);
});

Deno.test("the unbiased kinds need the second estimate", () => {
  assert.throws(
    () => tf.tidy(() => pairLoss("capo_unbiased", tf.zeros([2]), tf.zeros([2]))),
    /needs two independent estimates/,
  );
});

// A toy estimator with known mean and variance: dR = mu + sigma z, z ~ N(0, 1), mu = 0.7,
// sigma = 0.5, c = dR_ca = 0.3. (E[dR] - c)^2 = 0.16; CaPO's one-draw square has expectation
// 0.16 + sigma^2 = 0.41. The product of two independent draws has variance
// (E[(dR - c)^2])^2 - 0.16^2 = 0.41^2 - 0.0256 = 0.1425, so over n = 400,000 pairs its mean has
// a standard error of sqrt(0.1425 / n) = 6.0e-4; the test allows 5 of them.
Deno.test("capo_unbiased is unbiased for (E[dR] - c)^2 by Monte Carlo; capo is biased by Var(dR)", () => {
  const n = 400_000, mu = 0.7, sigma = 0.5, c = 0.3;
  const rng = new Rng(19);
  const draw = () => Float32Array.from(rng.normals(n), (z) => mu + sigma * z);
  const d1 = draw(), d2 = draw();
  const [unbiased, ipoUnbiased, capo] = tf.tidy(() => {
    const ca = tf.fill([n], c);
    const a = tf.tensor1d(d1), b = tf.tensor1d(d2);
    return [
      tf.mean(pairLoss("capo_unbiased", a, ca, b)).dataSync()[0]!,
      tf.mean(pairLoss("ipo_unbiased", a, ca, b)).dataSync()[0]!,
      tf.mean(pairLoss("capo", a, ca)).dataSync()[0]!,
    ];
  });
  const se = Math.sqrt((0.41 ** 2 - 0.16 ** 2) / n);
  close(unbiased, 0.16, 5 * se);
  // ipo_unbiased: (E[dR] - 1)^2 = 0.09; Var((a - 1)(b - 1)) = 0.34^2 - 0.09^2
  close(ipoUnbiased, 0.09, 5 * Math.sqrt((0.34 ** 2 - 0.09 ** 2) / n));
  // the one-draw square: 0.41 (sd of (dR - c)^2 is sqrt(2 sigma^4 + 4 sigma^2 0.16) = 0.5745)
  close(capo, 0.41, 5 * 0.5745 / Math.sqrt(n));
});

// K draws: the worked example's draw (rows 0-3, w [1, 0.5]) and a second draw (rows 4-7) with
// err_theta [0.05, 0.02, 0.07, 0.025], err_ref as draw 1's, w [0.5, 1]:
//   h = [0.04 - 0.05, 0.03 - 0.02, 0.05 - 0.07, 0.1 - 0.025] = [-0.01, 0.01, -0.02, 0.075]
//   h+ - h- = [-0.01 + 0.02, 0.01 - 0.075] = [0.01, -0.065]
//   draw 2's dR = 10 [0.5 * 0.01, 1 * -0.065] = [0.05, -0.65]
//   K = 2, one estimate: ([-0.2, 0.175] + [0.05, -0.65]) / 2 = [-0.075, -0.2375]
//   K = 1, two estimates: [-0.2, 0.175] and [0.05, -0.65]
Deno.test("implicitRewardGaps() averages K draws per estimate; D = 1 is implicitRewardGap", () => {
  const err = [0.05, 0.02, 0.04, 0.125, 0.05, 0.02, 0.07, 0.025];
  const gaps = (K: number, G: number) =>
    tf.tidy(() =>
      implicitRewardGaps(
        tf.tensor1d(err),
        tf.tensor1d([...ERR_REF, ...ERR_REF]),
        tf.tensor1d([1, 0.5, 0.5, 1]),
        10,
        K,
        G,
      ).map((t) => [...t.dataSync()])
    );
  const k2 = gaps(2, 1);
  assert.equal(k2.length, 1);
  close(k2[0]![0]!, -0.075);
  close(k2[0]![1]!, -0.2375);
  const g2 = gaps(1, 2);
  [-0.2, 0.175].forEach((v, i) => close(g2[0]![i]!, v));
  [0.05, -0.65].forEach((v, i) => close(g2[1]![i]!, v));
  const one = tf.tidy(() =>
    implicitRewardGaps(tf.tensor1d(err.slice(0, 4)), tf.tensor1d(ERR_REF), tf.tensor1d(W), 10, 1, 1)
      .map((t) => [...t.dataSync()])
  );
  [-0.2, 0.175].forEach((v, i) => close(one[0]![i]!, v));
});
