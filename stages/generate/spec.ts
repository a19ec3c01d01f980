/**
 * The generator as the run's stage (pipeline/method.ts): loads and checks the base model when
 * the run is built, hashes its weights into `model_id` and the stage config (so a retrained
 * base invalidates the samples and everything after them), and opens the onnxruntime sampler
 * only when the first batch is sampled. Loads onnxruntime: import it lazily, after checking
 * that the model exists (pipeline/method.ts).
 */
import { basename } from "node:path";
import { Sampler } from "../../models/sampler.ts";
import type { GenerateConfig } from "./options.ts";
import type { StageSpec } from "../../schemas/stage_spec.ts";
import type { Prompt } from "../../schemas/prompt.ts";
import { type Sample, SampleSchema } from "../../schemas/sample.ts";
import { loadModelDir } from "../train/reference.ts";
import { GenerateStream } from "./generate.ts";

export async function generateSpec(cfg: GenerateConfig): Promise<StageSpec<Prompt, Sample>> {
  const model = await loadModelDir(cfg.model, "base");
  const name = basename(cfg.model.replace(/\/model\.safetensors$|\/+$/, ""));
  const modelId = `${name}@${model.hash.slice(0, 16)}`;
  const samplerName = model.config.parameterization === "flow" ? "euler" : "ddim";
  const { model: _path, batch: _batch, ...determining } = cfg;
  return {
    name: "generate",
    outputSchema: SampleSchema,
    // The weights hash, not the path, identifies the model; the batch size does not change
    // which images are drawn.
    config: { ...determining, model_id: modelId, model_sha256: model.hash, sampler: samplerName },
    create: () =>
      new GenerateStream({
        sampler: () => Sampler.create(model.config, model.weights, { maxBatch: cfg.batch }),
        imageSize: model.config.imageSize,
        n: cfg.n,
        batch: cfg.batch,
        steps: cfg.steps,
        guidance: cfg.guidance,
        eta: cfg.eta,
        seed: cfg.seed,
        modelId,
        samplerName,
      }),
  };
}
