import assert from "node:assert/strict";
import { ddimStep, eulerStep, samplingTimes } from "../../models/sampling_steps.ts";
import { Schedule } from "../../models/schedule.ts";
import { Rng } from "../../lib/rng.ts";
import { tinyConfig } from "./_tiny.ts";

/** A fixed target image in [-1, 1] and starting noise. */
function fixture(n: number) {
  const rng = new Rng(3);
  const x0 = Float32Array.from({ length: n }, () => rng.uniform(-0.9, 0.9));
  return { x0, noise: rng.normals(n) };
}

Deno.test("DDIM with an oracle eps-predictor lands on the data point", () => {
  const cfg = tinyConfig("eps");
  const sch = new Schedule(cfg);
  const { x0, noise } = fixture(64);
  const times = samplingTimes(cfg, sch, 10);
  assert.equal(times[0]!.tau, 0.999);
  const x = noise.slice();
  times.forEach((t, k) => {
    // oracle: the eps that, with x0, explains the current x exactly
    const sa = Math.sqrt(t.level), s1 = Math.sqrt(1 - t.level);
    const eps = x.map((xi, i) => (xi - sa * x0[i]!) / s1);
    ddimStep(x, eps, t.level, times[k + 1]?.level ?? 1);
  });
  x.forEach((v, i) => assert.ok(Math.abs(v - x0[i]!) < 1e-5, `pixel ${i}: ${v} vs ${x0[i]}`));
});

Deno.test("DDIM step matches a hand-computed update, clipping x0 to [-1, 1]", () => {
  const x = Float32Array.from([0.5, 3]);
  ddimStep(x, Float32Array.from([1, 0]), 0.25, 0.64);
  // pixel 0: x0 = (0.5 - sqrt(.75)) / .5 = -0.732; eps' = 1; x = .8 x0 + .6
  assert.ok(Math.abs(x[0]! - (0.8 * (0.5 - Math.sqrt(0.75)) / 0.5 + 0.6)) < 1e-6);
  // pixel 1: x0 = 6 -> 1; eps' = (3 - .5) / sqrt(.75); x = .8 + .6 eps'
  assert.ok(Math.abs(x[1]! - (0.8 + 0.6 * 2.5 / Math.sqrt(0.75))) < 1e-5);
});

Deno.test("Euler with the true straight-line velocity lands on the data point", () => {
  const cfg = tinyConfig("flow");
  const { x0, noise } = fixture(64);
  const times = samplingTimes(cfg, new Schedule(cfg), 7);
  times.forEach((t, k) => assert.ok(Math.abs(t.tau - (7 - k) / 7) < 1e-12));
  const x = noise.slice();
  const v = noise.map((e, i) => e - x0[i]!); // x_t = (1 - t) x0 + t eps  =>  dx/dt = eps - x0
  times.forEach((t, k) => eulerStep(x, v, t.level, times[k + 1]?.level ?? 0));
  x.forEach((val, i) => assert.ok(Math.abs(val - x0[i]!) < 1e-5));
});

Deno.test("DDIM with eta = 1 is DDPM's ancestral step: posterior mean plus sigma z", () => {
  const abar = 0.25, next = 0.64;
  const x = Float32Array.from([0.5]);
  ddimStep(x, Float32Array.from([1]), abar, next, 1, Float32Array.from([2]));
  const sigma = Math.sqrt((1 - next) / (1 - abar)) * Math.sqrt(1 - abar / next);
  const x0 = (0.5 - Math.sqrt(0.75)) / 0.5;
  const expected = 0.8 * x0 + Math.sqrt(1 - next - sigma ** 2) * 1 + sigma * 2;
  assert.ok(Math.abs(x[0]! - expected) < 1e-6, `${x[0]} vs ${expected}`);
  assert.throws(() => ddimStep(x, x, abar, next, 0.5), /z must hold 1 normals/);
});
