/**
 * Evaluation of a fine-tuned model against its base (SPEC 1.6): both sample every prompt with
 * the same seeds (the same initial noise), every reward scores both images of each seed, and
 *
 *   1. per reward: win-rate of tuned over base (ties count half, stages/evaluate/win_rate.ts) with a 95%
 *      percentile bootstrap interval over prompts (the seeds of a prompt are resampled together,
 *      stages/evaluate/bootstrap.ts), wins/ties/losses and the mean reward of each model;
 *   2. ShapeEval (shapeworld/evaluate.ts) of every image: GenEval's table per model, and the
 *      win-rate of tuned on correctness (1 = only tuned correct, 0.5 = both or neither);
 *   3. every image's seed, scores and correctness (`per_image`), for the run report's reward
 *      distributions and its base-vs-tuned contact sheets.
 *
 * Seeds are seedBase + promptIndex * seedsPerPrompt + k, as models/shapeeval.ts, so numbers
 * from both tools refer to the same images.
 */
import { Progress } from "../../lib/log.ts";
import { type EvalTable, evalTable, evaluateImage } from "../../shapeworld/evaluate.ts";
import type { RewardModel, RgbImage } from "../../models/rewards/reward_model.ts";
import { bootstrapMean, type Interval } from "./bootstrap.ts";
import { groupMeans, tally, winScores } from "./win_rate.ts";

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

export interface CompareOptions {
  /** Seeds per prompt. @default {4} (GenEval's) */
  seedsPerPrompt?: number;
  /** @default {1_000_000} clear of the generator's training seeds */
  seedBase?: number;
  /** Sampling steps. @default {30} */
  steps?: number;
  /** Classifier-free guidance. @default {4} */
  guidance?: number;
  /** Images per sampler and reward call. @default {64} */
  chunk?: number;
  /** Bootstrap resamples. @default {1000} */
  resamples?: number;
  /** Interval coverage. @default {0.95} */
  level?: number;
  /** Seed of the bootstrap draws. @default {0} */
  seed?: number;
  /** Reward differences within this are ties. @default {0} */
  tieTolerance?: number;
  /** Judge images with ShapeEval (needs ShapeWorld prompts and 32x32 images). @default {true} */
  shapeEval?: boolean;
  /** Progress label; none when omitted. */
  progress?: string;
}

export interface RewardComparison {
  reward: string;
  /** Win-rate of tuned over base with its bootstrap interval. */
  win_rate: Interval;
  wins: number;
  ties: number;
  losses: number;
  mean_base: number;
  mean_tuned: number;
}

export interface ComparisonResult {
  prompts: number;
  seeds_per_prompt: number;
  /** Images per model. */
  images: number;
  sampling: { steps: number; guidance: number; seed_base: number };
  rewards: RewardComparison[];
  shapeeval: { base: EvalTable; tuned: EvalTable; win_rate: Interval } | null;
  /** Every image's scores, for distributions and contact sheets (report/). */
  per_image: PerImageScores;
  seconds: number;
}

/**
 * Per image, in evaluation order: image i shows `prompts[floor(i / seeds_per_prompt)]` sampled
 * with `seeds[i]`, the same for both models.
 */
export interface PerImageScores {
  prompts: string[];
  seeds: number[];
  /** Reward name -> the score of every image. */
  base: Record<string, number[]>;
  tuned: Record<string, number[]>;
  /** ShapeEval correctness of every image (null when ShapeEval is off). */
  correct: { base: boolean[]; tuned: boolean[] } | null;
}

