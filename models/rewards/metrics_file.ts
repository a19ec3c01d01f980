/**
 * data/rewards/metrics.json: every number of the reward card, as measured by
 * `deno task train-rewards` (the card is rendered from this file, never typed by hand).
 */
import type { Correlations } from "./correlations.ts";
import type { AestheticQuality, AlignmentQuality, PreferenceQuality } from "./evaluate.ts";
import type { RewardNetConfig } from "./net_config.ts";
import type { RewardName, RewardRecipe, RewardTrainConfig } from "./rewards_config.ts";
import type { Objective } from "./trainer.ts";

export interface RewardRecord {
  name: RewardName;
  objective: Objective;
  net: Omit<RewardNetConfig, "vocabulary">;
  /** The reward whose trained weights it started from, or null (from scratch). */
  initFrom: RewardName | null;
  train: RewardTrainConfig;
  params: number;
  onnxBytes: number;
  trainSeconds: number;
  /** The tfjs backend that trained it (wasm unless a native one is installed). */
  backend: string;
  quality: AestheticQuality | AlignmentQuality | PreferenceQuality;
}

export interface RewardsMetrics {
  format: "capo-reward-metrics/1";
  /** The config the rewards were trained from. */
  config: string;
  rewards: Record<RewardName, RewardRecord>;
  correlations: { proxy?: Correlations; samples?: Correlations };
}

export function rewardRecord(
  name: RewardName,
  recipe: RewardRecipe,
  objective: Objective,
  params: number,
  onnxBytes: number,
  trainSeconds: number,
  backend: string,
  quality: RewardRecord["quality"],
): RewardRecord {
  const { vocabulary: _, ...net } = recipe.net;
  return {
    name,
    objective,
    net,
    initFrom: recipe.initFrom,
    train: recipe.train,
    params,
    onnxBytes,
    trainSeconds: Math.round(trainSeconds * 10) / 10,
    backend,
    quality,
  };
}
