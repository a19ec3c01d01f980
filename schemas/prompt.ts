/** Prompt records: the output of the prompt source (docs/method.md §7). */
import { f, type RecordOf } from "./field.ts";
import { RecordSchema } from "./record_schema.ts";

export const promptFields = {
  prompt_id: f("utf8", "stable id: hash of the normalised prompt text"),
  prompt: f("utf8", "the normalised prompt text (trimmed, inner whitespace collapsed)"),
  split: f("utf8", "'train' or 'eval', deterministic from prompt_id"),
  source_index: f("int64", "0-based position of the prompt in its source after de-duplication"),
};
export type Prompt = RecordOf<typeof promptFields>;
export const PromptSchema = new RecordSchema("prompt", 1, promptFields);
