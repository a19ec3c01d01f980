/**
 * Training checkpoints: one safetensors file holding weights (`model.*`), EMA weights
 * (`ema.*`), AdamW moments (`adam_m.*`, `adam_v.*`), and in `__metadata__` the step, data
 * cursor, Rng state and both configs. Written atomically, so a crash mid-write leaves the
 * previous checkpoint intact.
 */
import { type ModelConfig, parseModelConfig } from "./config.ts";
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

/**
 * The tensors of several same-shaped weight sets (weights, EMA, optimiser moments) under one
 * safetensors namespace each: `<group>.<tensor name>`, in the model's tensor order.
 */
export function packTensorGroups(
  model: ModelConfig,
  groups: Record<string, Map<string, Float32Array>>,
): Map<string, NamedTensor> {
  const tensors = new Map<string, NamedTensor>();
  for (const [g, weights] of Object.entries(groups)) {
    for (const spec of denoiserSpecs(model)) {
      const data = weights.get(spec.name);
      if (!data) throw new RangeError(`Cannot write checkpoint as ${g}.${spec.name} is missing`);
      tensors.set(`${g}.${spec.name}`, { shape: spec.shape, data });
    }
  }
  return tensors;
}

/**
 * The inverse of `packTensorGroups`: each group's tensors, checked against the model config
 * (a missing or mis-shaped tensor is an error naming `source`, the group and the tensor).
 */
export function splitTensorGroups<G extends string>(
  model: ModelConfig,
  tensors: Map<string, NamedTensor>,
  groups: readonly G[],
  source: string,
): Record<G, Map<string, Float32Array>> {
  return Object.fromEntries(groups.map((g) => {
    const sub = new Map<string, NamedTensor>();
    for (const [k, t] of tensors) if (k.startsWith(`${g}.`)) sub.set(k.slice(g.length + 1), t);
    checkWeights(model, sub, `${source} (${g})`);
    return [g, new Map([...sub].map(([k, t]) => [k, t.data]))];
  })) as Record<G, Map<string, Float32Array>>;
}

export function encodeCheckpoint(s: TrainState): Uint8Array {
  const tensors = packTensorGroups(s.model, {
    model: s.params,
    ema: s.ema,
    adam_m: s.adamM,
    adam_v: s.adamV,
  });
  return encodeSafetensors(tensors, {
    capo_format: "capo-train-checkpoint/1",
    config: JSON.stringify(s.model),
    train: JSON.stringify(s.train),
    step: String(s.step),
    cursor: String(s.cursor),
    rng: JSON.stringify(s.rng),
    ...(s.threads === undefined ? {} : { threads: String(s.threads) }),
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
  const groups = splitTensorGroups(model, tensors, GROUPS, source);
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
    ...(metadata.threads === undefined ? {} : { threads: Number(metadata.threads) }),
  };
}

export async function saveCheckpoint(path: string, s: TrainState): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(s));
}

export async function loadCheckpoint(path: string): Promise<TrainState> {
  return decodeCheckpoint(await Deno.readFile(path), path);
}
