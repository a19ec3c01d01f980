/**
 * The method's stages in order (SPEC 1 and 2), as the run builds them from its config:
 *
 *     prompts -> generate -> score -> calibrate -> select -> train (sink, then evaluate, report)
 *
 * A stage plugs in by giving its entry a `build`; the run executes the longest prefix of
 * entries that build and then stops, naming the first that does not and why: an entry with no
 * `build` (its `missing`), or a `build` that throws `StageUnavailable` (an input such as the
 * base model or the reward models does not exist yet). Nothing stands in for a missing stage:
 * no fake images, rewards or pairs.
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
import { exists, StageUnavailable } from "../schemas/stage_unavailable.ts";
import { calibratedSchema } from "../schemas/calibrated.ts";
import { pairSchema } from "../schemas/pair.ts";
import { type CalibrateOptions, CalibrateStream } from "../stages/calibrate/calibrate.ts";
import { type SelectPairsOptions, SelectPairsStream } from "../stages/select/select_pairs.ts";

export { StageUnavailable };

export type MethodStage =
  | { name: string; kind: "source"; build: (cfg: RunConfig) => Promise<SourceSpec<unknown>> }
  | {
    name: string;
    kind: "stage";
    build?: (cfg: RunConfig) => Promise<StageSpec<unknown, unknown>>;
    /** Why the stage cannot run yet. */
    missing?: string;
  }
  | {
    name: string;
    kind: "sink";
    build?: (cfg: RunConfig) => Promise<SinkSpec<unknown>>;
    missing?: string;
  };

/** The reward names of the run (from the manifests): the columns of score..select. */
async function rewardNames(cfg: RunConfig): Promise<string[]> {
  return (await resolveRewards(cfg.score)).map((m) => m.name);
}

/**
 * tau per reward: the run config's, else the reward manifest's suggestion, else 1 (SPEC 1.3).
 * A config tau for a reward the run does not score is left in, so CalibrateStream rejects it.
 */
async function calibrationTau(cfg: RunConfig): Promise<Record<string, number>> {
  const tau: Record<string, number> = {};
  for (const m of await resolveRewards(cfg.score)) if (m.tau !== null) tau[m.name] = m.tau;
  return { ...tau, ...cfg.calibrate.tau };
}

async function calibrateSpec(cfg: RunConfig): Promise<StageSpec<unknown, unknown>> {
  const rewards = await rewardNames(cfg);
  const tau = await calibrationTau(cfg);
  const options: CalibrateOptions = { rewards, tau };
  new CalibrateStream(options); // checks tau against the rewards before any stage runs
  return {
    name: "calibrate",
    outputSchema: calibratedSchema(rewards),
    // The resolved tau is hashed: editing a manifest's tau invalidates calibrate and after.
    config: { rewards, tau: Object.fromEntries(rewards.map((k) => [k, tau[k] ?? 1])) },
    create: () => new CalibrateStream(options),
  } as StageSpec<unknown, unknown>;
}

async function selectSpec(cfg: RunConfig): Promise<StageSpec<unknown, unknown>> {
  const rewards = await rewardNames(cfg);
  const s = cfg.select;
  const options: SelectPairsOptions = {
    method: s.method,
    rewards,
    pairsPerPrompt: s.pairs_per_prompt,
    maxRetries: s.max_retries,
    seed: s.seed,
  };
  if (s.reward !== null) options.reward = s.reward;
  if (s.weights !== null) options.weights = s.weights;
  new SelectPairsStream(options); // checks method, reward and weights before any stage runs
  return {
    name: "select",
    outputSchema: pairSchema(rewards),
    config: { ...s, rewards },
    create: () => new SelectPairsStream(options),
  } as StageSpec<unknown, unknown>;
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

async function trainSink(cfg: RunConfig): Promise<SinkSpec<unknown>> {
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
  }) as SinkSpec<unknown>;
}

export const METHOD: MethodStage[] = [
  { name: "prompts", kind: "source", build: (cfg) => promptSourceSpec(cfg.prompts) },
  {
    name: "generate",
    kind: "stage",
    build: async (cfg) => {
      await requireBaseModel(cfg.generate.model, "generate.model");
      const { generateSpec } = await import("../stages/generate/spec.ts");
      return await generateSpec(cfg.generate) as StageSpec<unknown, unknown>;
    },
  },
  {
    name: "score",
    kind: "stage",
    build: async (cfg) => {
      await resolveRewards(cfg.score); // StageUnavailable before onnxruntime is loaded
      const { scoreSpec } = await import("../stages/score/spec.ts");
      return await scoreSpec(cfg.score) as StageSpec<unknown, unknown>;
    },
  },
  { name: "calibrate", kind: "stage", build: calibrateSpec },
  { name: "select", kind: "stage", build: selectSpec },
  { name: "train", kind: "sink", build: trainSink },
];

export interface BuiltPlan {
  plan: RunPlan;
  /** The first stage that could not be built, and why; null if the whole method runs. */
  stoppedBefore: { name: string; reason: string } | null;
}

/** Builds the runnable prefix of `stages` (default: METHOD) for a config. */
export async function buildPlan(
  cfg: RunConfig,
  stages: readonly MethodStage[] = METHOD,
): Promise<BuiltPlan> {
  const [first, ...rest] = stages;
  if (first?.kind !== "source") {
    throw new TypeError("Cannot build a run whose first stage is not a source");
  }
  const plan: RunPlan = { source: await first.build(cfg), stages: [] };
  for (const entry of rest) {
    if (entry.kind === "source") {
      throw new TypeError(`Cannot build a run with a second source '${entry.name}'`);
    }
    if (!entry.build) {
      return {
        plan,
        stoppedBefore: { name: entry.name, reason: entry.missing ?? "it is not implemented" },
      };
    }
    try {
      if (entry.kind === "sink") {
        plan.sink = await entry.build(cfg);
        return { plan, stoppedBefore: null };
      }
      plan.stages.push(await entry.build(cfg));
    } catch (err) {
      if (!(err instanceof StageUnavailable)) throw err;
      return { plan, stoppedBefore: { name: entry.name, reason: err.message } };
    }
  }
  return { plan, stoppedBefore: null };
}
