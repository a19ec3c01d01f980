/**
 * The scorer's options: the run config's `score` section (lib/config_table.ts).
 */
import { int, key, list, orNull, text, type ValuesOf } from "../../lib/config_table.ts";

export const SCORE = {
  rewards: key(
    orNull(list(text("a reward manifest path"), { nonEmpty: true })),
    null,
    "Reward manifests, in column order; null: every data/rewards/<name>.json beside <name>.onnx",
    "the three shipped rewards",
  ),
  batch: key(int(1), 64, "Images per reward-model call, across prompts", "as evaluate.chunk"),
};

export type ScoreConfig = ValuesOf<typeof SCORE>;
