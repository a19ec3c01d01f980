/**
 * The generator's options: the run config's `generate` section (lib/config_table.ts).
 * Free of model code, so the config loads without onnxruntime or tfjs.
 */
import { int, key, num, text, type ValuesOf } from "../../lib/config_table.ts";

export const GENERATE = {
  model: key(
    text("a model directory"),
    "data/models/base-eps",
    "The base (reference) model directory: model.safetensors + config.json",
    "the shipped eps (SDXL-like) base; data/models/base-flow is the SD3-like one",
  ),
  n: key(int(2), 16, "Samples per prompt, N", "the paper's N"),
  batch: key(
    int(1),
    64,
    "Images per sampler call, across prompts",
    "128 ORT rows under guidance: ~2 MB of activations per layer, well in memory",
  ),
  steps: key(
    int(1),
    20,
    "Sampling steps",
    "DDIM at 20 steps is close to 30 on this model and 1.5x faster",
  ),
  guidance: key(num(), 4, "Classifier-free guidance scale", "the sampler's default"),
  eta: key(
    num({ ge: 0, le: 1 }),
    0,
    "DDIM stochasticity, eps models only (0: deterministic)",
    "deterministic DDIM: the seed alone fixes the image",
  ),
  seed: key(
    int(0),
    0,
    "Run seed: sample seed = f(seed, prompt_id, sample_index) (stages/generate/generate.ts)",
    "any fixed value; runs with the same seed draw the same images",
  ),
};

export type GenerateConfig = ValuesOf<typeof GENERATE>;
