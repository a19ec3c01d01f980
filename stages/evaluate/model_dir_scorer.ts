/**
 * Scores of model directories (each a model.safetensors + config.json, sampled on onnxruntime
 * through models/sampler.ts) on one set of prompts, seeds and sampler settings, with the ONNX
 * rewards of their manifests: through the cache (score_cache.ts) when a folder is given, so a
 * model already scored on the same inputs is never sampled again. The rewards are loaded on the
 * first model that is not in the cache, and a sampler only for a model that is not.
 *
 *     const scorer = await ModelDirScorer.create(manifests, settings, { chunk: 64, cacheDir });
 *     try { const base = await scorer.scores("data/models/base-eps", "base"); ... }
 *     finally { await scorer.close(); }
 */
import { dirname, join, resolve } from "node:path";
import { sha256Hex } from "../../lib/hash.ts";
import { OnnxReward } from "../../models/rewards/onnx_reward.ts";
import { Sampler } from "../../models/sampler.ts";
import { type ModelScores, type SampleSettings, scoreModel } from "./model_scores.ts";
import { cachedScores } from "./score_cache.ts";

/** A reward's identity: the sha256 of its manifest's text and of its model file. */
export interface RewardIdentity {
  manifest: string;
  model: string | null;
}

const weightsFile = (dir: string) =>
  dir.endsWith(".safetensors") ? dir : join(dir, "model.safetensors");

/** sha256 of a model directory's weights (or of a .safetensors file). */
export async function weightsHash(dir: string): Promise<string> {
  return sha256Hex(await Deno.readFile(weightsFile(dir)));
}

/** Every reward's identity, in the order given. */
export async function rewardIdentities(manifests: readonly string[]): Promise<RewardIdentity[]> {
  const out: RewardIdentity[] = [];
  for (const m of manifests) {
    const text = await Deno.readTextFile(m);
    const file = JSON.parse(text).file;
    const model = typeof file === "string" ? resolve(dirname(m), file) : null;
    out.push({
      manifest: sha256Hex(text),
      model: model ? sha256Hex(await Deno.readFile(model)) : null,
    });
  }
  return out;
}

export class ModelDirScorer {
  readonly settings: SampleSettings;
  #manifests: readonly string[];
  #rewardIds: RewardIdentity[];
  #rewards: OnnxReward[] | null = null;
  #chunk: number;
  #cacheDir: string | null;

  private constructor(
    manifests: readonly string[],
    rewardIds: RewardIdentity[],
    settings: SampleSettings,
    o: { chunk: number; cacheDir: string | null },
  ) {
    this.#manifests = manifests;
    this.#rewardIds = rewardIds;
    this.settings = settings;
    this.#chunk = o.chunk;
    this.#cacheDir = o.cacheDir;
  }

  static async create(
    manifests: readonly string[],
    settings: SampleSettings,
    o: { chunk: number; cacheDir: string | null },
  ): Promise<ModelDirScorer> {
    return new ModelDirScorer(manifests, await rewardIdentities(manifests), settings, o);
  }

  /** What fixes a model's scores here: its weights and everything but the batch size. */
  identity(weights: string): unknown {
    const s = this.settings;
    return {
      weights,
      prompts: s.prompts,
      seeds_per_prompt: s.seedsPerPrompt,
      seed_base: s.seedBase,
      steps: s.steps,
      guidance: s.guidance,
      shapeeval: s.shapeEval,
      rewards: this.#rewardIds,
    };
  }

  /** The scores of the model in `dir` (from the cache, or sampled and scored now). */
  async scores(dir: string, label = dir): Promise<ModelScores> {
    const id = this.identity(await weightsHash(dir));
    return await cachedScores(this.#cacheDir, id, label, async () => {
      if (this.#rewards === null) {
        const loaded: OnnxReward[] = [];
        try {
          for (const m of this.#manifests) loaded.push(await OnnxReward.load(m));
        } catch (err) {
          for (const r of loaded) await r.close();
          throw err;
        }
        this.#rewards = loaded;
      }
      const sampler = await Sampler.load(dir);
      try {
        return await scoreModel(sampler, this.#rewards, this.settings, {
          chunk: this.#chunk,
          progress: `evaluate ${label}`,
        });
      } finally {
        await sampler.release();
      }
    });
  }

  async close(): Promise<void> {
    for (const r of this.#rewards ?? []) await r.close();
    this.#rewards = null;
  }
}
