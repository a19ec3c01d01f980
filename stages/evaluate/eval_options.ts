/**
 * The evaluator's options (a run config's `evaluate` section, or `capo evaluate`'s flags), each
 * default with its reason; unknown keys and bad values are rejected naming the key.
 */
import { badKey, unknownKey } from "../../lib/config_checks.ts";

export interface EvalOptions {
  /** Eval prompts, one per line. */
  prompts: string;
  /** Evaluate an evenly spaced subset of this many prompts; null: all. */
  max_prompts: number | null;
  /** Seeds per prompt (the same for base and tuned). */
  seeds_per_prompt: number;
  /** First seed; prompt i seed k uses seed_base + i * seeds_per_prompt + k. */
  seed_base: number;
  /** Sampling steps. */
  steps: number;
  /** Classifier-free guidance scale. */
  guidance: number;
  /** Reward manifests; null: every data/rewards/<name>.json with a <name>.onnx beside it. */
  rewards: string[] | null;
  /** Judge every image with ShapeEval (ShapeWorld prompts only). */
  shapeeval: boolean;
  /** Bootstrap resamples of the win-rate interval. */
  resamples: number;
  /** Coverage of the interval. */
  level: number;
  /** Seed of the bootstrap. */
  seed: number;
  /** Images per sampler and reward call. */
  chunk: number;
}

export const EVAL_DEFAULTS: EvalOptions = {
  prompts: "data/prompts/eval.txt", // disjoint from the train prompts (data/prompts/README.md)
  max_prompts: null,
  seeds_per_prompt: 4, // GenEval's 4 images per prompt
  seed_base: 1_000_000, // as models/shapeeval.ts: the same images as `capo shapes eval`
  steps: 30, // the sampler's default
  guidance: 4, // the sampler's default
  rewards: null,
  shapeeval: true,
  resamples: 1000, // enough for a stable 95% percentile interval
  level: 0.95,
  seed: 0,
  chunk: 64, // ORT batches of 64 images (128 rows under guidance)
};

/** `raw` (parsed JSON) over `base`; throws naming the first bad or unknown key. */
export function mergeEvalOptions(
  base: EvalOptions,
  raw: unknown,
  where: string,
  prefix = "evaluate.",
): EvalOptions {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw badKey(prefix.slice(0, -1) || "(root)", where, "an object", raw);
  }
  const out: EvalOptions = { ...base };
  for (const [k, v] of Object.entries(raw)) {
    const key = prefix + k;
    const int = (min: number) => {
      if (!Number.isSafeInteger(v) || (v as number) < min) {
        throw badKey(key, where, `an integer >= ${min}`, v);
      }
      return v as number;
    };
    switch (k as keyof EvalOptions) {
      case "prompts":
        if (typeof v !== "string" || v === "") throw badKey(key, where, "a prompt file path", v);
        out.prompts = v;
        break;
      case "max_prompts":
        out.max_prompts = v === null ? null : int(1);
        break;
      case "seeds_per_prompt":
        out.seeds_per_prompt = int(1);
        break;
      case "seed_base":
        out.seed_base = int(0);
        break;
      case "steps":
        out.steps = int(1);
        break;
      case "guidance":
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw badKey(key, where, "a finite number", v);
        }
        out.guidance = v;
        break;
      case "rewards":
        if (
          v !== null && (!Array.isArray(v) || !v.every((p) => typeof p === "string" && p !== ""))
        ) {
          throw badKey(key, where, "null or a list of reward manifest paths", v);
        }
        out.rewards = v === null ? null : [...v];
        break;
      case "shapeeval":
        if (typeof v !== "boolean") throw badKey(key, where, "true or false", v);
        out.shapeeval = v;
        break;
      case "resamples":
        out.resamples = int(1);
        break;
      case "level":
        if (typeof v !== "number" || !(v > 0 && v < 1)) throw badKey(key, where, "in (0, 1)", v);
        out.level = v;
        break;
      case "seed":
        out.seed = int(0);
        break;
      case "chunk":
        out.chunk = int(1);
        break;
      default:
        throw unknownKey(key, where, Object.keys(base).map((x) => prefix + x));
    }
  }
  return out;
}
