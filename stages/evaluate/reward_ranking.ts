/**
 * Each reward's within-prompt ranking accuracy on a base model's samples
 * (models/rewards/ranking_accuracy.ts): sample every prompt N times (ModelDirScorer, so through
 * the score cache), judge each sample with ShapeEval, and count how often each reward ranks a
 * right sample above a wrong one of the same prompt. Prompts are stratified by category when
 * capped (eval_inputs.ts); the sampler runs with the generate stage's defaults, the setting in
 * which pairs are selected.
 */
import { findRewardManifests, readEvalPrompts } from "./eval_inputs.ts";
import { ModelDirScorer } from "./model_dir_scorer.ts";
import { type RankingAccuracy, rankingAccuracy } from "../../models/rewards/ranking_accuracy.ts";

export interface RankingOptions {
  /** The base model directory. */
  base: string;
  /** Prompt file. */
  prompts: string;
  /** Prompts, stratified by category; null: all. */
  maxPrompts: number | null;
  /** Samples per prompt, N. */
  samples: number;
  /** Reward manifests; null: those in data/rewards/. */
  rewards: string[] | null;
  seedBase: number;
  steps: number;
  guidance: number;
  chunk: number;
  cacheDir: string | null;
}

export async function measureRanking(o: RankingOptions): Promise<RankingAccuracy> {
  const prompts = await readEvalPrompts(o.prompts, o.maxPrompts);
  const manifests = o.rewards ?? await findRewardManifests();
  const scorer = await ModelDirScorer.create(manifests, {
    prompts,
    seedsPerPrompt: o.samples,
    seedBase: o.seedBase,
    steps: o.steps,
    guidance: o.guidance,
    shapeEval: true,
  }, { chunk: o.chunk, cacheDir: o.cacheDir });
  let s;
  try {
    s = await scorer.scores(o.base, "base");
  } finally {
    await scorer.close();
  }
  const names = Object.keys(s.rewards);
  const judged = s.shapeeval!;
  return rankingAccuracy(
    s.seeds.map((_, i) => ({
      prompt: s.prompts[Math.floor(i / s.seeds_per_prompt)]!,
      category: judged.category[i]!,
      correct: judged.correct[i]!,
      scores: Object.fromEntries(names.map((k) => [k, s.rewards[k]![i]!])),
    })),
    names,
  );
}
