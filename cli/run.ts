/**
 * `capo run` (`deno task run`): runs the method's stages that exist, with checkpoints under
 * runs/<name>/ (pipeline/drive_run.ts). See RUN_USAGE (pipeline/config.ts) for the flags.
 *
 * Exit status: 0 done (including a run that stops before a stage that is not available yet,
 * with a warning naming it), 1 a stage failed (the message names the stage and the prompt) or
 * the run could not start (an unreadable prompt file or manifest), 2 bad arguments or config
 * (nothing opened, nothing written), 130/143 cancelled by SIGINT/SIGTERM.
 */
import { cancelOnSignals, exitCodeFor } from "../pipeline/cancel_on_signals.ts";
import { ConfigError, loadRunConfig, parseRunArgs, RUN_USAGE } from "../pipeline/config.ts";
import { logger } from "../lib/log.ts";
import { METHOD, type Method } from "../pipeline/method.ts";
import { driveRun } from "../pipeline/drive_run.ts";
import { withShardFromEnv } from "../pipeline/scale/shard_env.ts";

const log = logger("run");

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `capo run` with the method's stages, or (tests) another method. */
export async function main(args: string[], method: Method = METHOD): Promise<number> {
  let config;
  try {
    if (parseRunArgs(args).help) {
      console.log(RUN_USAGE);
      return 0;
    }
    // --shard from a Slurm array / Kubernetes Indexed Job environment (pipeline/scale/shard_env.ts).
    const env = withShardFromEnv(args);
    config = await loadRunConfig(env.args);
    if (env.from) log.info(`work shard ${env.args[1]} from ${env.from.source}`);
  } catch (err) {
    console.error(`capo run: ${message(err)}\n(capo run --help lists every flag and key)`);
    return 2;
  }
  log.info("config", { config });
  const cancel = cancelOnSignals();
  let result;
  try {
    result = await driveRun(config, { method, signal: cancel.signal });
  } catch (err) {
    console.error(`capo run: ${message(err)}`);
    if (Deno.env.get("CAPO_DEBUG")) console.error(err);
    return err instanceof ConfigError ? 2 : 1;
  } finally {
    cancel.dispose();
  }
  if (result.error) {
    log.error(result.error.message);
    if (Deno.env.get("CAPO_DEBUG")) console.error(result.error);
  }
  console.log(result.summary);
  if (result.status === "cancelled") return exitCodeFor(result.reason);
  if (result.status === "failed") return 1;
  return 0;
}
