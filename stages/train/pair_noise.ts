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
