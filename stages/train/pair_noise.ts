/**
 * The noising of a batch of pairs for one preference step (docs/method.md §5.1), shared by the
 * onnxruntime trainer (preference_trainer.ts) and its tfjs reference (tfjs_preference_trainer.ts)
 * so both see identical numbers for the same Rng.
 *
 * Notation: B pairs, N = 2B images (winners, then losers), V = S*S*C values per image,
 * x_t = a x0 + s eps, target eps (eps models) or eps - x0 (flow models), lambda_t log-SNR.
 * Per pair one t and one eps, shared by x+ and x- (as Diffusion-DPO's code).
 */
import { imageValues, type ModelConfig } from "../../models/config.ts";
import type { Schedule } from "../../models/schedule.ts";
import type { Rng } from "../../lib/rng.ts";
import type { PairBatch } from "./pair_data.ts";
import { timeWeight, type Weighting } from "./weighting.ts";

export interface NoiseOptions {
  weighting: Weighting;
  weighting_b: number;
  flow_uniform_mix: number;
}

export interface NoisedPairs {
  /** x_t [N,S,S,C] */
  xt: Float32Array;
  /** t [N] (pair j's time at rows j and B + j) */
  tau: Float32Array;
  /** w(t) [B] */
  w: Float32Array;
  /** the regression target [N,S,S,C] */
  target: Float32Array;
}

export function noisePairs(
  model: ModelConfig,
  schedule: Schedule,
  o: NoiseOptions,
  batch: PairBatch,
  rng: Rng,
): NoisedPairs {
  const B = batch.size;
  const N = 2 * B;
  const V = imageValues(model);
  const eps = rng.normals(B * V);
  const tau = new Float32Array(N);
  const w = new Float32Array(B);
  const xt = new Float32Array(N * V);
  const target = new Float32Array(N * V);
  for (let j = 0; j < B; j++) {
    const pt = schedule.trainPoint(rng.next(), rng.normal(), o.flow_uniform_mix);
    tau[j] = tau[B + j] = pt.tau;
    w[j] = timeWeight(o.weighting, pt.lambda, o.weighting_b);
    for (const row of [j, B + j]) {
      for (let i = 0; i < V; i++) {
        const x0 = batch.x0[row * V + i]!;
        const e = eps[j * V + i]!;
        xt[row * V + i] = pt.a * x0 + pt.s * e;
        target[row * V + i] = schedule.target(x0, e);
      }
    }
  }
  return { xt, tau, w, target };
}

/**
 * D independent draws of (t, eps) per pair (`train.draws_per_pair` times the loss's estimates,
 * stages/train/loss_kinds.ts `gapEstimates`), one after the other from `rng`: draw d holds rows
 * [d N, (d + 1) N) of x_t, t and the target and [d B, (d + 1) B) of w. Draw 0 is exactly
 * `noisePairs`' (the same numbers from the same Rng), so D = 1 is the one-draw step bit for bit.
 * `tokens` are the batch's tokens repeated D times (the denoiser's rows).
 */
export function noiseDraws(
  model: ModelConfig,
  schedule: Schedule,
  o: NoiseOptions,
  batch: PairBatch,
  rng: Rng,
  draws: number,
): NoisedPairs & { tokens: Int32Array } {
  if (!Number.isInteger(draws) || draws < 1) {
    throw new RangeError(`Cannot noise pairs as draws must be an integer >= 1: current ${draws}`);
  }
  if (draws === 1) return { ...noisePairs(model, schedule, o, batch, rng), tokens: batch.tokens };
  const all = Array.from({ length: draws }, () => noisePairs(model, schedule, o, batch, rng));
  const cat = <T extends Float32Array | Int32Array>(parts: T[], make: (n: number) => T): T => {
    const out = make(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const f32 = (n: number) => new Float32Array(n);
  return {
    xt: cat(all.map((d) => d.xt), f32),
    tau: cat(all.map((d) => d.tau), f32),
    w: cat(all.map((d) => d.w), f32),
    target: cat(all.map((d) => d.target), f32),
    tokens: cat(all.map(() => batch.tokens), (n) => new Int32Array(n)),
  };
}