export async function compareModels(
  base: ImageSampler,
  tuned: ImageSampler,
  rewards: readonly RewardModel[],
  prompts: readonly string[],
  opts: CompareOptions = {},
): Promise<ComparisonResult> {
  const o = {
    seedsPerPrompt: 4,
    seedBase: 1_000_000,
    steps: 30,
    guidance: 4,
    chunk: 64,
    resamples: 1000,
    level: 0.95,
    seed: 0,
    tieTolerance: 0,
    shapeEval: true,
    ...opts,
  };
  check(base, tuned, rewards, prompts, o.seedsPerPrompt, o.chunk);
  const t0 = performance.now();
  const S = o.seedsPerPrompt;
  const jobs = prompts.flatMap((prompt, i) =>
    Array.from({ length: S }, (_, k) => ({ prompt, seed: o.seedBase + i * S + k }))
  );
  const n = jobs.length;
  const K = rewards.length;
  const scores = { base: new Float64Array(n * K), tuned: new Float64Array(n * K) };
  const judged = {
    base: [] as { category: string; correct: boolean }[],
    tuned: [] as { category: string; correct: boolean }[],
  };
  const bar = o.progress ? new Progress(o.progress, 2 * n) : null;
  for (let start = 0; start < n; start += o.chunk) {
    const part = jobs.slice(start, start + o.chunk);
    const req = {
      prompts: part.map((j) => j.prompt),
      seeds: part.map((j) => j.seed),
      steps: o.steps,
      guidance: o.guidance,
    };
    for (const [which, model] of [["base", base], ["tuned", tuned]] as const) {
      const images = await model.sample(req);
      const size = model.config.imageSize;
      const rgb: RgbImage[] = images.map((b) => ({ width: size, height: size, rgb: b }));
      for (let k = 0; k < K; k++) {
        const r = await rewards[k]!.score(rgb, req.prompts);
        if (r.length !== part.length) {
          throw new RangeError(
            `Cannot use reward '${rewards[k]!.name}' as it returned ${r.length} scores for ` +
              `${part.length} images`,
          );
        }
        r.forEach((v, i) => scores[which][(start + i) * K + k] = v);
      }
      if (o.shapeEval) {
        images.forEach((img, i) => {
          const e = evaluateImage(req.prompts[i]!, img);
          judged[which].push({ category: e.category, correct: e.correct });
        });
      }
      bar?.tick(part.length);
    }
  }
  // 1. per reward
  const column = (a: Float64Array, k: number) =>
    Float64Array.from({ length: n }, (_, i) => a[i * K + k]!);
  const interval = (w: Float64Array) =>
    bootstrapMean(groupMeans(w, S), { resamples: o.resamples, level: o.level, seed: o.seed });
  const out: RewardComparison[] = rewards.map((r, k) => {
    const b = column(scores.base, k), t = column(scores.tuned, k);
    const w = winScores(b, t, o.tieTolerance);
    return {
      reward: r.name,
      win_rate: interval(w),
      ...tally(w),
      mean_base: b.reduce((a, x) => a + x, 0) / n,
      mean_tuned: t.reduce((a, x) => a + x, 0) / n,
    };
  });
  // 2. ShapeEval
  let shapeeval: ComparisonResult["shapeeval"] = null;
  if (o.shapeEval) {
    const correct = (xs: { correct: boolean }[]) => xs.map((x) => (x.correct ? 1 : 0));
    shapeeval = {
      base: evalTable(judged.base),
      tuned: evalTable(judged.tuned),
      win_rate: interval(winScores(correct(judged.base), correct(judged.tuned))),
    };
  }
  const perReward = (a: Float64Array) =>
    Object.fromEntries(rewards.map((r, k) => [r.name, Array.from(column(a, k))]));
  const per_image: PerImageScores = {
    prompts: [...prompts],
    seeds: jobs.map((j) => j.seed),
    base: perReward(scores.base),
    tuned: perReward(scores.tuned),
    correct: o.shapeEval
      ? {
        base: judged.base.map((x) => x.correct),
        tuned: judged.tuned.map((x) => x.correct),
      }
      : null,
  };
  return {
    prompts: prompts.length,
    seeds_per_prompt: S,
    images: n,
    sampling: { steps: o.steps, guidance: o.guidance, seed_base: o.seedBase },
    rewards: out,
    shapeeval,
    per_image,
    seconds: (performance.now() - t0) / 1000,
  };
}

function check(
  base: ImageSampler,
  tuned: ImageSampler,
  rewards: readonly RewardModel[],
  prompts: readonly string[],
  seedsPerPrompt: number,
  chunk: number,
): void {
  if (prompts.length === 0) throw new RangeError("Cannot evaluate on no prompts");
  for (const [name, v] of [["seedsPerPrompt", seedsPerPrompt], ["chunk", chunk]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(
        `Cannot evaluate as ${name} must be a positive integer: current value is ${v}`,
      );
    }
  }
  if (base.config.imageSize !== tuned.config.imageSize) {
    throw new RangeError(
      `Cannot compare models with different image sizes: base ${base.config.imageSize}, tuned ${tuned.config.imageSize}`,
    );
  }
  const names = rewards.map((r) => r.name);
  const dup = names.find((x, i) => names.indexOf(x) !== i);
  if (dup !== undefined) throw new RangeError(`Cannot evaluate with reward '${dup}' twice`);
}
