/**
 * Opens the base and tuned models of a run for sampling on onnxruntime (models/sampler.ts).
 * Kept apart from run_report.ts and imported lazily, so reading and plotting a run loads no
 * onnxruntime (only one test module may load it, tests/ort_test.ts).
 */
import { join } from "node:path";
import { Sampler } from "../../models/sampler.ts";
import type { ImageSampler } from "../../stages/evaluate/compare_models.ts";

export interface SamplerPair {
  base: ImageSampler;
  tuned: ImageSampler;
  release(): Promise<void>;
}

/** A clear error naming the file when `dir` holds no model (paths come from eval.json). */
async function requireModel(dir: string, role: string): Promise<void> {
  const file = dir.endsWith(".safetensors") ? dir : join(dir, "model.safetensors");
  try {
    await Deno.stat(file);
  } catch {
    throw new TypeError(
      `Cannot sample the ${role} model for the contact sheets as ${file} does not exist ` +
        "(the path is eval.json's: run the report from the directory the run ran in, or " +
        "pass --no-samples)",
    );
  }
}

export async function openModelSamplers(base: string, tuned: string): Promise<SamplerPair> {
  await requireModel(base, "base");
  await requireModel(tuned, "tuned");
  const b = await Sampler.load(base);
  let t: Sampler;
  try {
    t = await Sampler.load(tuned);
  } catch (err) {
    await b.release();
    throw err;
  }
  return {
    base: b,
    tuned: t,
    release: async () => {
      await b.release();
      await t.release();
    },
  };
}
