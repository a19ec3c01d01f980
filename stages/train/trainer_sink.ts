/**
 * The trainer sink (docs/method.md §5, schemas/stage_spec.ts `SinkSpec`): the end of the run. It
 * collects every Pair group with its winner and loser images, then fine-tunes the base model
 * on them when the stream closes (stages/train/fine_tune.ts), keeping its state (weights, AdamW
 * moments, step, Rng, options, data identity) in `ctx.stageDir` for exact resume.
 *
 * Training starts at close rather than per arriving batch so that every epoch, the first
 * included, draws its batches from a seeded shuffle of all pairs (groups arrive in prompt-file
 * order, which would put one category in each early batch).
 *
 * Everything that can be checked without the pairs is checked when the sink is built, before
 * any stage runs: the options (loss kind, beta > 0, ...), that the base and reference models
 * load, and that the reference's architecture equals the policy's.
 *
 * Wiring (pipeline/method.ts; import lazily, as this module loads onnxruntime-node, which only
 * one test module may load):
 *
 *     { name: "train", kind: "sink", build: async (cfg) => {
 *         const { trainerSink } = await import("./trainer_sink.ts");
 *         const { evaluationHook } = await import("../evaluate/run_eval.ts");
 *         return trainerSink(cfg.train, { afterTraining: await evaluationHook(cfg.evaluate) });
 *     } }
 *
 * with the `train` / `evaluate` config sections declared in trainer_options.ts and
 * ../evaluate/eval_options.ts (pipeline/config.ts merges and checks them).
 */
import { join } from "node:path";
import type { FlowGroup } from "../../schemas/flow.ts";
import { logger } from "../../lib/log.ts";
import type { JsonValue, SinkSpec, StageContext } from "../../schemas/stage_spec.ts";
import type { Pair } from "../../schemas/pair.ts";
import { fineTune, type FineTuneResult } from "./fine_tune.ts";
import { PairData } from "./pair_data.ts";
import type { StepMetrics } from "./preference_trainer.ts";
import { checkSameArchitecture, loadModelDir } from "./reference.ts";
import { defaultsOf, merge } from "../../lib/config_table.ts";
import { TRAIN, type TrainerOptions } from "./trainer_options.ts";

const log = logger("train");

export interface TrainerSinkHooks {
  /** Called after every training step (tests, dashboards). */
  onStep?: (m: StepMetrics) => void;
  /** Called once the fine-tuned model is written, e.g. to evaluate it against the base. */
  afterTraining?: (result: FineTuneResult, ctx: StageContext) => Promise<void>;
}

/**
 * Builds the sink from validated options (re-validated here, so a hand-made object is checked
 * too); throws before any work if a model does not load or the architectures differ.
 */
export async function trainerSink(
  options: TrainerOptions,
  hooks: TrainerSinkHooks = {},
): Promise<SinkSpec<Pair>> {
  const o = merge(TRAIN, defaultsOf(TRAIN), options, "trainer options", "train.");
  const base = await loadModelDir(o.model, "base");
  const reference = o.reference === null || o.reference === o.model
    ? base
    : await loadModelDir(o.reference, "reference");
  checkSameArchitecture(base.config, reference.config, {
    policy: o.model,
    reference: o.reference ?? o.model,
  });
  return {
    name: "train",
    config: o as unknown as JsonValue,
    needsImages: true,
    create(ctx: StageContext): WritableStream<FlowGroup<Pair>> {
      if (ctx.worker.count > 1) {
        log.warn(
          `training skipped on worker ${ctx.worker.index}/${ctx.worker.count}: the trainer ` +
            "needs every pair; run without --shard once all shards are done to train",
        );
        return new WritableStream();
      }
      const data = new PairData(base.config, o.reward_weights, o.epoch_pairs);
      return new WritableStream({
        write(group) {
          data.add(group);
        },
        async close() {
          const result = await fineTune({
            options: o,
            base,
            reference,
            data,
            dir: ctx.stageDir,
            staleDir: join(ctx.runDir, ".stale"),
            signal: ctx.signal,
            threads: o.threads,
            ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
          });
          await hooks.afterTraining?.(result, ctx);
        },
      });
    },
  };
}
