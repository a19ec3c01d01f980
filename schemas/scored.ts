/**
 * Scored records: one row per sample with one float column `reward_<name>` per reward model
 * (docs/method.md §2). Images stay in the Sample shards; rows refer to them by sample_id.
 */
import { f, type RecordOf } from "./field.ts";
import { RecordSchema } from "./record_schema.ts";
import { rewardFields } from "./reward_columns.ts";

export const scoredBaseFields = {
  sample_id: f("utf8", "the scored sample"),
  prompt_id: f("utf8", "the prompt's stable id"),
  prompt: f("utf8", "the prompt text"),
  sample_index: f("int32", "0..N-1 within the prompt's group"),
  seed: f("int64", "the sample's seed"),
};
export type Scored = RecordOf<typeof scoredBaseFields> & { [k: `reward_${string}`]: number };

export function scoredSchema(rewards: readonly string[]) {
  return new RecordSchema("scored", 1, {
    ...scoredBaseFields,
    ...rewardFields("reward_", rewards, "raw score r_k(x, c)"),
  });
}
