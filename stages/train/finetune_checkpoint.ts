/**
 * Fine-tuning checkpoints: one safetensors file with the policy weights (`model.*`) and AdamW
 * moments (`adam_m.*`, `adam_v.*`), and in `__metadata__` the step, the Rng state, the model
 * config, the trainer options and the run's `identity` (a hash of the options that shape
 * training, the base and reference weights and the pairs): a checkpoint resumes only a run of
 * the same identity. The data cursor is the step (stages/train/data_order.ts). Written atomically.
 */
import { parseModelConfig } from "../../models/config.ts";
import { packTensorGroups, splitTensorGroups } from "../../models/checkpoint.ts";
import { decodeSafetensors, encodeSafetensors, writeFileAtomic } from "../../models/safetensors.ts";
import { readFileIfExists } from "../../lib/read_if_exists.ts";
import type { RngState } from "../../lib/rng.ts";
import type { FineTuneState } from "./preference_trainer.ts";

export const FINETUNE_CHECKPOINT_FORMAT = "capo-finetune-checkpoint/1";
const GROUPS = ["model", "adam_m", "adam_v"] as const;

export interface FineTuneCheckpoint extends FineTuneState {
  identity: string;
  /** The trainer options (JSON), for people reading the file. */
  options: string;
}

export function encodeFineTuneCheckpoint(c: FineTuneCheckpoint): Uint8Array {
  const tensors = packTensorGroups(c.model, { model: c.params, adam_m: c.adamM, adam_v: c.adamV });
  return encodeSafetensors(tensors, {
    capo_format: FINETUNE_CHECKPOINT_FORMAT,
    config: JSON.stringify(c.model),
    options: c.options,
    identity: c.identity,
    step: String(c.step),
    rng: JSON.stringify(c.rng),
    ...(c.threads === undefined ? {} : { threads: String(c.threads) }),
  });
}

export function decodeFineTuneCheckpoint(bytes: Uint8Array, source: string): FineTuneCheckpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const fail = (why: string): never => {
    throw new RangeError(`Cannot read ${source} as a fine-tuning checkpoint: ${why}`);
  };
  if (metadata.capo_format !== FINETUNE_CHECKPOINT_FORMAT) {
    fail(`capo_format is ${JSON.stringify(metadata.capo_format)}`);
  }
  const step = Number(metadata.step);
  if (!Number.isSafeInteger(step) || step < 0) fail(`step is ${JSON.stringify(metadata.step)}`);
  let rng: unknown;
  try {
    rng = JSON.parse(metadata.rng ?? "null");
  } catch {
    rng = null;
  }
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((v) => Number.isInteger(v))) {
    fail(`rng is ${JSON.stringify(metadata.rng)}`);
  }
  if (typeof metadata.identity !== "string") fail("it has no identity");
  const model = parseModelConfig(JSON.parse(metadata.config ?? "null"));
  const groups = splitTensorGroups(model, tensors, GROUPS, source);
  return {
    model,
    identity: metadata.identity!,
    options: metadata.options ?? "{}",
    step,
    rng: rng as RngState,
    params: groups.model,
    adamM: groups.adam_m,
    adamV: groups.adam_v,
    ...(metadata.threads === undefined ? {} : { threads: Number(metadata.threads) }),
  };
}

export async function saveFineTuneCheckpoint(path: string, c: FineTuneCheckpoint): Promise<void> {
  await writeFileAtomic(path, encodeFineTuneCheckpoint(c));
}

/** The checkpoint at `path`, or null if there is none. */
export async function loadFineTuneCheckpoint(path: string): Promise<FineTuneCheckpoint | null> {
  const bytes = await readFileIfExists(path);
  return bytes === null ? null : decodeFineTuneCheckpoint(bytes, path);
}
