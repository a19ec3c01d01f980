/**
 * SOUP (docs/method.md §5.6, Rame et al.'s "rewarded soups"): the uniform average of the weights
 * of models fine-tuned from the same base on single rewards,
 *
 *     theta_soup = (1 / n) sum_i theta_i,
 *
 * which needs every model to have the same architecture: every tensor the same name and shape,
 * and the same config (schedule, parameterisation, vocabulary). A mismatch is an error naming
 * the tensor (or the config field) and the two models.
 */
import type { ModelConfig } from "../../models/config.ts";
import { denoiserOnnx } from "../../models/export_onnx.ts";
import { writeFileAtomic } from "../../models/safetensors.ts";
import { saveModel } from "../../models/weights.ts";
import { checkSameArchitecture, loadModelDir } from "./reference.ts";

export interface SoupInput {
  /** Names the model in errors (its path). */
  source: string;
  config: ModelConfig;
  weights: ReadonlyMap<string, Float32Array>;
}

/** The uniform average of `models`' weights (accumulated in float64). */
export function soupWeights(models: readonly SoupInput[]): Map<string, Float32Array> {
  const [first, ...rest] = models;
  if (first === undefined || rest.length === 0) {
    throw new RangeError(
      `Cannot make a soup as it needs at least 2 models: current count is ${models.length}`,
    );
  }
  for (const m of rest) checkSameTensors(first, m);
  for (const m of rest) {
    checkSameArchitecture(first.config, m.config, { policy: first.source, reference: m.source });
  }
  const out = new Map<string, Float32Array>();
  const n = models.length;
  for (const [name, v0] of first.weights) {
    const acc = Float64Array.from(v0);
    for (const m of rest) {
      const v = m.weights.get(name)!;
      for (let i = 0; i < acc.length; i++) acc[i]! += v[i]!;
    }
    out.set(name, Float32Array.from(acc, (x) => x / n));
  }
  return out;
}

function checkSameTensors(a: SoupInput, b: SoupInput): void {
  const fail = (why: string): never => {
    throw new RangeError(`Cannot average '${b.source}' with '${a.source}' as ${why}`);
  };
  for (const [name, va] of a.weights) {
    const vb = b.weights.get(name);
    if (vb === undefined) fail(`tensor '${name}' is missing from '${b.source}'`);
    else if (vb.length !== va.length) {
      fail(
        `tensor '${name}' has ${vb.length} values in '${b.source}' and ${va.length} in '${a.source}'`,
      );
    }
  }
  for (const name of b.weights.keys()) {
    if (!a.weights.has(name)) fail(`tensor '${name}' is missing from '${a.source}'`);
  }
}

export interface SoupResult {
  out: string;
  models: string[];
  config: ModelConfig;
}

/** Loads the model directories (or .safetensors files), averages them, writes `out`. */
export async function soupModels(
  paths: readonly string[],
  out: string,
  opts: { onnx?: boolean } = {},
): Promise<SoupResult> {
  const models: SoupInput[] = [];
  for (const p of paths) {
    const m = await loadModelDir(p, "soup input");
    models.push({ source: p, config: m.config, weights: m.weights });
  }
  const weights = soupWeights(models);
  const config = models[0]!.config;
  await saveModel(out, config, weights);
  if (opts.onnx ?? true) await writeFileAtomic(`${out}/model.onnx`, denoiserOnnx(config, weights));
  return { out, models: [...paths], config };
}
