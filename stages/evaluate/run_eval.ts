/**
 * Evaluates a fine-tuned model directory against its base directory (each a model.safetensors
 * + config.json, sampled on onnxruntime through models/sampler.ts) with the ONNX rewards of
 * their manifests, and writes eval.json + eval.md.
 *
 * `identity` hashes the options, both models' weights and every reward (manifest and model
 * file), so `evaluationHook` can skip an evaluation already done for the same inputs.
 */
import { dirname, join, resolve } from "node:path";
import { Sampler } from "../../models/sampler.ts";
import { canonicalJson, sha256Hex } from "../../lib/hash.ts";
import { logger } from "../../lib/log.ts";
import type { StageContext } from "../../schemas/stage_spec.ts";
import { OnnxReward } from "../../models/rewards/onnx_reward.ts";
import { readRewardManifest } from "../../models/rewards/reward_manifest.ts";
import type { FineTuneResult } from "../train/fine_tune.ts";
import { compareModels } from "./compare_models.ts";
import { findRewardManifests, readEvalPrompts } from "./eval_inputs.ts";
import type { EvalOptions } from "./eval_options.ts";
import { type EvalReport, formatEvalSection, writeEvalReport } from "./eval_report.ts";

const log = logger("evaluate");

async function hashFile(path: string): Promise<string> {
  return sha256Hex(await Deno.readFile(path));
}

const weightsFile = (dir: string) =>
  dir.endsWith(".safetensors") ? dir : join(dir, "model.safetensors");

/** The identity of an evaluation: options, both weights, every reward's manifest and model. */
export async function evalIdentity(
  base: string,
  tuned: string,
  manifests: readonly string[],
  o: EvalOptions,
): Promise<string> {
  const rewards = [];
  for (const m of manifests) {
    const text = await Deno.readTextFile(m);
    const file = JSON.parse(text).file;
    const model = typeof file === "string" ? resolve(dirname(m), file) : null;
    rewards.push({ manifest: sha256Hex(text), model: model ? await hashFile(model) : null });
  }
  return sha256Hex(canonicalJson({
    options: { ...o, rewards: null },
    base: await hashFile(weightsFile(base)),
    tuned: await hashFile(weightsFile(tuned)),
    rewards,
  }));
}

/** Samples, scores and tabulates; writes `<out>/eval.json` and `eval.md` when `out` is given. */
export async function evaluateModelDirs(
  base: string,
  tuned: string,
  o: EvalOptions,
  out: string | null,
): Promise<EvalReport> {
  const prompts = await readEvalPrompts(o.prompts, o.max_prompts);
  const manifests = o.rewards ?? await findRewardManifests();
  const identity = await evalIdentity(base, tuned, manifests, o);
  const rewards: OnnxReward[] = [];
  const samplers: Sampler[] = [];
  try {
    for (const m of manifests) rewards.push(await OnnxReward.load(m));
    samplers.push(await Sampler.load(base), await Sampler.load(tuned));
    const result = await compareModels(samplers[0]!, samplers[1]!, rewards, prompts, {
      seedsPerPrompt: o.seeds_per_prompt,
      seedBase: o.seed_base,
      steps: o.steps,
      guidance: o.guidance,
      chunk: o.chunk,
      resamples: o.resamples,
      level: o.level,
      seed: o.seed,
      shapeEval: o.shapeeval,
      progress: "evaluate",
    });
    const report: EvalReport = { ...result, base, tuned, identity };
    if (out !== null) await writeEvalReport(out, report);
    return report;
  } finally {
    for (const r of rewards) await r.close();
    for (const s of samplers) await s.release();
  }
}

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
    const identity = await evalIdentity(result.baseDir, result.modelDir, manifests, fixed);
    try {
      const done = JSON.parse(await Deno.readTextFile(join(out, "eval.json")));
      // An eval.json from before per-image scores were kept is redone: the report needs them.
      if (done.identity === identity && done.per_image !== undefined) {
        log.info("evaluation already done for this model, rewards and options", { out });
        return;
      }
    } catch { /* none yet */ }
    ctx.signal.throwIfAborted();
    const report = await evaluateModelDirs(result.baseDir, result.modelDir, fixed, out);
    log.info(`evaluation written to ${out}/eval.{json,md}`);
    log.info(formatEvalSection(report));
  };
}
