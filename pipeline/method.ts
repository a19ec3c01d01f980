/**
 * The method's stages in order (docs/method.md), as the run builds them from its config:
 *
 *     prompts -> generate -> score -> calibrate -> select -> train (sink, then evaluate, report)
 *
 * `Method` types the chain: each entry's output record is the next one's input (Prompt ->
 * Sample -> Scored -> Calibrated -> Pair), checked by the compiler. The run executes the longest
 * prefix of entries that build and then stops, naming the first whose build throws
 * `StageUnavailable` (an input such as the base model or the reward models does not exist yet)
 * and why. Nothing stands in for a missing stage: no fake images, rewards or pairs.
 *
 * Model code (onnxruntime, tfjs) is imported inside the builds, so importing this module (as
 * the pipeline tests do) loads neither.
 */
import type { RunConfig } from "./config.ts";
import type { RunPlan } from "./plan.ts";
import { promptSourceSpec } from "../stages/prompts/spec.ts";
import type { SinkSpec, SourceSpec, StageSpec } from "../schemas/stage_spec.ts";
import { logger } from "../lib/log.ts";
import { resolveRewards } from "../stages/score/reward_set.ts";
import { StageUnavailable } from "../schemas/stage_unavailable.ts";
import { DATA_STAGES, STAGE_NAMES, type StageName } from "../schemas/stage_names.ts";
import { exists } from "../lib/read_if_exists.ts";
import { type Calibrated, calibratedSchema } from "../schemas/calibrated.ts";
import { type Pair, pairSchema } from "../schemas/pair.ts";
import type { Prompt } from "../schemas/prompt.ts";
import type { Sample } from "../schemas/sample.ts";
import type { Scored } from "../schemas/scored.ts";
import { CalibrateStream } from "../stages/calibrate/calibrate.ts";
import { baseTauFor } from "../stages/calibrate/base_tau.ts";
import { dirname } from "node:path";
import { SelectPairsStream } from "../stages/select/select_pairs.ts";

export { DATA_STAGES, STAGE_NAMES, type StageName, StageUnavailable };

/** Builds one entry of the method from the run config. */
export type Build<S> = (cfg: RunConfig) => Promise<S>;

/** The method, entry by entry; each output record type is the next entry's input. */
export interface Method {
  prompts: Build<SourceSpec<Prompt>>;
  generate: Build<StageSpec<Prompt, Sample>>;
  score: Build<StageSpec<Sample, Scored>>;
  calibrate: Build<StageSpec<Scored, Calibrated>>;
  select: Build<StageSpec<Calibrated, Pair>>;
  train: Build<SinkSpec<Pair>>;
}

// Every stage name has a typed entry in Method, and every entry a name.
STAGE_NAMES satisfies readonly (keyof Method)[];
const _everyEntryNamed: [Exclude<keyof Method, StageName>] extends [never] ? true : false = true;

/** The reward names of the run (from the manifests): the columns of score..select. */
async function rewardNames(cfg: RunConfig): Promise<string[]> {
  return (await resolveRewards(cfg.score)).map((m) => m.name);
}

/**
 * tau per reward: the run config's, else the generating base's own (`<generate.model>/tau.json`,
 * measured on its samples of the fine-tuning prompts by `capo tau`), else the reward manifest's
 * suggestion, else 1. A config tau for a reward the run does not score is left in, so
 * CalibrateStream rejects it.
 */
async function calibrationTau(cfg: RunConfig): Promise<Record<string, number>> {
  const manifests = await resolveRewards(cfg.score);
  const tau: Record<string, number> = {};
  for (const m of manifests) if (m.tau !== null) tau[m.name] = m.tau;
  const model = cfg.generate.model;
  const dir = model.endsWith(".safetensors") ? dirname(model) : model;
  const base = await baseTauFor(dir, manifests);
  if (base.stale.length > 0) {
    logger("run").warn(
      `${dir}/tau.json was measured with other models of ${base.stale.join(", ")}: using the ` +
        "manifests' tau for them; rerun capo tau to measure them again",
    );
  }
  return { ...tau, ...base.tau, ...cfg.calibrate.tau };
}

async function calibrateSpec(cfg: RunConfig): Promise<StageSpec<Scored, Calibrated>> {
  const rewards = await rewardNames(cfg);
  const tau = await calibrationTau(cfg);
  const options = { rewards, tau };
  new CalibrateStream(options); // checks tau against the rewards before any stage runs
  return {
    name: "calibrate",
    outputSchema: calibratedSchema(rewards),
    // The resolved tau is hashed: editing a manifest's tau invalidates calibrate and after.
    config: { rewards, tau: Object.fromEntries(rewards.map((k) => [k, tau[k] ?? 1])) },
    create: () => new CalibrateStream(options),
  };
}

async function selectSpec(cfg: RunConfig): Promise<StageSpec<Calibrated, Pair>> {
  const rewards = await rewardNames(cfg);
  const options = { ...cfg.select, rewards };
  new SelectPairsStream(options); // checks method, reward and weights before any stage runs
  return {
    name: "select",
    outputSchema: pairSchema(rewards),
    config: options,
    create: () => new SelectPairsStream(options),
  };
}

