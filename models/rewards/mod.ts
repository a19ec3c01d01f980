/** Reward model kinds for the scorer (stages/score/score.ts). */
export type { RewardModel, RgbImage } from "./reward_model.ts";
export { OnnxReward } from "./onnx_reward.ts";
export { type BatchRewardFn, type RewardFn, TsReward } from "./ts_reward.ts";
export { parseRewardManifest, readRewardManifest, type RewardManifest } from "./reward_manifest.ts";
