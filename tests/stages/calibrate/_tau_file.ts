/** TEST HELPER: a `<base>/tau.json` body with the given rewards' entries. */
import { BASE_TAU_FORMAT, type BaseTau } from "../../../stages/calibrate/base_tau.ts";

export const tauFileOf = (rewards: BaseTau["rewards"]): BaseTau => ({
  format: BASE_TAU_FORMAT,
  base: "b",
  measured_on: { run: "r", prompts: "p", prompts_count: 1, samples_per_prompt: 2, statistic: "s" },
  rewards,
});
