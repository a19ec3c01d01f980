import assert from "node:assert/strict";
import {
  backwardShare,
  implicitAccuracy,
  pearson,
  probeMetrics,
} from "../../../stages/train/metrics.ts";

Deno.test("implicit accuracy is the share of pairs with dR_theta > 0 (0 counts as wrong)", () => {
  assert.equal(implicitAccuracy([0.3, -0.1, 0, 2]), 0.5);
  assert.ok(Number.isNaN(implicitAccuracy([])));
});

// x = [1, 2, 3, 4], y = [2, 1, 4, 3]: dx = [-1.5, -0.5, 0.5, 1.5], dy = [-0.5, -1.5, 1.5, 0.5]
// sxy = 0.75 + 0.75 + 0.75 + 0.75 = 3, sxx = syy = 5, r = 3 / 5 = 0.6
Deno.test("pearson() matches the hand-computed r = 0.6", () => {
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [2, 1, 4, 3]) - 0.6) < 1e-12);
  assert.ok(Math.abs(pearson([1, 2, 3], [-2, -4, -6]) + 1) < 1e-12);
});

Deno.test("pearson() is NaN without variance and rejects unequal lengths", () => {
  assert.ok(Number.isNaN(pearson([0, 0, 0], [1, 2, 3])));
  assert.ok(Number.isNaN(pearson([1], [1])));
  assert.throws(() => pearson([1, 2], [1]), /current lengths are 2 and 1/);
});

// dR = [0.5, 0.1, -0.2, 0.3], dR_ca = [0.3, 0.2, -0.4, 0]:
//   capo: dR - c = [0.2, -0.1, 0.2, 0.3]; sign(c) = [+, +, -, 0]: pair 1 overshoots (backwards),
//         pair 2 is short (forwards), pair 3 (c < 0, dR - c > 0) forwards, c = 0 never: 1/4
//   ipo (c = 1): dR - 1 < 0 for all: 0;  dpo: 0
//   capo_unbiased with dR² = [0.2, 0.3, -0.5, 0.3]: weight on estimate 1 is dR² - c =
//         [-0.1, 0.1, -0.1, 0.3] (pair 2 backwards, pair 3 backwards: sign -0.1 = sign -0.4),
//         on estimate 2 dR¹ - c = [0.2, -0.1, 0.2, 0.3] (pair 1): 3 of 8 weights
Deno.test("backwardShare() counts the loss weights whose sign pushes a pair backwards", () => {
  const dR = [0.5, 0.1, -0.2, 0.3], c = [0.3, 0.2, -0.4, 0];
  assert.equal(backwardShare("capo", [dR], c), 0.25);
  assert.equal(backwardShare("ipo", [dR], c), 0);
  assert.equal(backwardShare("dpo", [dR], c), 0);
  assert.equal(backwardShare("capo_unbiased", [dR, [0.2, 0.3, -0.5, 0.3]], c), 3 / 8);
  assert.equal(backwardShare("ipo_unbiased", [[2, 0], [0, 3]], [0, 0]), 0.5);
  assert.equal(backwardShare("capo", [[]], []), null);
});

// dR¹ = [0.5, 0.1], dR² = [0.3, 0.4], c = [0.2, 0.2]:
//   var   = ((0.2)^2 / 2 + (-0.3)^2 / 2) / 2 = (0.02 + 0.045) / 2 = 0.0325
//   bias2 = ((0.3)(0.1) + (-0.1)(0.2)) / 2 = (0.03 - 0.02) / 2 = 0.005
//   sq    = ((0.09 + 0.01) / 2 + (0.01 + 0.04) / 2) / 2 = (0.05 + 0.025) / 2 = 0.0375 = bias2 + var
Deno.test("probeMetrics() splits the one-estimate squared loss into bias^2 + variance", () => {
  const m = probeMetrics("capo", [0.5, 0.1], [0.3, 0.4], [0.2, 0.2], performance.now());
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(m.probe_var, 0.0325);
  close(m.probe_bias2!, 0.005);
  close(m.probe_sq!, 0.0375);
  assert.equal(m.probe_pairs, 2);
  const d = probeMetrics("dpo", [0.5, 0.1], [0.3, 0.4], [0.2, 0.2], performance.now());
  close(d.probe_var, 0.0325);
  assert.equal(d.probe_bias2, null);
  assert.equal(d.probe_sq, null);
});
