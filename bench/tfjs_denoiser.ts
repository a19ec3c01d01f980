/**
 * The tfjs denoiser forward (models/denoiser.ts, the network the trainer uses) as a `Denoiser`
 * for models/sampler.ts, so the sampling benchmark times the sampler's own loop (guidance, DDIM
 * or Euler, the seeds' initial noise) on tfjs-wasm in place of onnxruntime.
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "../models/config.ts";
import { denoiserForward, denoiserSpecs } from "../models/denoiser.ts";
import type { Denoiser } from "../models/sampler.ts";

export class TfjsDenoiser implements Denoiser {
  readonly config: ModelConfig;
  #weights: Map<string, tf.Tensor>;

  constructor(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>) {
    this.config = config;
    this.#weights = new Map(
      denoiserSpecs(config).map((s) => [s.name, tf.tensor(weights.get(s.name)!, s.shape)]),
    );
  }

  /** One forward on the current tfjs backend, synchronously. */
  predictSync(x: Float32Array, t: Float32Array, tokens: Int32Array): Float32Array {
    const c = this.config;
    const B = t.length;
    return tf.tidy(() =>
      denoiserForward(
        c,
        this.#weights,
        tf.tensor(x, [B, c.imageSize, c.imageSize, c.channels]),
        tf.tensor(t, [B]),
        tf.tensor(tokens, [B, c.maxTokens], "int32"),
      ).dataSync() as Float32Array
    );
  }

  predict(x: Float32Array, t: Float32Array, tokens: Int32Array): Promise<Float32Array> {
    return Promise.resolve(this.predictSync(x, t, tokens));
  }

  release(): Promise<void> {
    for (const t of this.#weights.values()) t.dispose();
    return Promise.resolve();
  }
}
