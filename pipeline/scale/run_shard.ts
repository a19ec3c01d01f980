/**
 * Running one work shard as the queue's unit of work: `capo run <flags> --shard i/n` through the
 * pipeline's own runner (checkpoints, resume, cancellation), then confirming from disk that every
 * stage's manifest for the shard is complete. Only then may the worker ack the message.
 *
 * The run's sink (the trainer) is left out: it needs every prompt's pairs, so it runs once, on one
 * worker, after `capo merge`.
 */
import { join } from "node:path";
import { loadRunConfig } from "../config.ts";
import type { Logger } from "../../lib/log.ts";
import { buildPlan, type MethodStage } from "../method.ts";
import { runConfigured, runDirOf } from "../run_configured.ts";
import { readManifest } from "../stage_store.ts";
import type { ShardTask } from "./queue.ts";

export interface ShardOutcome {
  status: "done" | "cancelled" | "failed";
  /** The run's one-line summary, or why the shard is not done. */
  summary: string;
}

/** Runs `task` with `stages`; never throws for a failed or cancelled run. */
export async function runShard(
  task: ShardTask,
  stages: readonly MethodStage[],
  signal: AbortSignal,
  log: Logger,
): Promise<ShardOutcome> {
  const shard = `${task.index}/${task.count}`;
  let config, built;
  try {
    config = await loadRunConfig([...task.args, "--shard", shard]);
    built = await buildPlan(config, stages);
  } catch (err) {
    return { status: "failed", summary: err instanceof Error ? err.message : String(err) };
  }
  const { plan } = built;
  if (plan.sink) {
    log.info(`sink '${plan.sink.name}' left out of shard ${shard}: it runs after capo merge`);
    delete plan.sink;
  }
  const runDir = runDirOf(config);
  let result;
  try {
    result = await runConfigured(config, plan, signal);
  } catch (err) {
    return { status: "failed", summary: err instanceof Error ? err.message : String(err) };
  }
  if (result.status !== "done") return { status: result.status, summary: result.summary };
  // Committed means on disk: re-read each stage's manifest for this shard.
  for (const name of [plan.source.name, ...plan.stages.map((s) => s.name)]) {
    const m = await readManifest(join(runDir, name), config.shard);
    if (!m?.complete) {
      return {
        status: "failed",
        summary: `stage '${name}' of shard ${shard} has no complete manifest after the run`,
      };
    }
  }
  return { status: "done", summary: result.summary };
}
