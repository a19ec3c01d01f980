/**
 * The run config's sections for the method's model stages (generate, score, calibrate,
 * select): types, defaults with their reasons, and validation naming the bad key. The default
 * run's sizing (a 20-minute run on 2 cores) is worked out in config.ts beside DEFAULTS.
 * Free of model code, so the config can be loaded without onnxruntime or tfjs.
 */
import { SELECT_METHODS, type SelectMethod } from "../stages/select/select_pairs.ts";
import { badKey, finite, int, isObject, unknownKey, type Where } from "../lib/config_checks.ts";

export interface GenerateConfig {
  /** The base (reference) model directory: model.safetensors + config.json. */
  model: string;
  /** Samples per prompt, N >= 2. */
  n: number;
  /** Images per sampler call (memory bound), across prompts. */
  batch: number;
  /** Sampling steps. */
  steps: number;
  /** Classifier-free guidance scale. */
  guidance: number;
  /** DDIM stochasticity, eps models only (0: deterministic). */
  eta: number;
  /** Run seed: sample seed = f(seed, prompt_id, sample_index) (stages/generate/generate.ts). */
  seed: number;
}

export interface ScoreConfig {
  /** Reward manifests, in column order; null: every data/rewards/<name>.json beside <name>.onnx. */
  rewards: string[] | null;
  /** Images per reward-model call, across prompts. */
  batch: number;
}

export interface CalibrateConfig {
  /** Per-reward temperature tau_k > 0 (SPEC 1.3, ours); a reward not named gets 1. */
  tau: Record<string, number>;
}

export interface SelectConfig {
  /** 'single' | 'sum-raw' | 'sum-calibrated' | 'frs' (SPEC 1.4). */
  method: SelectMethod;
  /** The reward of method 'single'; null otherwise. */
  reward: string | null;
  /** Pairs per prompt. */
  pairs_per_prompt: number;
  /** FRS: retries after each pair's first draw before the prompt yields no pair. */
  max_retries: number;
  /** Weights of the multi-reward regression target; null: uniform. */
  weights: Record<string, number> | null;
  /** Seed of the FRS draws. */
  seed: number;
}

export const GENERATE_DEFAULTS: GenerateConfig = {
  model: "data/models/base-eps", // `deno task pretrain` writes it; the SDXL-like base
  n: 16, // the paper's N
  batch: 64, // 128 ORT rows under guidance: ~2 MB of activations per layer, well in memory
  steps: 20, // DDIM at 20 steps is close to 30 on this model and 1.5x faster
  guidance: 4, // the sampler's default
  eta: 0, // deterministic DDIM: the seed alone fixes the image
  seed: 0,
};

export const SCORE_DEFAULTS: ScoreConfig = {
  rewards: null, // the three shipped rewards of data/rewards/
  batch: 64, // as the evaluator's chunk
};

// tau 1 for every reward, as the paper (which has none); FRS only compares, so tau changes
// the regression targets' scale, not which pairs are chosen.
export const CALIBRATE_DEFAULTS: CalibrateConfig = { tau: {} };

export const SELECT_DEFAULTS: SelectConfig = {
  method: "frs", // the paper's multi-reward method
  reward: null,
  pairs_per_prompt: 1, // as the paper: one pair per prompt
  max_retries: 32, // rejections are rare once X+ and X- are disjoint; 32 ends hopeless prompts
  weights: null,
  seed: 0,
};

function section(prefix: string, raw: unknown, where: Where): Record<string, unknown> {
  if (!isObject(raw)) throw badKey(prefix.slice(0, -1), where, "an object", raw);
  return raw;
}

function numberMap(
  key: string,
  v: unknown,
  where: Where,
  ok: (x: number) => boolean,
  want: string,
) {
  if (!isObject(v)) throw badKey(key, where, "an object {reward: number}", v);
  for (const [name, x] of Object.entries(v)) finite(`${key}.${name}`, x, where, ok, want);
  return { ...(v as Record<string, number>) };
}

export function mergeGenerate(base: GenerateConfig, raw: unknown, where: Where): GenerateConfig {
  const out = { ...base };
  for (const [k, v] of Object.entries(section("generate.", raw, where))) {
    const key = `generate.${k}`;
    switch (k as keyof GenerateConfig) {
      case "model":
        if (typeof v !== "string" || v === "") throw badKey(key, where, "a model directory", v);
        out.model = v;
        break;
      case "n":
        out.n = int(key, v, where, 2);
        break;
      case "batch":
        out.batch = int(key, v, where, 1);
        break;
      case "steps":
        out.steps = int(key, v, where, 1);
        break;
      case "guidance":
        out.guidance = finite(key, v, where, () => true, "a finite number");
        break;
      case "eta":
        out.eta = finite(key, v, where, (x) => x >= 0 && x <= 1, "in [0, 1]");
        break;
      case "seed":
        out.seed = int(key, v, where, 0);
        break;
      default:
        throw unknownKey(key, where, Object.keys(base).map((x) => `generate.${x}`));
    }
  }
  return out;
}

export function mergeScore(base: ScoreConfig, raw: unknown, where: Where): ScoreConfig {
  const out = { ...base };
  for (const [k, v] of Object.entries(section("score.", raw, where))) {
    const key = `score.${k}`;
    switch (k as keyof ScoreConfig) {
      case "rewards":
        if (
          v !== null &&
          (!Array.isArray(v) || v.length === 0 ||
            !v.every((p) => typeof p === "string" && p !== ""))
        ) {
          throw badKey(key, where, "null or a non-empty list of reward manifest paths", v);
        }
        out.rewards = v === null ? null : [...v];
        break;
      case "batch":
        out.batch = int(key, v, where, 1);
        break;
      default:
        throw unknownKey(key, where, Object.keys(base).map((x) => `score.${x}`));
    }
  }
  return out;
}

export function mergeCalibrate(
  base: CalibrateConfig,
  raw: unknown,
  where: Where,
): CalibrateConfig {
  const out = { ...base };
  for (const [k, v] of Object.entries(section("calibrate.", raw, where))) {
    const key = `calibrate.${k}`;
    if (k !== "tau") throw unknownKey(key, where, ["calibrate.tau"]);
    out.tau = numberMap(key, v, where, (x) => x > 0, "a number > 0");
  }
  return out;
}

export function mergeSelect(base: SelectConfig, raw: unknown, where: Where): SelectConfig {
  const out = { ...base };
  for (const [k, v] of Object.entries(section("select.", raw, where))) {
    const key = `select.${k}`;
    switch (k as keyof SelectConfig) {
      case "method":
        if (!(SELECT_METHODS as readonly unknown[]).includes(v)) {
          throw badKey(key, where, `one of ${SELECT_METHODS.map((m) => `'${m}'`).join(", ")}`, v);
        }
        out.method = v as SelectMethod;
        break;
      case "reward":
        if (v !== null && (typeof v !== "string" || v === "")) {
          throw badKey(key, where, "null or a reward name", v);
        }
        out.reward = v;
        break;
      case "pairs_per_prompt":
        out.pairs_per_prompt = int(key, v, where, 1);
        break;
      case "max_retries":
        out.max_retries = int(key, v, where, 0);
        break;
      case "weights":
        out.weights = v === null ? null : numberMap(key, v, where, (x) => x >= 0, "a number >= 0");
        break;
      case "seed":
        out.seed = int(key, v, where, 0);
        break;
      default:
        throw unknownKey(key, where, Object.keys(base).map((x) => `select.${x}`));
    }
  }
  if (out.method === "single" && out.reward === null) {
    throw badKey("select.reward", where, "a reward name when select.method is 'single'", null);
  }
  return out;
}
