/**
 * Calibrated records: Scored plus one column `rca_<name>` per reward, the expected win-rate
 * Rca_k(x_i, c) against the other samples of the prompt (docs/method.md §3.1).
 */
import type { RecordOf } from "./field.ts";
import { RecordSchema } from "./record_schema.ts";
import { rewardFields } from "./reward_columns.ts";
import { type Scored, scoredBaseFields } from "./scored.ts";

export type Calibrated = Scored & { [k: `rca_${string}`]: number };

export function calibratedSchema(rewards: readonly string[]) {
  return new RecordSchema("calibrated", 1, {
    ...scoredBaseFields,
    ...rewardFields("reward_", rewards, "raw score r_k(x, c)"),
    ...rewardFields("rca_", rewards, "calibrated reward Rca_k(x, c) in (0, 1)"),
  });
}

export type CalibratedBase = RecordOf<typeof scoredBaseFields>;
