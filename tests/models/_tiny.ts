/** Shared fixtures for the model tests: a tiny config and random (non-zero) weights. */
import { type ModelConfig, type Parameterization, parseModelConfig } from "../../models/config.ts";
import { denoiserSpecs } from "../../models/denoiser.ts";
import { sizeOf } from "../../models/nn/params.ts";
import { Rng } from "../../lib/rng.ts";

export const TINY_VOCAB = [
  "a",
  "and",
  "red",
  "blue",
  "circle",
  "square",
  "above",
  "two",
  "circles",
];

export function tinyConfig(
  parameterization: Parameterization,
  over: Partial<ModelConfig> = {},
): ModelConfig {
  return parseModelConfig({
    parameterization,
    imageSize: 16,
    patchSize: 4,
    width: 16,
    depth: 2,
    heads: 2,
    mlpRatio: 2,
    textDepth: 1,
    maxTokens: 8,
    timeFeatures: 8,
    vocabulary: TINY_VOCAB,
    inputSkip: true,
    ...over,
  });
}

/** Every weight drawn N(0, std^2), including those the real init zeroes (so all paths count). */
export function randomWeights(
  cfg: ModelConfig,
  seed: number,
  std = 0.3,
): Map<string, Float32Array> {
  const rng = new Rng(seed);
  return new Map(
    denoiserSpecs(cfg).map((s) => {
      const v = rng.normals(sizeOf(s.shape));
      for (let i = 0; i < v.length; i++) v[i]! *= std;
      return [s.name, v];
    }),
  );
}