/** StageUnavailable unless `dir` holds a model (checked before any model code is imported). */
async function requireBaseModel(dir: string, key: string): Promise<void> {
  const file = dir.endsWith(".safetensors") ? dir : `${dir}/model.safetensors`;
  if (!(await exists(file))) {
    throw new StageUnavailable(
      `no base model at ${dir}: run deno task pretrain --config models/configs/base-eps.json ` +
        `--out runs/pretrain-eps --export data/models/base-eps, or set ${key}`,
    );
  }
}

async function trainSink(cfg: RunConfig): Promise<SinkSpec<Pair>> {
  const model = cfg.train.model;
  await requireBaseModel(model, "train.model");
  if (model !== cfg.generate.model) {
    logger("run").warn(
      `train.model '${model}' is not generate.model '${cfg.generate.model}': the pairs were ` +
        "sampled from another model than the one fine-tuned",
    );
  }
  const { trainerSink } = await import("../stages/train/trainer_sink.ts");
  const { evaluationHook } = await import("../stages/evaluate/run_eval.ts");
  const { writeRunReport } = await import("./report/run_report.ts");
  const evaluate = await evaluationHook(cfg.evaluate);
  return await trainerSink(cfg.train, {
    // evaluate, then write runs/<name>/report.md with its figures (pipeline/report/run_report.ts)
    afterTraining: async (result, ctx) => {
      await evaluate(result, ctx);
      ctx.signal.throwIfAborted();
      await writeRunReport(ctx.runDir, { config: cfg });
    },
  });
}

export const METHOD: Method = {
  prompts: (cfg) => promptSourceSpec(cfg.prompts),
  generate: async (cfg) => {
    await requireBaseModel(cfg.generate.model, "generate.model");
    const { generateSpec } = await import("../stages/generate/spec.ts");
    return await generateSpec(cfg.generate);
  },
  score: async (cfg) => {
    await resolveRewards(cfg.score); // StageUnavailable before onnxruntime is loaded
    const { scoreSpec } = await import("../stages/score/spec.ts");
    return await scoreSpec(cfg.score);
  },
  calibrate: calibrateSpec,
  select: selectSpec,
  train: trainSink,
};

/**
 * Checks what the config says about the rewards against their manifests (JSON only, no model):
 * a calibrate.tau, select.reward, select.weights or train.reward_weights entry naming a reward
 * the run does not score is a config error. Silent when the manifests are not there yet (the
 * run then stops before score, naming them).
 */
export async function checkRewardKeys(cfg: RunConfig): Promise<string | null> {
  let names: string[];
  try {
    names = await rewardNames(cfg);
  } catch (err) {
    if (err instanceof StageUnavailable) return null;
    throw err;
  }
  const named: [string, string[]][] = [
    ["calibrate.tau", Object.keys(cfg.calibrate.tau)],
    ["select.reward", cfg.select.reward === null ? [] : [cfg.select.reward]],
    ["select.weights", Object.keys(cfg.select.weights ?? {})],
    ["train.reward_weights", Object.keys(cfg.train.reward_weights ?? {})],
  ];
  for (const [key, rewards] of named) {
    const unknown = rewards.filter((r) => !names.includes(r));
    if (unknown.length > 0) {
      return `Cannot use config key '${key}' as it names ${
        unknown.map((r) => `'${r}'`).join(", ")
      }, which the run does not score: its rewards are ${names.join(", ")} (score.rewards)`;
    }
  }
  return null;
}

export interface BuiltPlan {
  plan: RunPlan;
  /** The first stage that could not be built, and why; null if every stage asked for runs. */
  stoppedBefore: { name: StageName; reason: string } | null;
}

/** Builds the runnable prefix of `method`, up to and including stage `upTo`. */
export async function buildPlan(
  cfg: RunConfig,
  method: Method = METHOD,
  upTo: StageName = "train",
): Promise<BuiltPlan> {
  const last = STAGE_NAMES.indexOf(upTo);
  const plan: RunPlan = { source: await method.prompts(cfg), stages: [] };
  const steps: [StageName, () => Promise<void>][] = [
    ["generate", async () => void plan.stages.push(await method.generate(cfg))],
    ["score", async () => void plan.stages.push(await method.score(cfg))],
    ["calibrate", async () => void plan.stages.push(await method.calibrate(cfg))],
    ["select", async () => void plan.stages.push(await method.select(cfg))],
    ["train", async () => void (plan.sink = await method.train(cfg))],
  ];
  for (const [name, build] of steps) {
    if (STAGE_NAMES.indexOf(name) > last) break;
    try {
      await build();
    } catch (err) {
      if (!(err instanceof StageUnavailable)) throw err;
      return { plan, stoppedBefore: { name, reason: err.message } };
    }
  }
  return { plan, stoppedBefore: null };
}
