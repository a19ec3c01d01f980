/**
 * The method's stage names, in the order a run executes them; each is also the stage's
 * directory under runs/<name>/. pipeline/method.ts types each stage's input and output.
 */
export const STAGE_NAMES = [
  "prompts",
  "generate",
  "score",
  "calibrate",
  "select",
  "train",
] as const;
export type StageName = typeof STAGE_NAMES[number];

/** The stages that write Parquet shards (all but the trainer, a sink). */
export const DATA_STAGES = STAGE_NAMES.slice(0, -1) as readonly Exclude<StageName, "train">[];
