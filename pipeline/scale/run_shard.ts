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
import { DATA_STAGES, type Method } from "../method.ts";
import { driveRun } from "../drive_run.ts";
import { readManifest } from "../stage_store.ts";
import type { ShardTask } from "./queue.ts";

export interface ShardOutcome {
  status: "done" | "cancelled" | "failed";
  /** The run's one-line summary, or why the shard is not done. */
  summary: string;
}

/** Runs `task` with `method` up to its last data stage; never throws for a failed or cancelled run. */
export async function runShard(
  task: ShardTask,
  method: Method,
  signal: AbortSignal,
  log: Logger,
): Promise<ShardOutcome> {
  const shard = `${task.index}/${task.count}`;
  const upTo = DATA_STAGES.at(-1)!;
  log.info(`shard ${shard} runs up to '${upTo}': training runs after capo merge`);
  let result;
  try {
    const config = await loadRunConfig([...task.args, "--shard", shard]);
    // The queue is the authority on who holds a shard: it hands one out again only after its
    // holder stopped heart-beating, so a lock that holder left on another host is taken over
    // (pipeline/run_lock.ts); a live holder's lock still refuses this worker.
    result = await driveRun(config, { method, upTo, signal, breakLock: true });
  } catch (err) {
    return { status: "failed", summary: err instanceof Error ? err.message : String(err) };
  }
  if (result.status !== "done") return { status: result.status, summary: result.summary };
  // Committed means on disk: re-read each stage's manifest for this shard.
  for (const r of result.stages) {
    const m = await readManifest(join(result.runDir, r.stage), {
      index: task.index,
      count: task.count,
    });
    if (!m?.complete) {
      return {
        status: "failed",
        summary: `stage '${r.stage}' of shard ${shard} has no complete manifest after the run`,
      };
    }
  }
  return { status: "done", summary: result.summary };
}
