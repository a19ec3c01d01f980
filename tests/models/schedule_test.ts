import assert from "node:assert/strict";
import { BETA_SCHEDULES } from "../../models/config.ts";
import { alphasCumprod, minSnrWeight, Schedule } from "../../models/schedule.ts";
import { tinyConfig } from "./_tiny.ts";

Deno.test("alphas_cumprod is strictly decreasing in (0, 1) for every beta schedule", () => {
  for (const kind of BETA_SCHEDULES) {
    const ab = alphasCumprod(kind, 1000);
    assert.ok(ab[0]! < 1 && ab[0]! > 0.99, `${kind}: abar_0 = ${ab[0]}`);
    for (let i = 1; i < ab.length; i++) {
      assert.ok(ab[i]! < ab[i - 1]! && ab[i]! > 0, `${kind} at ${i}`);
    }
    assert.ok(ab[999]! < 0.01, `${kind}: abar_T = ${ab[999]}`);
  }
});

Deno.test("linear DDPM schedule matches the closed form at its ends", () => {
  const ab = alphasCumprod("linear", 1000);
  assert.ok(Math.abs(ab[0]! - (1 - 1e-4)) < 1e-12);
  assert.ok(Math.abs(ab[1]! - (1 - 1e-4) * (1 - (1e-4 + 0.0199 / 999))) < 1e-12);
});

Deno.test("eps points use sqrt(abar) and sqrt(1 - abar) with tau = i / T and the log-SNR", () => {
  const s = new Schedule(tinyConfig("eps"));
  const p = s.ddpmPoint(500);
  assert.equal(p.tau, 0.5);
  assert.ok(Math.abs(p.a ** 2 + p.s ** 2 - 1) < 1e-12);
  assert.ok(Math.abs(p.lambda - Math.log(p.a ** 2 / p.s ** 2)) < 1e-12);
  assert.equal(s.target(0.3, -1.2), -1.2);
  assert.equal(s.trainPoint(0.9999, 0).tau, 0.999);
  assert.throws(() => s.ddpmPoint(1000), /integer in \[0, 1000\)/);
});

Deno.test("flow points follow x_t = (1-t) x0 + t eps, v = eps - x0, lambda = 2 log((1-t)/t)", () => {
  const s = new Schedule(tinyConfig("flow"));
  const p = Schedule.flowPoint(0.25);
  assert.deepEqual([p.a, p.s, p.tau], [0.75, 0.25, 0.25]);
  assert.ok(Math.abs(p.lambda - 2 * Math.log(3)) < 1e-12);
  assert.equal(s.target(0.5, 2), 1.5);
  // logit-normal draw: n = 0 is the median t = 0.5
  assert.equal(s.trainPoint(0.3, 0).tau, 0.5);
  // uniform share: u below the mix maps to t = u / mix; above it the logit-normal draw is used
  assert.equal(s.trainPoint(0.1, 0, 0.2).tau, 0.5);
  assert.equal(s.trainPoint(0.19, 3, 0.2).tau, 0.95);
  assert.equal(s.trainPoint(0.5, 0, 0.2).tau, 0.5);
  assert.equal(s.trainPoint(0.5, 50, 0.2).tau, 1 - 1e-5);
  assert.throws(() => Schedule.flowPoint(1), /t must be in \(0, 1\)/);
});

Deno.test("Min-SNR-5 weight is 1 at high noise and 5 / SNR at low noise", () => {
  assert.equal(minSnrWeight(Math.log(0.5), 5), 1);
  assert.ok(Math.abs(minSnrWeight(Math.log(50), 5) - 0.1) < 1e-12);
});
