/**
 * The prompt source's options: the run config's `prompts` section, each key declared once with
 * its type, default and the reason for it (lib/config_table.ts).
 */
import { bool, int, key, num, oneOf, orNull, text, type ValuesOf } from "../../lib/config_table.ts";

export const PROMPT_FORMATS = ["txt", "jsonl", "csv", "parquet"] as const;
export type PromptFormat = typeof PROMPT_FORMATS[number];
export const SPLIT_MODES = ["auto", "hash", "train", "eval"] as const;
export type SplitMode = typeof SPLIT_MODES[number];
export const DUPLICATE_MODES = ["folded", "exact"] as const;
export type DuplicateMode = typeof DUPLICATE_MODES[number];
export const CONTROL_MODES = ["reject", "skip"] as const;
export type ControlMode = typeof CONTROL_MODES[number];

export const PROMPTS = {
  path: key(
    text("a prompt file path"),
    "data/prompts/train.txt",
    "Prompt file: .txt (a prompt per line), .jsonl, .csv or .parquet",
    "the ShapeWorld train prompts shipped in data/",
  ),
  format: key(
    orNull(oneOf(PROMPT_FORMATS)),
    null,
    "File format; null: from the file extension",
    "the extension says it for every shipped file",
  ),
  column: key(
    text("a column name"),
    "prompt",
    "The prompt column (CSV, Parquet) or key (JSONL)",
    "the name Hugging Face prompt sets use",
  ),
  lowercase: key(
    bool,
    false,
    "Lowercase prompts when normalising (changes prompt ids)",
    "ShapeWorld prompts are already lowercase",
  ),
  max_chars: key(
    int(1),
    1000,
    "Longest kept prompt, in UTF-16 code units after normalising; longer ones are skipped and counted",
    "far above any real prompt",
  ),
  duplicates: key(
    oneOf(DUPLICATE_MODES),
    "folded",
    "'folded': prompts that differ only in letter case or Unicode form are duplicates (the first " +
      "spelling is kept, the rest counted); 'exact': only identical prompts are",
    "a user's 'A red circle' and 'a red circle' ask for the same images",
  ),
  control_chars: key(
    oneOf(CONTROL_MODES),
    "reject",
    "A prompt holding NUL or another control character: 'reject' stops with the file and line, " +
      "'skip' skips it with a warning and counts it",
    "such a prompt is a broken file, not a request; nothing is written silently",
  ),
  split: key(
    oneOf(SPLIT_MODES),
    "auto",
    "'train'/'eval': every prompt gets that split; 'hash': from the prompt id with eval_fraction; " +
      "'auto': from the file name's stem (train*, eval*), else 'hash'",
    "the shipped files are named for their split",
  ),
  eval_fraction: key(
    num({ ge: 0, le: 1 }),
    0.1,
    "Share of prompts in 'eval' under split 'hash'",
    "the usual 90/10 split",
  ),
  limit: key(
    orNull(int(1)),
    256,
    "Only the first K prompts (after normalising and de-duplicating, before sharding); null: all",
    "the default run's budget (docs/default_run/README.md has the sizing)",
  ),
};

export type PromptsConfig = ValuesOf<typeof PROMPTS>;
