/**
 * `capo run` (`deno task run`): runs the method's stages that exist, with checkpoints under
 * runs/<name>/. See RUN_USAGE (pipeline/config.ts) for the flags.
 *
 * Exit status: 0 done (including a run that stops before a stage that is not available yet,
 * with a warning naming it), 1 a stage failed (the message names the stage and the prompt) or
 * the run could not start (a bad --from, an unreadable manifest), 2 bad arguments or config,
 * 130/143 cancelled by SIGINT/SIGTERM.
 */
import { cancelOnSignals, exitCodeFor } from "../pipeline/cancel_on_signals.ts";
import { loadRunConfig, RUN_USAGE, type RunConfig } from "../pipeline/config.ts";
import { logger } from "../lib/log.ts";
import { buildPlan, METHOD, type MethodStage } from "../pipeline/method.ts";
import { runConfigured, runDirOf } from "../pipeline/run_configured.ts";
import { withImportedSamples } from "../pipeline/exchange/imported_samples.ts";
import { withShardFromEnv } from "../pipeline/scale/shard_env.ts";

const log = logger("run");

/** `capo run` with the method's stages, or (tests) another stage list. */
export async function main(
  args: string[],
  stages: readonly MethodStage[] = METHOD,
): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(RUN_USAGE);
    return 0;
  }
  let config: RunConfig;
  try {
    // --shard from a Slurm array / Kubernetes Indexed Job environment (pipeline/scale/shard_env.ts).
    const env = withShardFromEnv(args);
    config = await loadRunConfig(env.args);
    if (env.from) log.info(`work shard ${env.args[1]} from ${env.from.source}`);
  } catch (err) {
    console.error(`capo run: ${err instanceof Error ? err.message : err}\n\n${RUN_USAGE}`);
    return 2;
  }
  log.info(`config ${JSON.stringify(config)}`);
  const runDir = runDirOf(config);
  // A run whose samples were imported (capo import) reads them instead of generating.
  let built;
  try {
    built = await buildPlan(config, await withImportedSamples(stages, runDir));
  } catch (err) {
    // The run cannot start: an input is unreadable or invalid (the prompt file, a reward
    // manifest that does not parse, a tau for an unknown reward); no stage has run.
    console.error(`capo run: ${err instanceof Error ? err.message : err}`);
    if (Deno.env.get("CAPO_DEBUG")) console.error(err);
    return 1;
  }
  const { plan, stoppedBefore } = built;
  const runnable = [plan.source.name, ...plan.stages.map((s) => s.name)];
  if (config.from !== null && !runnable.includes(config.from) && stoppedBefore) {
    const known = stages.some((s) => s.name === config.from);
    console.error(
      `capo run: Cannot restart --from '${config.from}' as ${
        known
          ? `the run stops before it: stage '${stoppedBefore.name}' is not available yet (${stoppedBefore.reason})`
          : `the method has no such stage: stages are ${stages.map((s) => s.name).join(", ")}`
      }`,
    );
    return 2;
  }
  const cancel = cancelOnSignals();
  let result;
  try {
    result = await runConfigured(config, plan, cancel.signal);
  } catch (err) {
    // Set-up errors (a bad --from, an unreadable manifest): nothing ran.
    console.error(`capo run: ${err instanceof Error ? err.message : err}`);
    return 1;
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
  if (stoppedBefore) {
    const last = plan.stages.at(-1)?.name ?? plan.source.name;
    log.warn(
      `stopped after stage '${last}': stage '${stoppedBefore.name}' is not available yet ` +
        `(${stoppedBefore.reason})`,
    );
  }
  return 0;
}
