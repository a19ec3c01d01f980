/**
 * Runs one `capo run` config in this process, through the same `runConfigured` as cli/run.ts
 * (config.json stored beside the outputs, then the stages with checkpoints). Unlike `capo run`,
 * a stage that cannot be built (no base model, no reward manifests) is an error here: a
 * reproduce cell must run to its end. A failed stage throws; a cancel is returned.
 */
import type { RunConfig } from "../config.ts";
import { buildPlan, METHOD, type MethodStage } from "../method.ts";
import { runConfigured, runDirOf } from "../run_configured.ts";
import type { RunResult } from "../runner.ts";

export async function runConfig(
  cfg: RunConfig,
  signal: AbortSignal,
  stages: readonly MethodStage[] = METHOD,
): Promise<RunResult> {
  const { plan, stoppedBefore } = await buildPlan(cfg, stages);
  if (stoppedBefore !== null) {
    throw new Error(
      `Cannot run ${runDirOf(cfg)} as stage '${stoppedBefore.name}' is not available: ` +
        stoppedBefore.reason,
    );
  }
  const result = await runConfigured(cfg, plan, signal);
  if (result.status === "failed") throw result.error ?? new Error(result.summary);
  return result;
}
