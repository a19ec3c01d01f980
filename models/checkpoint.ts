/**
 * Training checkpoints: one safetensors file holding weights (`model.*`), EMA weights
 * (`ema.*`), AdamW moments (`adam_m.*`, `adam_v.*`), and in `__metadata__` the step, data
 * cursor, Rng state and both configs. Written atomically, so a crash mid-write leaves the
 * previous checkpoint intact.
 */
import { parseModelConfig } from "./config.ts";
import { denoiserSpecs } from "./denoiser.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  writeFileAtomic,
} from "./safetensors.ts";
import { parseTrainConfig } from "./train_config.ts";
import type { TrainState } from "./trainer.ts";
import { checkWeights } from "./weights.ts";

const GROUPS = ["model", "ema", "adam_m", "adam_v"] as const;

export function encodeCheckpoint(s: TrainState): Uint8Array {
  const tensors = new Map<string, NamedTensor>();
  const groups = { model: s.params, ema: s.ema, adam_m: s.adamM, adam_v: s.adamV };
  for (const g of GROUPS) {
    for (const spec of denoiserSpecs(s.model)) {
      const data = groups[g].get(spec.name);
      if (!data) throw new RangeError(`Cannot write checkpoint as ${g}.${spec.name} is missing`);
      tensors.set(`${g}.${spec.name}`, { shape: spec.shape, data });
    }
  }
  return encodeSafetensors(tensors, {
    capo_format: "capo-train-checkpoint/1",
    config: JSON.stringify(s.model),
    train: JSON.stringify(s.train),
    step: String(s.step),
    cursor: String(s.cursor),
    rng: JSON.stringify(s.rng),
  });
}

export function decodeCheckpoint(bytes: Uint8Array, source = "checkpoint"): TrainState {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (metadata.capo_format !== "capo-train-checkpoint/1") {
    throw new RangeError(
      `Cannot read ${source} as a training checkpoint: capo_format is ${
        JSON.stringify(metadata.capo_format)
      }`,
    );
  }
  const model = parseModelConfig(JSON.parse(metadata.config ?? "null"));
  const groups = Object.fromEntries(GROUPS.map((g) => {
    const sub = new Map<string, NamedTensor>();
    for (const [k, t] of tensors) if (k.startsWith(`${g}.`)) sub.set(k.slice(g.length + 1), t);
    checkWeights(model, sub, `${source} (${g})`);
    return [g, new Map([...sub].map(([k, t]) => [k, t.data]))];
  })) as Record<(typeof GROUPS)[number], Map<string, Float32Array>>;
  return {
    model,
    train: parseTrainConfig(JSON.parse(metadata.train ?? "null")),
    step: Number(metadata.step),
    cursor: Number(metadata.cursor),
    rng: JSON.parse(metadata.rng ?? "null"),
    params: groups.model,
    ema: groups.ema,
    adamM: groups.adam_m,
    adamV: groups.adam_v,
  };
}

export async function saveCheckpoint(path: string, s: TrainState): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(s));
}

export async function loadCheckpoint(path: string): Promise<TrainState> {
  return decodeCheckpoint(await Deno.readFile(path), path);
}
