/**
 * One model's side of a paired evaluation (docs/method.md §6.1): sample every prompt with its
 * seeds, score every image with every reward and judge it with ShapeEval. Two models scored on
 * the same prompts and seeds are a matched pair image by image, which is all the win-rate, the
 * paired bootstrap and `capo compare` need; so the scores of one model can be computed once and
 * reused (score_cache.ts).
 *
 * Seeds: image k of prompt i uses seedBase + i * seedsPerPrompt + k (models/shapeeval.ts).
 */
import { Progress } from "../../lib/log.ts";
import { evaluateImage } from "../../shapeworld/evaluate.ts";
import type { RewardModel, RgbImage } from "../../models/rewards/reward_model.ts";

/** What the evaluation needs of a model: seeded text-to-image sampling (`Sampler` fits). */
export interface ImageSampler {
  readonly config: { imageSize: number };
  sample(req: {
    prompts: readonly string[];
    seeds: readonly number[];
    steps?: number;
    guidance?: number;
  }): Promise<Uint8Array[]>;
}

/** What fixes the images: the prompts, the seeds and the sampler's settings. */
export interface SampleSettings {
  prompts: readonly string[];
  seedsPerPrompt: number;
  seedBase: number;
  steps: number;
  guidance: number;
  /** Judge images with ShapeEval (ShapeWorld prompts, 32x32 images). */
  shapeEval: boolean;
}

/** Per image, in order: image i shows prompts[floor(i / seeds_per_prompt)] with seeds[i]. */
export interface ModelScores {
  prompts: string[];
  seeds_per_prompt: number;
  seeds: number[];
  /** Reward name -> the score of every image. */
  rewards: Record<string, number[]>;
  /** ShapeEval's verdict and category of every image (null when ShapeEval is off). */
  shapeeval: { correct: boolean[]; category: string[] } | null;
}

/** The seed of every image. */
export function imageSeeds(s: SampleSettings): number[] {
  const S = s.seedsPerPrompt;
  return s.prompts.flatMap((_, i) => Array.from({ length: S }, (_, k) => s.seedBase + i * S + k));
}

/** Samples and scores every image of `s`, `chunk` images per sampler and reward call. */
export async function scoreModel(
  model: ImageSampler,
  rewards: readonly RewardModel[],
  s: SampleSettings,
  opts: { chunk: number; progress?: string },
): Promise<ModelScores> {
  const S = s.seedsPerPrompt;
  const seeds = imageSeeds(s);
  const prompts = s.prompts.flatMap((p) => Array<string>(S).fill(p));
  const n = seeds.length;
  const scores = rewards.map(() => new Array<number>(n));
  const correct: boolean[] = [], category: string[] = [];
  const bar = opts.progress ? new Progress(opts.progress, n) : null;
  for (let start = 0; start < n; start += opts.chunk) {
    const req = {
      prompts: prompts.slice(start, start + opts.chunk),
      seeds: seeds.slice(start, start + opts.chunk),
      steps: s.steps,
      guidance: s.guidance,
    };
    const images = await model.sample(req);
    const size = model.config.imageSize;
    const rgb: RgbImage[] = images.map((b) => ({ width: size, height: size, rgb: b }));
    for (let k = 0; k < rewards.length; k++) {
      const r = await rewards[k]!.score(rgb, req.prompts);
      if (r.length !== images.length) {
        throw new RangeError(
          `Cannot use reward '${rewards[k]!.name}' as it returned ${r.length} scores for ` +
            `${images.length} images`,
        );
      }
      r.forEach((v, i) => scores[k]![start + i] = v);
    }
    if (s.shapeEval) {
      images.forEach((img, i) => {
        const e = evaluateImage(req.prompts[i]!, img);
        correct.push(e.correct);
        category.push(e.category);
      });
    }
    bar?.tick(images.length);
  }
  return {
    prompts: [...s.prompts],
    seeds_per_prompt: S,
    seeds,
    rewards: Object.fromEntries(rewards.map((r, k) => [r.name, scores[k]!])),
    shapeeval: s.shapeEval ? { correct, category } : null,
  };
}
