/**
 * The one run driver: `capo run`, the queue worker, `capo reproduce` and `capo import` all run
 * a config through `driveRun`, so each checks the config the same way before anything heavy
 * opens, stores `config.json` beside its outputs, and handles a stage that cannot run yet the
 * same way.
 *
 *  1. check the config against the method (no model, prompt or reward file is opened): `from`
 *     names a stage of the method, every reward the config names is one the run scores;
 *  2. build the runnable prefix of the method up to `upTo` (a stage whose inputs do not exist
 *     yet stops it there: `StageUnavailable`);
 *  3. take the run's lock (one writer per run dir, pipeline/run_lock.ts) and store the config as
 *     `config.json` (`config.w<i>of<n>.json` for work shard i of n, so sharded workers sharing a
 *     run dir do not overwrite each other's);
 *  4. run the plan with checkpoints (pipeline/runner.ts).
 *
 * A run that fails in 1 or 2 writes nothing under runs/<name>/.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../lib/atomic_write.ts";
import { logger } from "../lib/log.ts";
import { ConfigError, type RunConfig } from "./config.ts";
import { withImportedSamples } from "./exchange/imported_samples.ts";
import {
  buildPlan,
  checkRewardKeys,
  DATA_STAGES,
  METHOD,
  type Method,
  STAGE_NAMES,
  type StageName,
} from "./method.ts";
import { runPipeline, type RunResult } from "./runner.ts";
import { acquireRunLock } from "./run_lock.ts";
import { scanStage } from "./scale/stage_scan.ts";

export interface DriveOptions {
  /** The method's stage builders. @default {METHOD} */
  method?: Method;
  /** The last stage to run (a sharded worker stops at 'select'). @default {"train"} */
  upTo?: StageName;
  /**
   * A stage that cannot run yet: 'stop' runs the stages before it and reports it (capo run);
   * 'error' refuses to start (a reproduce cell must run to its end). @default {"stop"}
   */
  unavailable?: "stop" | "error";
  /** Read this run's imported Sample stage instead of generating. @default {true} */
  importedSamples?: boolean;
  signal?: AbortSignal;
  /** Take over a run lock another host left (pipeline/run_lock.ts). @default {config.break_lock} */
  breakLock?: boolean;
}

export interface DriveResult extends RunResult {
  runDir: string;
  /** The first stage that could not run yet, and why; null if every asked-for stage ran. */
  stoppedBefore: { name: StageName; reason: string } | null;
}

/** Throws naming `capo merge` if a stage of `runDir` holds worker shards but no merged manifest. */
async function refuseUnmergedShards(runDir: string): Promise<void> {
  for (const stage of DATA_STAGES) {
    let scan;
    try {
      scan = await scanStage(runDir, stage);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    if (scan.single !== null || scan.workers.size === 0) continue;
    const counts = [...scan.workers].map(([n, ws]) => `${ws.size} of ${n}`).join(", ");
    throw new Error(
      `Cannot run ${runDir} unsharded as stage '${stage}' holds worker shards that are not ` +
        `merged (${counts} workers): run capo merge --run ${runDir} first (deno task merge ` +
        `--run ${runDir}), or pass --on_unmerged_shards=recompute to recompute every prompt here`,
    );
  }
}

/** The run's directory: `<runs_dir>/<name>`. */
export function runDirOf(config: RunConfig): string {
  return join(config.runs_dir, config.name);
}

/**
 * Runs `config`. Config errors throw `ConfigError` (exit 2), set-up errors (an unreadable prompt
 * file or manifest) throw; a stage failure or a cancel is the result's status.
 */
export async function driveRun(config: RunConfig, o: DriveOptions = {}): Promise<DriveResult> {
  const runDir = runDirOf(config);
  const upTo = o.upTo ?? "train";
  // 1. the config against the method, before anything heavy opens
  const stages = STAGE_NAMES.slice(0, STAGE_NAMES.indexOf(upTo) + 1) as readonly string[];
  if (config.from !== null && !stages.includes(config.from)) {
    throw new ConfigError(
      `Cannot restart --from '${config.from}' as the ${
        (STAGE_NAMES as readonly string[]).includes(config.from)
          ? `run stops at '${upTo}'`
          : "method has no such stage"
      }: stages are ${stages.join(", ")}`,
    );
  }
  const rewardError = await checkRewardKeys(config);
  if (rewardError !== null) throw new ConfigError(rewardError);
  if (config.shard.count === 1 && config.on_unmerged_shards === "stop") {
    await refuseUnmergedShards(runDir);
  }
  // 2. the plan
  let method = o.method ?? METHOD;
  if (o.importedSamples ?? true) method = await withImportedSamples(method, runDir);
  const { plan, stoppedBefore } = await buildPlan(config, method, upTo);
  if (stoppedBefore !== null) {
    const runnable = [plan.source.name, ...plan.stages.map((s) => s.name)];
    if (o.unavailable === "error") {
      throw new Error(
        `Cannot run ${runDir} as stage '${stoppedBefore.name}' is not available: ` +
          stoppedBefore.reason,
      );
    }
    if (config.from !== null && !runnable.includes(config.from)) {
      throw new ConfigError(
        `Cannot restart --from '${config.from}' as the run stops before it: stage ` +
          `'${stoppedBefore.name}' is not available yet (${stoppedBefore.reason})`,
      );
    }
  }
  // 3. the config beside its outputs, once this is the run's only writer (released on return)
  const w = config.shard;
  await using _lock = await acquireRunLock(runDir, {
    worker: w,
    breakLock: o.breakLock ?? config.break_lock,
  });
  await writeFileAtomic(
    join(runDir, w.count === 1 ? "config.json" : `config.w${w.index}of${w.count}.json`),
    JSON.stringify(config, null, 2) + "\n",
  );
  // 4. the stages
  const result = await runPipeline(plan, {
    runDir,
    shardRows: config.shard_rows,
    worker: w,
    from: config.from,
    maxInFlight: config.max_in_flight,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (stoppedBefore !== null && result.status === "done") {
    const last = plan.stages.at(-1)?.name ?? plan.source.name;
    logger("run").warn(
      `stopped after stage '${last}': stage '${stoppedBefore.name}' is not available yet ` +
        `(${stoppedBefore.reason})`,
    );
  }
  return { ...result, runDir, stoppedBefore };
}
