/**
 * Model weights on disk: `model.safetensors` (tensors named as in `denoiserSpecs`, the JSON
 * config in `__metadata__.config`) plus a `config.json` beside it for people and tools.
 * Loading checks every tensor's name and shape against the config and names the offender.
 */
import { type ModelConfig, parseModelConfig } from "./config.ts";
import { denoiserSpecs } from "./denoiser.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  writeFileAtomic,
} from "./safetensors.ts";

export interface ModelWeights {
  config: ModelConfig;
  weights: Map<string, Float32Array>;
}

/** Check a name -> values map against the config's specs (missing, extra, shape). */
export function checkWeights(
  cfg: ModelConfig,
  tensors: ReadonlyMap<string, { shape: readonly number[] }>,
  source: string,
): void {
  const specs = denoiserSpecs(cfg);
  for (const s of specs) {
    const t = tensors.get(s.name);
    if (!t) {
      throw new RangeError(`Cannot load weights from ${source} as tensor '${s.name}' is missing`);
    }
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      throw new RangeError(
        `Cannot load weights from ${source} as tensor '${s.name}' has shape [${t.shape}] ` +
          `but the config requires [${s.shape}]`,
      );
    }
  }
  const known = new Set(specs.map((s) => s.name));
  for (const name of tensors.keys()) {
    if (!known.has(name)) {
      throw new RangeError(
        `Cannot load weights from ${source} as tensor '${name}' is not in the config`,
      );
    }
  }
}

export function encodeModelWeights(
  cfg: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
): Uint8Array {
  const tensors = new Map<string, NamedTensor>();
  for (const s of denoiserSpecs(cfg)) {
    const data = weights.get(s.name);
    if (!data) throw new RangeError(`Cannot save weights as tensor '${s.name}' is missing`);
    tensors.set(s.name, { shape: s.shape, data });
  }
  return encodeSafetensors(tensors, {
    format: "pt",
    capo_format: cfg.format,
    linear_layout: "in_out",
    config: JSON.stringify(cfg),
  });
}

export function decodeModelWeights(bytes: Uint8Array, source = "weights"): ModelWeights {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (typeof metadata.config !== "string") {
    throw new RangeError(`Cannot load weights from ${source} as its __metadata__ has no 'config'`);
  }
  const config = parseModelConfig(JSON.parse(metadata.config));
  checkWeights(config, tensors, source);
  return { config, weights: new Map([...tensors].map(([k, t]) => [k, t.data])) };
}

/** Write `model.safetensors` and `config.json` into `dir` (created if needed), atomically. */
export async function saveModel(
  dir: string,
  cfg: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
) {
  await Deno.mkdir(dir, { recursive: true });
  await writeFileAtomic(`${dir}/model.safetensors`, encodeModelWeights(cfg, weights));
  await writeFileAtomic(
    `${dir}/config.json`,
    new TextEncoder().encode(JSON.stringify(cfg, null, 2) + "\n"),
  );
}

/** Load `<dir>/model.safetensors` (or a .safetensors path) and check it. */
export async function loadModel(path: string): Promise<ModelWeights> {
  const file = path.endsWith(".safetensors") ? path : `${path}/model.safetensors`;
  return decodeModelWeights(await Deno.readFile(file), file);
}
