/**
 * The multi-reward scorer as the run's stage (pipeline/method.ts): loads every reward model of
 * `score.rewards` when the run is built (a bad model fails before any stage runs) and hashes
 * each manifest and model file into the stage config, so a retrained reward invalidates the
 * scores and everything after them. Loads onnxruntime: import it lazily.
 */
import { sha256Hex } from "../../lib/hash.ts";
import type { ScoreConfig } from "./options.ts";
import { resolveRewards } from "./reward_set.ts";
import type { StageSpec } from "../../schemas/stage_spec.ts";
import type { Sample } from "../../schemas/sample.ts";
import { type Scored, scoredSchema } from "../../schemas/scored.ts";
import { OnnxReward } from "../../models/rewards/onnx_reward.ts";
import { ScoreStream } from "./score.ts";

export async function scoreSpec(cfg: ScoreConfig): Promise<StageSpec<Sample, Scored>> {
  const manifests = await resolveRewards(cfg);
  const rewards: OnnxReward[] = [];
  const identity = [];
  for (const m of manifests) {
    rewards.push(await OnnxReward.fromManifest(m));
    identity.push({
      name: m.name,
      manifest_sha256: sha256Hex(await Deno.readFile(m.source)),
      model_sha256: sha256Hex(await Deno.readFile(m.file)),
    });
  }
  const names = manifests.map((m) => m.name);
  return {
    name: "score",
    outputSchema: scoredSchema(names),
    config: { rewards: identity }, // the batch size does not change a score
    needsImages: true,
    create: () => new ScoreStream({ rewards, batchSize: cfg.batch }),
  };
}
