/**
 * The paper's two bases at our scale: 'eps' (epsilon prediction, DDPM schedule, DDIM sampling:
 * SDXL-like) and 'flow' (rectified flow, Euler sampling: SD3-like), each a model directory
 * (model.safetensors + config.json + model.onnx). A base that does not exist is reported, never
 * replaced by another model.
 */
import { join } from "node:path";
import { exists } from "../../lib/read_if_exists.ts";

export const BASES = ["eps", "flow"] as const;
export type BaseName = typeof BASES[number];

export const DEFAULT_MODELS: Record<BaseName, string> = {
  eps: "data/models/base-eps",
  flow: "data/models/base-flow",
};

/** Why `dir` cannot serve as the `base` model, or null if it holds one. */
export async function missingBase(base: BaseName, dir: string): Promise<string | null> {
  const file = join(dir, "model.safetensors");
  if (await exists(file)) return null;
  return `no ${base} base model at ${dir} (no model.safetensors): pretrain it (deno task ` +
    `pretrain --config models/configs/base-${base}.json --out runs/pretrain-${base} --export ${dir}) or pass ` +
    `--${base}-model DIR`;
}
