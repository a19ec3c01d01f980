/**
 * Evaluation of a fine-tuned model against its base (docs/method.md §6): both sample every prompt
 * with the same seeds (the same initial noise), every reward scores both images of each seed, and
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
import { type EvalTable, evalTable } from "../../shapeworld/evaluate.ts";
import type { RewardModel } from "../../models/rewards/reward_model.ts";
import { bootstrapMean, type Interval } from "./bootstrap.ts";
import { type ImageSampler, type ModelScores, scoreModel } from "./model_scores.ts";
import { groupMeans, tally, winScores } from "./win_rate.ts";

export type { ImageSampler };

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
  const o = withDefaults(opts);
  check(base, tuned, rewards, prompts, o.seedsPerPrompt, o.chunk);
  const t0 = performance.now();
  const settings = {
    prompts,
    seedsPerPrompt: o.seedsPerPrompt,
    seedBase: o.seedBase,
    steps: o.steps,
    guidance: o.guidance,
    shapeEval: o.shapeEval,
  };
  const run = (label: string) => ({
    chunk: o.chunk,
    ...(o.progress ? { progress: `${o.progress} ${label}` } : {}),
  });
  const b = await scoreModel(base, rewards, settings, run("base"));
  const t = await scoreModel(tuned, rewards, settings, run("tuned"));
  return { ...pairScores(b, t, opts), seconds: (performance.now() - t0) / 1000 };
}

function withDefaults(opts: CompareOptions) {
  return {
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
}

/**
 * The comparison of two models' scores on the same images' prompts and seeds (from
 * `scoreModel`, or a cache): steps 1-3 above; `seconds` is left 0 for the caller.
 */
export function pairScores(
  base: ModelScores,
  tuned: ModelScores,
  opts: Omit<CompareOptions, "progress" | "chunk"> = {},
): ComparisonResult {
  const o = withDefaults(opts);
  const sameSeeds = base.seeds.length === tuned.seeds.length &&
    base.seeds.every((x, i) => x === tuned.seeds[i]) &&
    base.prompts.length === tuned.prompts.length &&
    base.prompts.every((x, i) => x === tuned.prompts[i]);
  if (!sameSeeds) {
    throw new RangeError(
      "Cannot compare two models' scores as they must be of the same prompts and seeds",
    );
  }
  const S = base.seeds_per_prompt;
  const n = base.seeds.length;
  const names = Object.keys(base.rewards);
  const interval = (w: Float64Array) =>
    bootstrapMean(groupMeans(w, S), { resamples: o.resamples, level: o.level, seed: o.seed });
  const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / n;
  // 1. per reward
  const out: RewardComparison[] = names.map((name) => {
    const b = base.rewards[name]!, t = tuned.rewards[name];
    if (t === undefined) {
      throw new RangeError(`Cannot compare reward '${name}' as the tuned model has no scores`);
    }
    const w = winScores(b, t, o.tieTolerance);
    return {
      reward: name,
      win_rate: interval(w),
      ...tally(w),
      mean_base: mean(b),
      mean_tuned: mean(t),
    };
  });
  // 2. ShapeEval
  let shapeeval: ComparisonResult["shapeeval"] = null;
  const jb = base.shapeeval, jt = tuned.shapeeval;
  if (jb !== null && jt !== null) {
    const table = (j: NonNullable<ModelScores["shapeeval"]>) =>
      evalTable(j.correct.map((correct, i) => ({ correct, category: j.category[i]! })));
    const ones = (xs: boolean[]) => xs.map((x) => (x ? 1 : 0));
    shapeeval = {
      base: table(jb),
      tuned: table(jt),
      win_rate: interval(winScores(ones(jb.correct), ones(jt.correct))),
    };
  }
  // 3. per image
  const per_image: PerImageScores = {
    prompts: [...base.prompts],
    seeds: [...base.seeds],
    base: base.rewards,
    tuned: Object.fromEntries(names.map((k) => [k, tuned.rewards[k]!])),
    correct: jb !== null && jt !== null ? { base: jb.correct, tuned: jt.correct } : null,
  };
  return {
    prompts: base.prompts.length,
    seeds_per_prompt: S,
    images: n,
    sampling: { steps: o.steps, guidance: o.guidance, seed_base: o.seedBase },
    rewards: out,
    shapeeval,
    per_image,
    seconds: 0,
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
