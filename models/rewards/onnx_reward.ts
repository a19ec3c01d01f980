/**
 * ONNX reward models through onnxruntime-node, each described by a JSON manifest
 * (reward_manifest.ts, docs/reward_manifest.md):
 *
 *   const reward = await OnnxReward.load("data/rewards/aesthetic.json");
 *   const scores = await reward.score(images, prompts); // Float64Array, one per image
 *
 * Checked at load: the model file exists, the manifest's input and output names exist in the
 * graph, every graph input is fed by the manifest, and fixed dims the graph declares for the
 * image and token inputs agree with the manifest. Checked per batch: the output is [B] or
 * [B, 1] ([B, C] for softmax) with the batch's B. Every error names the model.
 * (Finiteness of scores is checked by the scorer, which can name the sample.)
 */
import * as ort from "onnxruntime-node";
import { imageTensor } from "./image_tensor.ts";
import { PromptTokens } from "./prompt_tokens.ts";
import { readRewardManifest, type RewardManifest } from "./reward_manifest.ts";
import type { RewardModel, RgbImage } from "./reward_model.ts";

export class OnnxReward implements RewardModel {
  readonly name: string;
  readonly manifest: RewardManifest;
  #session: ort.InferenceSession;
  #tokens: PromptTokens | null;

  private constructor(manifest: RewardManifest, session: ort.InferenceSession) {
    this.name = manifest.name;
    this.manifest = manifest;
    this.#session = session;
    this.#tokens = manifest.inputs.prompt ? new PromptTokens(manifest.inputs.prompt) : null;
  }

  /** Reads the manifest at `manifestPath` and loads its model. */
  static async load(
    manifestPath: string,
    options: ort.InferenceSession.SessionOptions = {},
  ): Promise<OnnxReward> {
    return await OnnxReward.fromManifest(await readRewardManifest(manifestPath), options);
  }

  /** Loads the model of an already validated manifest. */
  static async fromManifest(
    manifest: RewardManifest,
    options: ort.InferenceSession.SessionOptions = {},
  ): Promise<OnnxReward> {
    const fail = (why: string) =>
      new TypeError(
        `Cannot load reward model '${manifest.name}' (manifest '${manifest.source}'): ${why}`,
      );
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(manifest.file);
    } catch (err) {
      const why = err instanceof Deno.errors.NotFound ? "no such file" : String(err);
      throw fail(`cannot read the model file '${manifest.file}': ${why}`);
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, options);
    } catch (err) {
      throw fail(`onnxruntime cannot load '${manifest.file}': ${(err as Error).message}`);
    }
    const { image, prompt } = manifest.inputs;
    const fed = [image.name, ...(prompt ? [prompt.name] : [])];
    for (const name of fed) {
      if (!session.inputNames.includes(name)) {
        throw fail(
          `the graph has no input '${name}': its inputs are ${session.inputNames.join(", ")}`,
        );
      }
    }
    for (const name of session.inputNames) {
      if (!fed.includes(name)) {
        throw fail(`the graph input '${name}' is not described in the manifest's inputs`);
      }
    }
    if (!session.outputNames.includes(manifest.output.name)) {
      throw fail(
        `the graph has no output '${manifest.output.name}': its outputs are ${
          session.outputNames.join(", ")
        }`,
      );
    }
    const [H, W] = image.size;
    const expected: Record<string, (number | null)[]> = {
      [image.name]: image.layout === "NCHW" ? [null, 3, H, W] : [null, H, W, 3],
    };
    if (prompt) expected[prompt.name] = [null, prompt.max_len];
    for (const meta of session.inputMetadata ?? []) {
      const want = expected[meta.name];
      if (!want || !meta.isTensor || meta.shape.length === 0) continue;
      const ok = meta.shape.length === want.length &&
        meta.shape.every((d, i) =>
          typeof d !== "number" || want[i] === null || d === want[i] || d < 0
        );
      if (!ok) {
        throw fail(
          `the graph input '${meta.name}' has shape [${meta.shape.join(", ")}] but the manifest ` +
            `describes [${want.map((d) => d ?? "B").join(", ")}]`,
        );
      }
    }
    return new OnnxReward(manifest, session);
  }

  async score(images: readonly RgbImage[], prompts: readonly string[]): Promise<Float64Array> {
    const B = images.length;
    const m = this.manifest;
    if (prompts.length !== B) {
      throw new RangeError(
        `Cannot score with reward model '${this.name}' as it got ${B} images and ${prompts.length} prompts`,
      );
    }
    if (B === 0) return new Float64Array(0);
    const img = imageTensor(
      images,
      m.inputs.image,
      (i) => `batch item ${i} (reward model '${this.name}')`,
    );
    const feeds: Record<string, ort.Tensor> = {
      [m.inputs.image.name]: new ort.Tensor("float32", img.data, img.dims),
    };
    if (this.#tokens && m.inputs.prompt) {
      const tok = this.#tokens.encode(prompts);
      feeds[m.inputs.prompt.name] = tok.data instanceof BigInt64Array
        ? new ort.Tensor("int64", tok.data, tok.dims)
        : new ort.Tensor("int32", tok.data, tok.dims);
    }
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await this.#session.run(feeds);
    } catch (err) {
      const shapes = Object.entries(feeds).map(([n, t]) => `${n} [${t.dims.join(", ")}]`).join(
        ", ",
      );
      throw new RangeError(
        `Cannot score with reward model '${this.name}' as onnxruntime rejected the inputs ${shapes}: ${
          (err as Error).message
        }`,
      );
    }
    return this.#readOutput(results[m.output.name]!, B);
  }

  #readOutput(t: ort.Tensor, B: number): Float64Array {
    const { kind, index, name } = this.manifest.output;
    const dims = [...t.dims];
    const bad = (why: string) =>
      new RangeError(
        `Cannot read the output '${name}' of reward model '${this.name}' as ${why}: current shape is [${
          dims.join(", ")
        }] for a batch of ${B}`,
      );
    if (t.type !== "float32" && t.type !== "float64") {
      throw bad(`it must be float32 or float64, not ${t.type}`);
    }
    const data = t.data as Float32Array | Float64Array;
    const out = new Float64Array(B);
    if (kind === "softmax") {
      if (dims.length !== 2) throw bad("it must be [B, C] for kind 'softmax'");
      const C = dims[1]!;
      if (dims[0] !== B) throw bad(`its batch dimension must be ${B}`);
      if (index! >= C) throw bad(`output.index ${index} must be < C = ${C}`);
      for (let b = 0; b < B; b++) {
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, data[b * C + c]!);
        let z = 0;
        for (let c = 0; c < C; c++) z += Math.exp(data[b * C + c]! - max);
        out[b] = Math.exp(data[b * C + index!]! - max) / z;
      }
      return out;
    }
    const okShape = dims.length === 1 || (dims.length === 2 && dims[1] === 1);
    if (!okShape) throw bad(`it must be [B] or [B, 1] for kind '${kind}'`);
    if (dims[0] !== B) throw bad(`its batch dimension must be ${B}`);
    for (let b = 0; b < B; b++) {
      const v = data[b]!;
      out[b] = kind === "sigmoid" ? 1 / (1 + Math.exp(-v)) : v;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}
