/**
 * A base model's own calibration temperatures: `<model dir>/tau.json`, tau_k measured on that
 * base's samples of the fine-tuning prompts (docs/method.md §3.4). The same tau is far too
 * narrow or too wide for another base (their within-prompt spreads differ), so a run looks up
 * the tau of the model that generated its samples before it falls back to the reward manifest's.
 *
 * Each entry records the sha256 of the reward model it was measured with: an entry whose model
 * has changed since (a retrained reward) no longer describes that reward and is not used.
 */
import { join } from "node:path";
import { sha256Hex } from "../../lib/hash.ts";
import { readTextIfExists } from "../../lib/read_if_exists.ts";

export const BASE_TAU_FILE = "tau.json";
export const BASE_TAU_FORMAT = "capo-base-tau/1";

export interface BaseTauEntry {
  tau: number;
  /** sha256 of the reward's model file when tau was measured */
  model_sha256: string;
}

export interface BaseTau {
  format: typeof BASE_TAU_FORMAT;
  /** the model whose samples were scored */
  base: string;
  /** how and where it was measured, for the reader */
  measured_on: {
    run: string;
    prompts: string;
    prompts_count: number;
    samples_per_prompt: number;
    statistic: string;
  };
  rewards: Record<string, BaseTauEntry>;
}

/** The parsed `<dir>/tau.json`, null if there is none; throws naming the file if it is bad. */
export async function readBaseTau(dir: string): Promise<BaseTau | null> {
  const path = join(dir, BASE_TAU_FILE);
  const text = await readTextIfExists(path);
  if (text === null) return null;
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`Cannot parse ${path} as JSON: ${(err as Error).message}`);
  }
  const o = x as Partial<BaseTau> | null;
  if (o === null || typeof o !== "object" || o.format !== BASE_TAU_FORMAT) {
    throw new TypeError(`Cannot read ${path} as its format is not '${BASE_TAU_FORMAT}'`);
  }
  if (o.rewards === null || typeof o.rewards !== "object") {
    throw new TypeError(`Cannot read ${path} as 'rewards' is not an object`);
  }
  for (const [name, e] of Object.entries(o.rewards)) {
    if (!(typeof e?.tau === "number" && Number.isFinite(e.tau) && e.tau > 0)) {
      throw new RangeError(`Cannot read ${path} as rewards.${name}.tau is not a number > 0`);
    }
    if (typeof e.model_sha256 !== "string" || !/^[0-9a-f]{64}$/.test(e.model_sha256)) {
      throw new TypeError(`Cannot read ${path} as rewards.${name}.model_sha256 is not a sha256`);
    }
  }
  return o as BaseTau;
}

/** sha256 of a reward's model file. */
export async function rewardModelSha256(file: string): Promise<string> {
  return sha256Hex(await Deno.readFile(file));
}

/**
 * tau of each reward from `<modelDir>/tau.json`, for the rewards whose model file is unchanged
 * since; `stale` names the entries skipped because their model changed.
 */
export async function baseTauFor(
  modelDir: string,
  rewards: readonly { name: string; file: string }[],
): Promise<{ tau: Record<string, number>; stale: string[] }> {
  const file = await readBaseTau(modelDir);
  const tau: Record<string, number> = {};
  const stale: string[] = [];
  if (file === null) return { tau, stale };
  for (const r of rewards) {
    const e = file.rewards[r.name];
    if (e === undefined) continue;
    if (e.model_sha256 === await rewardModelSha256(r.file)) tau[r.name] = e.tau;
    else stale.push(r.name);
  }
  return { tau, stale };
}
