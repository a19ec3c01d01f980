/**
 * The sampler's loop (models/sampler.ts: classifier-free guidance, DDIM or Euler from
 * models/sampling_steps.ts) with the tfjs denoiser forward in place of onnxruntime, for the
 * sampling benchmark: the same network definition the trainer uses, on the backend that is set
 * (wasm in the bench). Same seeds give the same initial noise as the ORT sampler.
 *
 * Notation as in models/sampler.ts: g guidance, f_c / f_u conditional / null-prompt outputs,
 * p = f_u + g (f_c - f_u).
 */
import * as tf from "@tensorflow/tfjs";
import { imageValues, type ModelConfig } from "../models/config.ts";
import { denoiserForward, denoiserSpecs } from "../models/denoiser.ts";
import { ddimStep, eulerStep, samplingTimes } from "../models/sampling_steps.ts";
import { Schedule } from "../models/schedule.ts";
import { Tokenizer } from "../models/tokenizer.ts";
import { Rng } from "../pipeline/rng.ts";

export class TfjsDdim {
  readonly config: ModelConfig;
  #weights: Map<string, tf.Tensor>;
  #tokenizer: Tokenizer;
  #schedule: Schedule;

  constructor(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>) {
    this.config = config;
    this.#weights = new Map(
      denoiserSpecs(config).map((s) => [s.name, tf.tensor(weights.get(s.name)!, s.shape)]),
    );
    this.#tokenizer = new Tokenizer(config.vocabulary, config.maxTokens);
    this.#schedule = new Schedule(config);
  }

  /** One forward: x [B,S,S,C], t [B], tokens [B,L] (flat) -> prediction (flat). */
  predict(x: Float32Array, t: Float32Array, tokens: Int32Array): Float32Array {
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

  /** Images for one batch of (prompt, seed), deterministic DDIM (eta 0) or Euler. */
  sample(prompts: readonly string[], seeds: readonly number[], steps: number, g: number) {
    const c = this.config;
    const B = prompts.length;
    const V = imageValues(c);
    const L = c.maxTokens;
    const guided = g !== 1;
    const rows = guided ? 2 * B : B;
    // 1. tokens: rows 0..B-1 conditional, B..2B-1 the null prompt
    const tokens = new Int32Array(rows * L);
    prompts.forEach((p, j) => {
      tokens.set(this.#tokenizer.encode(p).ids, j * L);
      if (guided) tokens.set(this.#tokenizer.nullIds(), (B + j) * L);
    });
    // 2. initial noise from each image's seed
    const x = new Float32Array(B * V);
    seeds.forEach((s, j) => x.set(new Rng(s).normals(V), j * V));
    const xin = new Float32Array(rows * V);
    const tin = new Float32Array(rows);
    const times = samplingTimes(c, this.#schedule, steps);
    for (let k = 0; k < steps; k++) {
      // 3. guided prediction, then the update
      xin.set(x);
      if (guided) xin.set(x, B * V);
      tin.fill(times[k]!.tau);
      const raw = this.predict(xin, tin, tokens);
      const p = guided ? new Float32Array(B * V) : raw;
      if (guided) {
        for (let i = 0; i < B * V; i++) p[i] = raw[B * V + i]! + g * (raw[i]! - raw[B * V + i]!);
      }
      const now = times[k]!.level;
      if (c.parameterization === "flow") eulerStep(x, p, now, times[k + 1]?.level ?? 0);
      else ddimStep(x, p, now, times[k + 1]?.level ?? 1);
    }
    // 4. to bytes
    return Array.from({ length: B }, (_, j) =>
      Uint8Array.from(
        x.subarray(j * V, (j + 1) * V),
        (v) => Math.round((Math.min(1, Math.max(-1, v)) + 1) * 127.5),
      ));
  }

  dispose(): void {
    for (const t of this.#weights.values()) t.dispose();
  }
}
