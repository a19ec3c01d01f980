/**
 * The denoiser on onnxruntime-node: the exported graph (models/export_onnx.ts) behind a typed
 * `predict`. Used by the sampler and by anything that needs a frozen model's predictions
 * (CaPO's reference model).
 */
import * as ort from "onnxruntime-node";
import { imageValues, type ModelConfig } from "./config.ts";
import { denoiserOnnx } from "./export_onnx.ts";

export interface OrtOptions {
  /** ORT intra-op threads (0 = ORT's default, one per core). @default {0} */
  intraOpThreads?: number;
}

export class OrtDenoiser {
  readonly config: ModelConfig;
  #session: ort.InferenceSession;

  private constructor(config: ModelConfig, session: ort.InferenceSession) {
    this.config = config;
    this.#session = session;
  }

  /** Build the graph from weights (or pass ready ONNX bytes) and open a session. */
  static async create(
    config: ModelConfig,
    weights: ReadonlyMap<string, Float32Array> | Uint8Array,
    opts: OrtOptions = {},
  ): Promise<OrtDenoiser> {
    const bytes = weights instanceof Uint8Array ? weights : denoiserOnnx(config, weights);
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: opts.intraOpThreads ?? 0,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
    return new OrtDenoiser(config, session);
  }

  /**
   * x [B,S,S,C] (flat), t [B], tokens [B,L] -> prediction [B,S,S,C] (flat).
   */
  async predict(x: Float32Array, t: Float32Array, tokens: Int32Array): Promise<Float32Array> {
    const c = this.config;
    const B = t.length;
    if (x.length !== B * imageValues(c) || tokens.length !== B * c.maxTokens) {
      throw new RangeError(
        `Cannot run denoiser on a batch of ${B} as x must have ${B * imageValues(c)} values and ` +
          `tokens ${B * c.maxTokens}: current lengths are ${x.length} and ${tokens.length}`,
      );
    }
    const S = c.imageSize;
    const out = await this.#session.run({
      x: new ort.Tensor("float32", x, [B, S, S, c.channels]),
      t: new ort.Tensor("float32", t, [B]),
      tokens: new ort.Tensor("int32", tokens, [B, c.maxTokens]),
    });
    return out.prediction!.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}
