/**
 * Noise schedules of the two parameterisations (docs/method.md §1.2), in plain numbers so the
 * trainer (tfjs), the sampler (ORT) and the CaPO loss share one source.
 *
 * Notation: x0 clean image, eps ~ N(0, I), x_t = a_t x0 + s_t eps, "time" tau in [0, 1] is what
 * the network sees.
 * - eps (DDPM, SDXL-like): integer step i in [0, T); abar_i = prod_{j<=i} (1 - beta_j);
 *   a = sqrt(abar_i), s = sqrt(1 - abar_i), tau = i / T; the network predicts eps;
 *   log-SNR lambda = log(abar / (1 - abar)).
 * - flow (rectified flow, SD3-like): t in (0, 1); a = 1 - t, s = t, tau = t;
 *   the network predicts the velocity v = eps - x0; lambda = 2 log((1 - t) / t).
 */
import type { BetaSchedule, ModelConfig } from "./config.ts";

/** Betas of a DDPM schedule with T steps. */
export function ddpmBetas(kind: BetaSchedule, T: number): Float64Array {
  const b = new Float64Array(T);
  switch (kind) {
    case "linear": // DDPM (Ho et al. 2020): 1e-4 .. 0.02
      for (let i = 0; i < T; i++) b[i] = 1e-4 + (0.02 - 1e-4) * i / (T - 1);
      break;
    case "scaled_linear": { // Stable Diffusion / SDXL: linear in sqrt(beta)
      const lo = Math.sqrt(0.00085), hi = Math.sqrt(0.012);
      for (let i = 0; i < T; i++) b[i] = (lo + (hi - lo) * i / (T - 1)) ** 2;
      break;
    }
    case "cosine": { // Nichol & Dhariwal 2021, eq. 17, s = 0.008, betas clipped at 0.999
      const f = (i: number) => Math.cos(((i / T + 0.008) / 1.008) * Math.PI / 2) ** 2;
      for (let i = 0; i < T; i++) b[i] = Math.min(1 - f(i + 1) / f(i), 0.999);
      break;
    }
  }
  return b;
}

/** abar_i = prod_{j<=i} (1 - beta_j), i = 0..T-1 (strictly decreasing). */
export function alphasCumprod(kind: BetaSchedule, T: number): Float64Array {
  const b = ddpmBetas(kind, T);
  const out = new Float64Array(T);
  let acc = 1;
  for (let i = 0; i < T; i++) out[i] = acc *= 1 - b[i]!;
  return out;
}

/** One noising point: x_t = a x0 + s eps, network time input tau, log-SNR lambda. */
export interface NoisePoint {
  tau: number;
  a: number;
  s: number;
  lambda: number;
}

/** Per-model schedule: noising coefficients at a network time, and the training target. */
export class Schedule {
  readonly parameterization: ModelConfig["parameterization"];
  readonly trainSteps: number;
  readonly abar: Float64Array;

  constructor(cfg: ModelConfig) {
    this.parameterization = cfg.parameterization;
    this.trainSteps = cfg.trainSteps;
    this.abar = alphasCumprod(cfg.betaSchedule, cfg.trainSteps);
  }

  /** eps: the DDPM step i in [0, T). */
  ddpmPoint(i: number): NoisePoint {
    const ab = this.abar[i];
    if (ab === undefined || !Number.isInteger(i)) {
      throw new RangeError(
        `Cannot read DDPM step as i must be an integer in [0, ${this.trainSteps}): current value is ${i}`,
      );
    }
    return {
      tau: i / this.trainSteps,
      a: Math.sqrt(ab),
      s: Math.sqrt(1 - ab),
      lambda: Math.log(ab / (1 - ab)),
    };
  }

  /** flow: t in (0, 1). */
  static flowPoint(t: number): NoisePoint {
    if (!(t > 0 && t < 1)) {
      throw new RangeError(`Cannot read flow time as t must be in (0, 1): current value is ${t}`);
    }
    return { tau: t, a: 1 - t, s: t, lambda: 2 * Math.log((1 - t) / t) };
  }

  /**
   * Draw a training point from `u` (uniform in [0,1)) and `n` (standard normal):
   * eps: i = floor(u T) uniformly;
   * flow: with probability `uniformMix` (decided by u < uniformMix) t = u / uniformMix, uniform;
   * otherwise t = sigmoid(n), logit-normal(0, 1) as in SD3. The uniform share keeps the ends of
   * [0, 1] trained: Euler sampling starts at t = 1, where logit-normal puts almost no mass.
   * t is clamped to [1e-5, 1 - 1e-5].
   */
  trainPoint(u: number, n: number, uniformMix = 0): NoisePoint {
    if (this.parameterization === "eps") {
      return this.ddpmPoint(Math.min(this.trainSteps - 1, Math.floor(u * this.trainSteps)));
    }
    const raw = u < uniformMix ? u / uniformMix : 1 / (1 + Math.exp(-n));
    return Schedule.flowPoint(Math.min(1 - 1e-5, Math.max(1e-5, raw)));
  }

  /** The regression target at one value: eps itself, or the velocity eps - x0. */
  target(x0: number, eps: number): number {
    return this.parameterization === "eps" ? eps : eps - x0;
  }
}

/** Min-SNR-gamma weight of an eps-prediction loss at log-SNR lambda: min(SNR, gamma) / SNR. */
export function minSnrWeight(lambda: number, gamma: number): number {
  const snr = Math.exp(lambda);
  return Math.min(snr, gamma) / snr;
}
