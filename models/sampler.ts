/**
 * Text-to-image sampling through onnxruntime: classifier-free guidance, DDIM (eps models) or
 * Euler (flow models), deterministic per image seed. docs/method.md §1.2.
 *
 * Notation: g guidance scale, f(x, tau, c) the network, f_u its output for the null prompt;
 * guided prediction p = f_u + g (f_c - f_u), fed to DDIM (eps) or Euler (flow) updates
 * (models/sampling_steps.ts).
 * Initial noise x_n = new Rng(seed).normals(S*S*C): same seed, same bytes.
 */
import { Rng } from "../lib/rng.ts";
import { logger } from "../lib/log.ts";
import { imageValues, type ModelConfig } from "./config.ts";
import { OrtDenoiser, type OrtOptions } from "./ort_denoiser.ts";
import { ddimStep, eulerStep, samplingTimes } from "./sampling_steps.ts";
import { Schedule } from "./schedule.ts";
import { Tokenizer } from "./tokenizer.ts";
import { loadModel } from "./weights.ts";

const log = logger("sampler");

export interface SampleRequest {
  /** One prompt per image. */
  prompts: readonly string[];
  /** One seed per image (the initial noise's Rng seed). */
  seeds: readonly number[];
  /** Sampling steps. @default {the sampler's defaultSteps} */
  steps?: number;
  /** Classifier-free guidance scale (1 = no guidance: the null prompt is not run). */
  guidance?: number;
  /** eps only: DDIM stochasticity (0 deterministic ODE, 1 DDPM ancestral); the extra noise
   *  comes from the image's own seeded stream, so the same seed still gives the same bytes. */
  eta?: number;
}

export interface SamplerOptions extends OrtOptions {
  /** @default {30} */
  defaultSteps?: number;
  /** @default {4} */
  defaultGuidance?: number;
  /** @default {0} */
  defaultEta?: number;
  /** Images per ORT call (each image is 2 rows under guidance). @default {32} */
  maxBatch?: number;
  /** Called for a prompt with words outside the vocabulary. @default {a logged warning} */
  onUnknownWords?: (prompt: string, words: string[]) => void;
}

/**
 * What the sampling loop needs of a network: one batched forward. `OrtDenoiser` (all of capo's
 * inference) fits; the benchmark passes the tfjs forward (bench/tfjs_denoiser.ts) to time the
 * same loop on tfjs-wasm.
 */
export interface Denoiser {
  readonly config: ModelConfig;
  /** x [B,S,S,C] (flat), t [B], tokens [B,L] -> prediction [B,S,S,C] (flat). */
  predict(x: Float32Array, t: Float32Array, tokens: Int32Array): Promise<Float32Array>;
  release(): Promise<void>;
}

export class Sampler {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly denoiser: Denoiser;
  #schedule: Schedule;
  #o: Required<Omit<SamplerOptions, "intraOpThreads">>;

