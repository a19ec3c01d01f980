/**
 * Pair records: a selected (x+, x-) pair of one prompt with its regression target
 * (docs/method.md §4).
 */
import { f, type RecordOf } from "./field.ts";
import { RecordSchema } from "./record_schema.ts";
import { rewardFields } from "./reward_columns.ts";

export const pairBaseFields = {
  pair_id: f("utf8", "`${prompt_id}:${pair_index}`"),
  prompt_id: f("utf8", "the prompt's stable id"),
  prompt: f("utf8", "the prompt text"),
  pair_index: f("int32", "0-based index of the pair within its prompt"),
  winner_id: f("utf8", "sample_id of x+"),
  loser_id: f("utf8", "sample_id of x-"),
  winner_index: f("int32", "sample_index of x+"),
  loser_index: f("int32", "sample_index of x-"),
  target_winner: f(
    "float64",
    "regression target of x+ (mean calibrated reward, docs/method.md §4.5)",
  ),
  target_loser: f("float64", "regression target of x-"),
  delta: f("float64", "dR_ca = target_winner - target_loser (docs/method.md §4.5)"),
  method: f("utf8", "selection method: 'single:<reward>', 'sum-raw', 'sum-calibrated' or 'frs'"),
};
export type Pair =
  & RecordOf<typeof pairBaseFields>
  & { [k: `rca_winner_${string}`]: number }
  & { [k: `rca_loser_${string}`]: number };

export function pairSchema(rewards: readonly string[]) {
  return new RecordSchema("pair", 1, {
    ...pairBaseFields,
    ...rewardFields("rca_winner_", rewards, "Rca_k(x+)"),
    ...rewardFields("rca_loser_", rewards, "Rca_k(x-)"),
  });
}
