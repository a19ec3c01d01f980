import assert from "node:assert/strict";
import {
  designSE,
  minimumDetectable,
  normalQuantile,
  varianceComponents,
} from "../../../stages/evaluate/power.ts";
import { Rng } from "../../../lib/rng.ts";

const near = (x: number, y: number, tol: number) =>
  assert.ok(Math.abs(x - y) <= tol, `${x} is not within ${tol} of ${y}`);

Deno.test("normalQuantile matches the standard normal's tables", () => {
  near(normalQuantile(0.975), 1.959963985, 1e-8);
  near(normalQuantile(0.8), 0.841621234, 1e-8);
  near(normalQuantile(0.5), 0, 1e-12);
  near(normalQuantile(1e-6), -4.753424309, 1e-7);
  near(normalQuantile(0.01) + normalQuantile(0.99), 0, 1e-9);
  assert.throws(() => normalQuantile(1), /normal quantile of 1/);
});

Deno.test("minimumDetectable is (z_{1-alpha/2} + z_power) SE", () => {
  near(minimumDetectable(1, 0.05), 1.959963985 + 0.841621234, 1e-7);
  near(
    minimumDetectable(0.02, 0.05 / 4, 0.8),
    0.02 * (normalQuantile(1 - 0.00625) + 0.841621234),
    1e-9,
  );
});

Deno.test("varianceComponents recovers known prompt, seed and residual variances (Monte Carlo)", () => {
  const rng = new Rng(7);
  const P = 600, S = 12, T = 12;
  const [sa, sb, sc, se] = [1, 0.5, 0.3, 0.4];
  const a = Array.from({ length: P }, () => sa * rng.normal());
  const b = Array.from({ length: S }, () => sb * rng.normal());
  const c = Array.from({ length: T }, () => sc * rng.normal());
  const x = new Float64Array(P * S * T);
  for (let p = 0; p < P; p++) {
    for (let s = 0; s < S; s++) {
      for (let t = 0; t < T; t++) {
        x[(p * S + s) * T + t] = a[p]! + b[s]! + c[t]! + se * rng.normal();
      }
    }
  }
  const v = varianceComponents(x, { prompts: P, seedsA: S, seedsB: T });
  near(v.prompt, sa ** 2, 0.15);
  near(v.residual, se ** 2, 0.01);
  // 12 seeds estimate a variance only to within 0.2x-2.9x (chi-square, 11 df, 99.9%)
  assert.ok(v.seedA > 0.05 && v.seedA < 0.75, `seedA ${v.seedA}`);
  assert.ok(v.seedB > 0.015 && v.seedB < 0.27, `seedB ${v.seedB}`);
  // SE of the mean for the design itself, by the formula
  near(
    designSE(v, { prompts: P, seedsA: S, seedsB: T }),
    Math.sqrt(v.prompt / P + v.seedA / S + v.seedB / T + v.residual / (P * S * T)),
    1e-15,
  );
});

Deno.test("with one seed per side the residual is part of the prompt variance", () => {
  const x = [1, 3, 2, 6];
  const v = varianceComponents(x, { prompts: 4, seedsA: 1, seedsB: 1 });
  assert.deepEqual(v, { prompt: 14 / 3, seedA: 0, seedB: 0, residual: 0 });
  assert.throws(
    () => varianceComponents([1, 2], { prompts: 1, seedsA: 2, seedsB: 1 }),
    /at least 2/,
  );
});
