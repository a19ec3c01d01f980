/**
 * The sampler updates (docs/method.md §1.2) as pure functions over flat Float32Arrays, so they can
 * be tested against an oracle and reused outside `Sampler`.
 *
 * Notation: x current sample, p the (guided) network prediction, abar DDPM alpha-bar.
 * eps / DDIM (Song et al. 2021, eta = 0), at step i with next (smaller) step i':
 *   1. x0 = (x - sqrt(1 - abar_i) p) / sqrt(abar_i), clipped to [-1, 1]
 *   2. eps' = (x - sqrt(abar_i) x0) / sqrt(1 - abar_i)   (consistent with the clipped x0)
 *   3. x <- sqrt(abar_i') x0 + sqrt(1 - abar_i') eps'    (abar_i' = 1 after the last step)
 * flow / Euler from t to t' < t:  x <- x + (t' - t) p,  p = v = eps - x0.
 */
import type { ModelConfig } from "./config.ts";
import type { Schedule } from "./schedule.ts";

/** One sampling step's network time `tau` and noise `level` (abar for eps, t for flow). */
export interface StepTime {
  tau: number;
  level: number;
}

/**
 * n sampling times, noisiest first. eps: "trailing" DDPM steps i_k = round(T - k T / n) - 1
 * (the first is T - 1, so sampling starts where training's noisiest step is);
 * flow: t_k = 1 - k / n.
 */
export function samplingTimes(cfg: ModelConfig, schedule: Schedule, n: number): StepTime[] {
  if (cfg.parameterization === "flow") {
    return Array.from({ length: n }, (_, k) => ({ tau: 1 - k / n, level: 1 - k / n }));
  }
  const T = schedule.trainSteps;
  return Array.from({ length: n }, (_, k) => {
    const i = Math.max(0, Math.round(T - k * T / n) - 1);
    return { tau: i / T, level: schedule.abar[i]! };
  });
}

/**
 * DDIM update of x in place; abarNext = 1 on the last step. With eta > 0 (and fresh standard
 * normals z) it adds sigma z, sigma = eta sqrt((1 - abar') / (1 - abar)) sqrt(1 - abar / abar')
 * (Song et al. eq. 16; eta = 1 is DDPM's ancestral sampler), and step 3 uses
 * sqrt(1 - abar' - sigma^2) for eps'.
 */
export function ddimStep(
  x: Float32Array,
  p: Float32Array,
  abar: number,
  abarNext: number,
  eta = 0,
  z?: Float32Array,
): void {
  const sigma = eta * Math.sqrt((1 - abarNext) / (1 - abar)) * Math.sqrt(1 - abar / abarNext);
  if (sigma > 0 && (!z || z.length !== x.length)) {
    throw new RangeError(
      `Cannot take a DDIM step with eta ${eta} as z must hold ${x.length} normals: current length is ${z?.length}`,
    );
  }
  const sa = Math.sqrt(abar), s1 = Math.sqrt(1 - abar);
  const sn = Math.sqrt(abarNext), s1n = Math.sqrt(Math.max(0, 1 - abarNext - sigma * sigma));
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const x0 = Math.min(1, Math.max(-1, (xi - s1 * p[i]!) / sa)); // 1.
    const e = (xi - sa * x0) / s1; // 2.
    x[i] = sn * x0 + s1n * e + (sigma > 0 ? sigma * z![i]! : 0); // 3.
  }
}

/** Euler update of x in place from time t to tNext (0 on the last step). */
export function eulerStep(x: Float32Array, v: Float32Array, t: number, tNext: number): void {
  const dt = tNext - t;
  for (let i = 0; i < x.length; i++) x[i]! += dt * v[i]!;
}
