/**
 * Evaluates a fine-tuned model directory against its base directory (each a model.safetensors
 * + config.json, sampled on onnxruntime through models/sampler.ts) with the ONNX rewards of
 * their manifests, and writes eval.json + eval.md.
 *
 * `identity` hashes the options, the prompts evaluated, both models' weights and every reward
 * (manifest and model file), so `evaluationHook` can skip an evaluation already done for the
 * same inputs. Each model's scores go through ModelDirScorer, so with a cache folder a model
 * scored on the same inputs before (the base of every run) is not sampled again.
 */
import { dirname, join } from "node:path";
import { canonicalJson, sha256Hex } from "../../lib/hash.ts";
import { logger } from "../../lib/log.ts";
import type { StageContext } from "../../schemas/stage_spec.ts";
import { readRewardManifest } from "../../models/rewards/reward_manifest.ts";
import type { FineTuneResult } from "../train/fine_tune.ts";
import { pairScores } from "./compare_models.ts";
import { findRewardManifests, readEvalPrompts } from "./eval_inputs.ts";
import type { EvalOptions } from "./eval_options.ts";
import { type EvalReport, formatEvalSection, writeEvalReport } from "./eval_report.ts";
import { ModelDirScorer, rewardIdentities, weightsHash } from "./model_dir_scorer.ts";

const log = logger("evaluate");

/**
 * The identity of an evaluation: options, the prompts, both weights, every reward's manifest
 * and model.
 */
export async function evalIdentity(
  base: string,
  tuned: string,
  manifests: readonly string[],
  o: EvalOptions,
  prompts: readonly string[],
): Promise<string> {
  // Where scores are cached does not change them.
  const { cache: _cache, ...options } = o;
  return sha256Hex(canonicalJson({
    options: { ...options, rewards: null },
    prompts,
    base: await weightsHash(base),
    tuned: await weightsHash(tuned),
    rewards: await rewardIdentities(manifests),
  }));
}

/**
 * Samples, scores and tabulates; writes `<out>/eval.json` and `eval.md` when `out` is given.
 * With `cacheDir`, each model's scores come from there when it was scored on the same inputs
 * before (the base, for every run against it), and are kept there otherwise (score_cache.ts).
 */
export async function evaluateModelDirs(
  base: string,
  tuned: string,
  o: EvalOptions,
  out: string | null,
  cacheDir: string | null = null,
): Promise<EvalReport> {
  const t0 = performance.now();
  const prompts = await readEvalPrompts(o.prompts, o.max_prompts);
  const manifests = o.rewards ?? await findRewardManifests();
  const identity = await evalIdentity(base, tuned, manifests, o, prompts);
  const scorer = await ModelDirScorer.create(manifests, {
    prompts,
    seedsPerPrompt: o.seeds_per_prompt,
    seedBase: o.seed_base,
    steps: o.steps,
    guidance: o.guidance,
    shapeEval: o.shapeeval,
  }, { chunk: o.chunk, cacheDir });
  try {
    const b = await scorer.scores(base, "base");
    const t = await scorer.scores(tuned, "tuned");
    const result = pairScores(b, t, {
      seedsPerPrompt: o.seeds_per_prompt,
      seedBase: o.seed_base,
      steps: o.steps,
      guidance: o.guidance,
      resamples: o.resamples,
      level: o.level,
      seed: o.seed,
    });
    const report: EvalReport = {
      ...result,
      seconds: (performance.now() - t0) / 1000,
      base,
      tuned,
      identity,
    };
    if (out !== null) await writeEvalReport(out, report);
    return report;
  } finally {
    await scorer.close();
  }
}

/** Where a run's evaluations cache model scores: `<runs_dir>/eval-cache`, beside the runs. */
export const evalCacheDir = (runDir: string) => join(dirname(runDir), "eval-cache");

/**
 * The trainer sink's `afterTraining` hook: evaluates the fine-tuned model against its base into
 * `<runDir>/eval/` (skipped when eval.json already holds this evaluation), and logs the section.
 * Built before the run starts, it checks its inputs then (the prompt file, every reward
 * manifest and its model file), so a bad evaluation config fails before any stage runs.
 *
 *     trainerSink(cfg.train, { afterTraining: await evaluationHook(cfg.evaluate) })
 */
export async function evaluationHook(
  o: EvalOptions,
): Promise<(result: FineTuneResult, ctx: StageContext) => Promise<void>> {
  await readEvalPrompts(o.prompts, o.max_prompts);
  const manifests = o.rewards ?? await findRewardManifests();
  for (const path of manifests) {
    const m = await readRewardManifest(path);
    try {
      await Deno.stat(m.file);
    } catch {
      throw new TypeError(
        `Cannot evaluate with reward manifest '${path}': no model file '${m.file}'`,
      );
    }
  }
  const fixed: EvalOptions = { ...o, rewards: manifests };
  return async (result, ctx) => {
    const out = join(ctx.runDir, "eval");
    const prompts = await readEvalPrompts(fixed.prompts, fixed.max_prompts);
    const identity = await evalIdentity(
      result.baseDir,
      result.modelDir,
      manifests,
      fixed,
      prompts,
    );
    try {
      const done = JSON.parse(await Deno.readTextFile(join(out, "eval.json")));
      // An eval.json from before per-image scores were kept is redone: the report needs them.
      if (done.identity === identity && done.per_image !== undefined) {
        log.info("evaluation already done for this model, rewards and options", { out });
        return;
      }
    } catch { /* none yet */ }
    ctx.signal.throwIfAborted();
    const report = await evaluateModelDirs(
      result.baseDir,
      result.modelDir,
      fixed,
      out,
      o.cache ? evalCacheDir(ctx.runDir) : null,
    );
    log.info(`evaluation written to ${out}/eval.{json,md}`);
    log.info(formatEvalSection(report));
  };
}
