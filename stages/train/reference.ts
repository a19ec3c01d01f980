/**
 * The frozen reference model of preference training: the base model's ONNX graph on
 * onnxruntime (models/ort_denoiser.ts), ~10x faster than a tfjs forward on these CPUs. The graph
 * is always exported from the checked safetensors (never a model.onnx that may be stale), so the
 * reference is exactly the weights whose hash the checkpoint records. Its
 * architecture must equal the policy's field for field (same schedule, parameterisation,
 * vocabulary), or err_ref would not be comparable to err_theta; `checkSameArchitecture` says
 * which field differs.
 */
import { sha256Hex } from "../../lib/hash.ts";
import type { ModelConfig } from "../../models/config.ts";
import { decodeModelWeights, type ModelWeights } from "../../models/weights.ts";

export interface LoadedModel extends ModelWeights {
  /** The directory it came from. */
  dir: string;
  /** sha256 of its model.safetensors: the identity of the weights. */
  hash: string;
}

/** Loads `<dir>/model.safetensors` (checked against its config), naming `role` on failure. */
export async function loadModelDir(dir: string, role: string): Promise<LoadedModel> {
  const file = dir.endsWith(".safetensors") ? dir : `${dir}/model.safetensors`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "no such file" : String(err);
    throw new TypeError(`Cannot load the ${role} model from '${file}': ${why}`);
  }
  let m: ModelWeights;
  try {
    m = decodeModelWeights(bytes, file);
  } catch (err) {
    throw new TypeError(`Cannot load the ${role} model from '${file}': ${(err as Error).message}`);
  }
  return { ...m, dir, hash: sha256Hex(bytes) };
}

/** Throws unless the reference's config equals the policy's, naming the first differing field. */
export function checkSameArchitecture(
  policy: ModelConfig,
  reference: ModelConfig,
  names: { policy: string; reference: string },
): void {
  const keys = new Set([...Object.keys(policy), ...Object.keys(reference)]);
  for (const k of keys) {
    const a = JSON.stringify((policy as unknown as Record<string, unknown>)[k]);
    const b = JSON.stringify((reference as unknown as Record<string, unknown>)[k]);
    if (a !== b) {
      const short = (s: string | undefined) =>
        s === undefined ? "absent" : s.length > 60 ? `${s.slice(0, 57)}...` : s;
      throw new RangeError(
        `Cannot use '${names.reference}' as the reference of '${names.policy}' as their ` +
          `architectures differ: ${k} is ${short(b)} in the reference and ${
            short(a)
          } in the policy`,
      );
    }
  }
}
