/**
 * Measures a base model's calibration temperatures from a run's complete score stage: tau_k is
 * the median over prompts of the standard deviation of reward k among one prompt's samples
 * (models/rewards/spread.ts), i.e. a typical within-prompt gap, so that sigma(gap / tau_k) is a
 * clear but unsaturated win probability (docs/method.md §3.4).
 *
 * Everything it needs is in the stage manifests: which model drew the samples (generate's
 * model_sha256), which prompts (prompts' path and limit) and which reward models scored them
 * (score's model_sha256 per reward), so the result can be checked against the base it is
 * written beside.
 */
import { withinPromptSpread } from "../models/rewards/spread.ts";
import { BASE_TAU_FORMAT, type BaseTau } from "../stages/calibrate/base_tau.ts";
import { openStage, shardTables } from "./exchange/stage_data.ts";

interface ScoreConfig {
  rewards: { name: string; model_sha256: string }[];
}

/** tau per reward of the run's samples; throws naming the stage or field that is missing. */
export async function measureBaseTau(runDir: string): Promise<{ tau: BaseTau; model: string }> {
  const prompts = await openStage(runDir, "prompts");
  const generate = await openStage(runDir, "generate");
  const score = await openStage(runDir, "score");
  const gen = generate.manifest.config as { model_sha256?: string; model_id?: string; n?: number };
  if (typeof gen.model_sha256 !== "string") {
    throw new TypeError(
      `Cannot measure tau from ${runDir} as its generate stage records no model_sha256 (imported ` +
        "samples have no base model to measure)",
    );
  }
  const rewards = (score.manifest.config as unknown as ScoreConfig).rewards;
  const columns = new Map<string, number[]>(rewards.map((r) => [r.name, []]));
  const captions: string[] = [];
  for await (const { table } of shardTables(score)) {
    const ids = table.getChild("prompt_id")!.toArray() as string[];
    captions.push(...ids);
    for (const r of rewards) {
      const col = table.getChild(`reward_${r.name}`);
      if (col === null) {
        throw new TypeError(
          `Cannot measure tau from ${score.dir} as it has no column reward_${r.name}`,
        );
      }
      columns.get(r.name)!.push(...(col.toArray() as Float64Array | Float32Array));
    }
  }
  const out: BaseTau["rewards"] = {};
  for (const r of rewards) {
    const tau = withinPromptSpread(columns.get(r.name)!, captions);
    if (tau === null || !(tau > 0)) {
      throw new RangeError(
        `Cannot measure tau of '${r.name}' from ${runDir} as no prompt has 2 samples with ` +
          "different scores (generate.n must be at least 2)",
      );
    }
    out[r.name] = { tau: Number(tau.toPrecision(4)), model_sha256: r.model_sha256 };
  }
  const pc = prompts.manifest.config as { path?: string; limit?: number | null };
  return {
    model: gen.model_sha256,
    tau: {
      format: BASE_TAU_FORMAT,
      base: gen.model_id ?? gen.model_sha256,
      measured_on: {
        run: runDir,
        prompts: `${pc.path ?? "?"}${pc.limit ? ` (first ${pc.limit})` : ""}`,
        prompts_count: prompts.manifest.groups,
        samples_per_prompt: gen.n ?? 0,
        statistic: "median over prompts of the standard deviation of the reward among the " +
          "prompt's samples",
      },
      rewards: out,
    },
  };
}
