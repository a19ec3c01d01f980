/** Drives the trainer sink the way the runner does: a stage context and a stream of groups. */
import { saveModel } from "../../../../models/weights.ts";
import { Rng } from "../../../../lib/rng.ts";
import type { FlowGroup } from "../../../../schemas/flow.ts";
import type { Pair } from "../../../../schemas/pair.ts";
import { initValues } from "../../../../models/nn/params.ts";
import { denoiserSpecs } from "../../../../models/denoiser.ts";
import type { ModelConfig } from "../../../../models/config.ts";
import { trainerSink, type TrainerSinkHooks } from "../../../../stages/train/trainer_sink.ts";
import { TRAIN } from "../../../../stages/train/trainer_options.ts";
import { defaultsOf, merge } from "../../../../lib/config_table.ts";
import { join } from "node:path";

/** A model directory with the real initialisation perturbed (so adaLN-Zero is not all zero). */
export async function writeModel(dir: string, cfg: ModelConfig, seed: number): Promise<string> {
  const rng = new Rng(seed);
  const w = initValues(denoiserSpecs(cfg), rng);
  for (const v of w.values()) for (let i = 0; i < v.length; i++) v[i]! += 0.05 * rng.normal();
  await saveModel(dir, cfg, w);
  return dir;
}

export interface SinkRun {
  runDir: string;
  stageDir: string;
}

/** Runs the sink over `groups` in `runDir/train`; resolves when training ends. */
export async function runSink(
  runDir: string,
  options: Record<string, unknown>,
  groups: FlowGroup<Pair>[],
  hooks: TrainerSinkHooks = {},
  signal: AbortSignal = new AbortController().signal,
): Promise<SinkRun> {
  const spec = await trainerSink(
    merge(TRAIN, defaultsOf(TRAIN), options, "test"),
    hooks,
  );
  const stageDir = join(runDir, spec.name);
  const ws = spec.create({ runDir, stageDir, worker: { index: 0, count: 1 }, signal });
  await ReadableStream.from(groups).pipeTo(ws);
  return { runDir, stageDir };
}
