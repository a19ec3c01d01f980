/**
 * One configured run: `runs/<name>/` is created, the validated config is stored there (as
 * `config.json`, or `config.w<i>of<n>.json` for work shard i of n, so sharded workers sharing a
 * run dir do not overwrite each other's), then the plan runs with the config's checkpoint
 * settings. Shared by `capo run` (cli/run.ts) and the queue worker (pipeline/scale/run_shard.ts).
 */
import { join } from "node:path";
import { writeFileAtomic } from "../lib/atomic_write.ts";
import type { RunConfig } from "./config.ts";
import type { RunPlan } from "./plan.ts";
import { runPipeline, type RunResult } from "./runner.ts";

/** The run's directory: `<runs_dir>/<name>`. */
export function runDirOf(config: RunConfig): string {
  return join(config.runs_dir, config.name);
}

/**
 * Stores `config` beside its outputs and runs `plan`. Like `runPipeline`, a stage failure or a
 * cancel is a `RunResult` status; set-up errors (a bad `from`, an unreadable manifest) throw.
 */
export async function runConfigured(
  config: RunConfig,
  plan: RunPlan,
  signal?: AbortSignal,
): Promise<RunResult> {
  const runDir = runDirOf(config);
  const w = config.shard;
  await Deno.mkdir(runDir, { recursive: true });
  await writeFileAtomic(
    join(runDir, w.count === 1 ? "config.json" : `config.w${w.index}of${w.count}.json`),
    JSON.stringify(config, null, 2) + "\n",
  );
  return await runPipeline(plan, {
    runDir,
    shardRows: config.shard_rows,
    worker: w,
    from: config.from,
    maxInFlight: config.max_in_flight,
    ...(signal ? { signal } : {}),
  });
}
