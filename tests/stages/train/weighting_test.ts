import assert from "node:assert/strict";
import { parseModelConfig } from "../../../models/config.ts";
import { Schedule } from "../../../models/schedule.ts";
import { timeWeight } from "../../../stages/train/weighting.ts";

const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} is not within ${tol} of ${b}`);

Deno.test("constant weighting is 1 at every timestep", () => {
  for (const lambda of [-20, 0, 3.5, 40]) assert.equal(timeWeight("constant", lambda, 1.5), 1);
});

// flow, b = 1.5: t = 0.5 -> lambda = 2 log(1) = 0, w = sigmoid(1.5) = 0.8175745;
// t = 0.2 -> lambda = 2 log(4) = 2.7725887, w = sigmoid(-1.2725887) = 0.2188144.
Deno.test("sigmoid weighting is sigmoid(-lambda_t + b) of the flow log-SNR", () => {
  close(timeWeight("sigmoid", Schedule.flowPoint(0.5).lambda, 1.5), 0.8175744762);
  close(timeWeight("sigmoid", Schedule.flowPoint(0.2).lambda, 1.5), 0.2188144276);
});

// DDPM cosine schedule, step 500 of 1000: abar = 0.4922852, lambda = log(abar / (1 - abar))
// = -0.0308618, w = sigmoid(1.5 + 0.0308618) = 0.8221324.
Deno.test("sigmoid weighting reads the DDPM log-SNR log(abar / (1 - abar))", () => {
  const s = new Schedule(parseModelConfig({
    parameterization: "eps",
    width: 8,
    depth: 1,
    heads: 1,
    mlpRatio: 1,
    textDepth: 0,
    timeFeatures: 8,
    vocabulary: ["a"],
  }));
  const pt = s.ddpmPoint(500);
  close(pt.lambda, -0.0308617595, 1e-6);
  close(timeWeight("sigmoid", pt.lambda, 1.5), 0.8221323649);
  // noisy steps weigh ~1, nearly clean ones ~0
  assert.ok(timeWeight("sigmoid", s.ddpmPoint(999).lambda, 1.5) > 0.99);
  assert.ok(timeWeight("sigmoid", s.ddpmPoint(0).lambda, 1.5) < 0.01);
});
