/**
 * How much the rewards agree: Spearman's rho between every two of them and with ShapeEval's
 * verdict (1 correct, 0 not), over one set of (image, prompt) items. The rewards must partly
 * disagree, as real ones do (docs/method.md §8): no two above MAX_AGREEMENT.
 *
 * Three sets: base-model samples generated here from a model folder (models/sampler.ts), or
 * read from a Parquet file or PNG folder (shapeworld/sample_files.ts); and, always, a
 * documented proxy: renders of EVAL prompts with random mismatches and degradations (the
 * config's `proxyMix`), which needs no base model.
 */
import { Rng } from "../../lib/rng.ts";
import { loadPrompts } from "../../shapeworld/prompts.ts";
import { Sampler } from "../sampler.ts";
import { evaluateImage } from "../../shapeworld/evaluate.ts";
import { readSamples } from "../../shapeworld/sample_files.ts";
import type { RewardModel } from "./reward_model.ts";
import { scoreItems } from "./evaluate.ts";
import { spearman } from "./metrics.ts";
import { withinPromptSpread } from "./spread.ts";

export { withinPromptSpread };
import { CaptionPool, drawSample, type SampleMix } from "./world_sample.ts";

/** Samples per prompt in the base-model set, as the pipeline's default N. */
export const SEEDS_PER_PROMPT = 16;

/** No two rewards may rank a set more alike than this. */
export const MAX_AGREEMENT = 0.9;

export interface ItemSet {
  /** What the items are, for the card. */
  source: string;
  items: { image: Uint8Array; caption: string }[];
}

/** The proxy set: `n` renders of eval prompts, item i from Rng.derive(seed, i). */
export function proxySet(mix: SampleMix, seed: number, n: number): ItemSet {
  const pool = new CaptionPool("eval");
  const items = Array.from({ length: n }, (_, i) => drawSample(pool, mix, Rng.derive(seed, i)));
  return {
    source:
      `proxy: ${n} ShapeWorld renders of eval prompts, mismatched with p = ${mix.pMismatch}, ` +
      `degradation levels drawn from [${mix.levels.join(", ")}] over ${mix.kinds.join(", ")}`,
    items,
  };
}

/** Base-model samples from a Parquet file or a PNG folder. */
export async function samplesSet(path: string): Promise<ItemSet> {
  const samples = await readSamples(path);
  if (samples.length === 0) {
    throw new RangeError(`Cannot correlate rewards on '${path}': it holds no samples`);
  }
  return {
    source: `base-model samples: ${samples.length} images from ${path}`,
    items: samples.map((s) => ({ image: s.rgb, caption: s.prompt })),
  };
}

/**
 * `n` samples of a base model (a folder with model.safetensors, as `deno task pretrain`
 * writes): eval prompt i mod P with seed Rng.derive(seed, i), the sampler's default steps and
 * guidance, one onnxruntime thread.
 */
export async function baseSampleSet(modelDir: string, seed: number, n: number): Promise<ItemSet> {
  const prompts = loadPrompts("eval");
  const sampler = await Sampler.load(modelDir, { intraOpThreads: 1 });
  try {
    // SEEDS_PER_PROMPT samples of each prompt, as the pipeline draws N per prompt, so the
    // within-prompt spread of each reward (its calibration tau) can be measured too.
    const captions = Array.from(
      { length: n },
      (_, i) => prompts[Math.floor(i / SEEDS_PER_PROMPT) % prompts.length]!,
    );
    const seeds = Array.from({ length: n }, (_, i) => Rng.derive(seed, i).nextU32());
    const images = await sampler.sample({ prompts: captions, seeds });
    return {
      source: `base-model samples: ${n} images of eval prompts from ${modelDir} ` +
        `(${SEEDS_PER_PROMPT} seeds per prompt, the sampler's default steps and guidance)`,
      items: images.map((image, i) => ({ image, caption: captions[i]! })),
    };
  } finally {
    await sampler.release();
  }
}

export interface Correlations {
  source: string;
  n: number;
  /** Row and column names: the rewards, then "shapeeval". */
  names: string[];
  /** Spearman's rho, names x names. */
  rho: number[][];
  /** The largest rho between two different rewards (ShapeEval excluded). */
  maxRewardPair: { a: string; b: string; rho: number };
  /**
   * Per reward, the median over prompts of the standard deviation of its scores among one
   * prompt's samples; null when no prompt has two samples (the proxy set).
   */
  spread: Record<string, number> | null;
}

/** Score `set` with every model and ShapeEval and correlate them all. */
export async function correlate(
  models: readonly RewardModel[],
  set: ItemSet,
): Promise<Correlations> {
  const series: number[][] = [];
  for (const m of models) series.push([...await scoreItems(m, set.items)]);
  series.push(set.items.map((it) => (evaluateImage(it.caption, it.image).correct ? 1 : 0)));
  const names = [...models.map((m) => m.name), "shapeeval"];
  const rho = names.map((_, i) =>
    names.map((_, j) => (i === j ? 1 : Math.round(spearman(series[i]!, series[j]!) * 1e4) / 1e4))
  );
  let maxRewardPair = { a: "", b: "", rho: -Infinity };
  for (let i = 0; i < models.length; i++) {
    for (let j = i + 1; j < models.length; j++) {
      if (rho[i]![j]! > maxRewardPair.rho) {
        maxRewardPair = { a: names[i]!, b: names[j]!, rho: rho[i]![j]! };
      }
    }
  }
  const captions = set.items.map((it) => it.caption);
  const spreads = models.map((m, k) => [m.name, withinPromptSpread(series[k]!, captions)] as const);
  const spread = spreads.every(([, v]) => v !== null)
    ? Object.fromEntries(spreads.map(([k, v]) => [k, Math.round(v! * 1e4) / 1e4]))
    : null;
  return { source: set.source, n: set.items.length, names, rho, maxRewardPair, spread };
}
