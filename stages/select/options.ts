/**
 * The frontier sampler's options: the run config's `select` section (lib/config_table.ts).
 */
import {
  badKey,
  int,
  key,
  num,
  oneOf,
  orNull,
  record,
  text,
  type ValuesOf,
  type Where,
} from "../../lib/config_table.ts";

export const SELECT_METHODS = ["single", "sum-raw", "sum-calibrated", "frs"] as const;
export type SelectMethod = typeof SELECT_METHODS[number];

export const SELECT = {
  method: key(
    oneOf(SELECT_METHODS),
    "frs",
    "Pair selection: 'single' reward, the SUM baselines ('sum-raw', 'sum-calibrated') or 'frs'",
    "the paper's multi-reward method",
  ),
  reward: key(
    orNull(text("a reward name")),
    null,
    "The reward of method 'single'",
    "required only by 'single'",
  ),
  pairs_per_prompt: key(int(1), 1, "Pairs per prompt", "as the paper: one pair per prompt"),
  max_retries: key(
    int(0),
    32,
    "FRS: retries after each pair's first draw before the prompt yields no pair",
    "rejections are rare once X+ and X- are disjoint; 32 ends hopeless prompts",
  ),
  weights: key(
    orNull(record(num({ ge: 0 }))),
    null,
    "Weights of the multi-reward regression target; null: uniform",
    "the paper's mean over rewards",
  ),
  seed: key(int(0), 0, "Seed of the FRS draws", "any fixed value"),
};

export type SelectConfig = ValuesOf<typeof SELECT>;

/** The section's rule across keys: 'single' needs its reward. */
export function checkSelect(s: SelectConfig, where: Where): void {
  if (s.method === "single" && s.reward === null) {
    throw badKey("select.reward", where, "a reward name when select.method is 'single'", null);
  }
}
