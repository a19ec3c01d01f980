/**
 * The run's reward models as named by its `score.rewards` config: the manifest paths (given,
 * or every `data/rewards/<name>.json` beside a `<name>.onnx`) and each reward's name, which
 * fixes the `reward_<name>` / `rca_<name>` columns of the score, calibrate and select stages.
 * Reads only the JSON manifests, never a model.
 */
import type { ScoreConfig } from "./options.ts";
import { StageUnavailable } from "../../schemas/stage_unavailable.ts";
import { exists } from "../../lib/read_if_exists.ts";
import { findRewardManifests } from "../evaluate/eval_inputs.ts";
import { readRewardManifest, type RewardManifest } from "../../models/rewards/reward_manifest.ts";

/** Where the shipped rewards live (data/rewards/README.md). */
export const DEFAULT_REWARD_DIR = "data/rewards";

/** The validated manifests, in column order; StageUnavailable when a file is missing. */
export async function resolveRewards(cfg: ScoreConfig): Promise<RewardManifest[]> {
  let paths: string[];
  if (cfg.rewards === null) {
    try {
      paths = await findRewardManifests(DEFAULT_REWARD_DIR);
    } catch {
      throw new StageUnavailable(
        `no reward models in ${DEFAULT_REWARD_DIR} (<name>.json beside <name>.onnx): run ` +
          "deno task train-rewards or set score.rewards",
      );
    }
  } else {
    paths = cfg.rewards;
  }
  const missing = [];
  for (const p of paths) if (!(await exists(p))) missing.push(p);
  if (missing.length > 0) {
    throw new StageUnavailable(
      `no reward manifest ${missing.join(", ")}: run deno task train-rewards or fix score.rewards`,
    );
  }
  const manifests = [];
  for (const p of paths) {
    const m = await readRewardManifest(p);
    if (!(await exists(m.file))) {
      throw new StageUnavailable(`no reward model file ${m.file} (manifest ${p})`);
    }
    manifests.push(m);
  }
  return manifests;
}