  private constructor(denoiser: Denoiser, opts: SamplerOptions) {
    this.config = denoiser.config;
    this.denoiser = denoiser;
    this.tokenizer = new Tokenizer(this.config.vocabulary, this.config.maxTokens);
    this.#schedule = new Schedule(this.config);
    this.#o = {
      defaultSteps: 30,
      defaultGuidance: 4,
      defaultEta: 0,
      maxBatch: 32,
      onUnknownWords: (prompt, words) =>
        log.warn("prompt has words outside the vocabulary; sampled as <unk>", {
          prompt,
          unknown: words,
        }),
      ...opts,
    };
  }

  static async create(
    config: ModelConfig,
    weights: ReadonlyMap<string, Float32Array>,
    opts: SamplerOptions = {},
  ): Promise<Sampler> {
    return new Sampler(await OrtDenoiser.create(config, weights, opts), opts);
  }

  /** The sampling loop over another network forward (e.g. tfjs, for the benchmark). */
  static over(denoiser: Denoiser, opts: SamplerOptions = {}): Sampler {
    return new Sampler(denoiser, opts);
  }

  /** Load `<dir>/model.safetensors` (checked against its config). */
  static async load(path: string, opts: SamplerOptions = {}): Promise<Sampler> {
    const { config, weights } = await loadModel(path);
    return await Sampler.create(config, weights, opts);
  }

  /** Generate one image per (prompt, seed): uint8 RGB HWC, imageSize^2 * 3 bytes each. */
  async sample(req: SampleRequest): Promise<Uint8Array[]> {
    const n = req.prompts.length;
    if (req.seeds.length !== n) {
      throw new RangeError(
        `Cannot sample as seeds must match prompts one to one: current lengths are ${req.seeds.length} and ${n}`,
      );
    }
    const steps = req.steps ?? this.#o.defaultSteps;
    if (!Number.isInteger(steps) || steps < 1) {
      throw new RangeError(
        `Cannot sample as steps must be a positive integer: current value is ${steps}`,
      );
    }
    const guidance = req.guidance ?? this.#o.defaultGuidance;
    if (!Number.isFinite(guidance)) {
      throw new RangeError(
        `Cannot sample as guidance must be finite: current value is ${guidance}`,
      );
    }
    const eta = req.eta ?? this.#o.defaultEta;
    if (!(eta >= 0 && eta <= 1)) {
      throw new RangeError(`Cannot sample as eta must be in [0, 1]: current value is ${eta}`);
    }
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i += this.#o.maxBatch) {
      const prompts = req.prompts.slice(i, i + this.#o.maxBatch);
      const seeds = req.seeds.slice(i, i + this.#o.maxBatch);
      out.push(...await this.#sampleBatch(prompts, seeds, steps, guidance, eta));
    }
    return out;
  }

  async #sampleBatch(
    prompts: readonly string[],
    seeds: readonly number[],
    steps: number,
    g: number,
    eta: number,
  ) {
    const c = this.config;
    const B = prompts.length;
    const V = imageValues(c);
    const L = c.maxTokens;
    const guided = g !== 1;
    const rows = guided ? 2 * B : B;
    // Rows 0..B-1 conditional, B..2B-1 the null prompt.
    const tokens = new Int32Array(rows * L);
    prompts.forEach((p, j) => {
      const e = this.tokenizer.encode(p);
      if (e.unknown.length > 0) this.#o.onUnknownWords(p, e.unknown);
      if (e.truncated > 0) {
        log.warn("prompt longer than maxTokens; truncated", { prompt: p, dropped: e.truncated });
      }
      tokens.set(e.ids, j * L);
      if (guided) tokens.set(this.tokenizer.nullIds(), (B + j) * L);
    });
    const x = new Float32Array(B * V);
    const rngs = seeds.map((s) => new Rng(s));
    rngs.forEach((r, j) => x.set(r.normals(V), j * V));
    const xin = new Float32Array(rows * V);
    const tin = new Float32Array(rows);
    const times = samplingTimes(c, this.#schedule, steps);
    for (let k = 0; k < steps; k++) {
      xin.set(x);
      if (guided) xin.set(x, B * V);
      tin.fill(times[k]!.tau);
      const raw = await this.denoiser.predict(xin, tin, tokens);
      const p = guided ? new Float32Array(B * V) : raw;
      if (guided) {
        for (let i = 0; i < B * V; i++) p[i] = raw[B * V + i]! + g * (raw[i]! - raw[B * V + i]!);
      }
      const now = times[k]!.level;
      if (c.parameterization === "flow") eulerStep(x, p, now, times[k + 1]?.level ?? 0);
      else if (eta === 0 || k === steps - 1) ddimStep(x, p, now, times[k + 1]?.level ?? 1);
      else {
        const z = new Float32Array(B * V);
        rngs.forEach((r, j) => z.set(r.normals(V), j * V));
        ddimStep(x, p, now, times[k + 1]!.level, eta, z);
      }
    }
    const images: Uint8Array[] = [];
    for (let j = 0; j < B; j++) {
      const img = new Uint8Array(V);
      for (let i = 0; i < V; i++) {
        const v = Math.min(1, Math.max(-1, x[j * V + i]!));
        img[i] = Math.round((v + 1) * 127.5);
      }
      images.push(img);
    }
    return images;
  }

  async release(): Promise<void> {
    await this.denoiser.release();
  }
}
