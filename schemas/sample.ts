/**
 * Sample records: one generated image and everything needed to regenerate it
 * (docs/method.md §1.1).
 */
import { f, type RecordOf } from "./field.ts";
import { RecordSchema } from "./record_schema.ts";

export const sampleFields = {
  sample_id: f("utf8", "`${prompt_id}:${sample_index}`"),
  prompt_id: f("utf8", "the prompt's stable id"),
  prompt: f("utf8", "the prompt text"),
  sample_index: f("int32", "0..N-1 within the prompt's group"),
  seed: f("int64", "the seed of the initial noise; regenerates the image exactly"),
  image: f("image", "PNG bytes in Hugging Face datasets' Image layout {bytes, path}"),
  model_id: f("utf8", "the generating model (name and weights hash)"),
  sampler: f("utf8", "'ddim' or 'euler'"),
  steps: f("int32", "number of sampling steps"),
  guidance: f("float32", "classifier-free guidance scale"),
};
export type Sample = RecordOf<typeof sampleFields>;
export const SampleSchema = new RecordSchema("sample", 1, sampleFields);
