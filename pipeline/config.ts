/**
 * The run's one validated config: defaults (each with its reason), a JSON file (`--config`) over
 * them, then CLI flags over that. Unknown keys and bad values are rejected naming the key and
 * where it came from. The result is printed at the start of a run and stored as
 * `runs/<name>/config.json`.
 *
 * Adding a stage's options: one section in `RunConfig`, its defaults in `DEFAULTS`, and one
 * `case` in `SECTIONS` checking its keys.
 */
import { badKey, int, isObject, oneOf, str, unknownKey, type Where } from "../lib/config_checks.ts";
import {
  EVAL_DEFAULTS,
  type EvalOptions,
  mergeEvalOptions,
} from "../stages/evaluate/eval_options.ts";
import {
  mergeTrainerOptions,
  TRAINER_DEFAULTS,
  type TrainerOptions,
} from "../stages/train/trainer_options.ts";
import {
  CALIBRATE_DEFAULTS,
  type CalibrateConfig,
  GENERATE_DEFAULTS,
  type GenerateConfig,
  mergeCalibrate,
  mergeGenerate,
  mergeScore,
  mergeSelect,
  SCORE_DEFAULTS,
  type ScoreConfig,
  SELECT_DEFAULTS,
  type SelectConfig,
} from "./method_config.ts";
import { parseWorkShard, type WorkShard } from "./work_shard.ts";

export type { CalibrateConfig, GenerateConfig, ScoreConfig, SelectConfig };

export const PROMPT_SPLITS = ["auto", "hash", "train", "eval"] as const;
export const PROMPT_FORMATS = ["txt", "jsonl", "csv", "parquet"] as const;

export interface PromptsConfig {
  path: string;
  format: typeof PROMPT_FORMATS[number] | null;
  column: string;
  lowercase: boolean;
  max_chars: number;
  split: typeof PROMPT_SPLITS[number];
  eval_fraction: number;
  /** Only the first `limit` prompts (after normalising and de-duplicating, before sharding). */
  limit: number | null;
}

export interface RunConfig {
  name: string;
  runs_dir: string;
  prompts: PromptsConfig;
  shard_rows: number;
  max_in_flight: number;
  shard: WorkShard;
  from: string | null;
  generate: GenerateConfig;
  score: ScoreConfig;
  calibrate: CalibrateConfig;
  select: SelectConfig;
  train: TrainerOptions;
  evaluate: EvalOptions;
}

/*
 * Sizing of the default run: under 10 minutes end to end on 2 CPU cores. Measured with a
 * base-eps pretraining snapshot while pretraining held the other core (runs/search-snapC):
 *   generate   256 prompts x N 16 = 4096 images at 13.5 per s          303 s
 *   score      4096 images x 3 small ONNX rewards                   (in the above)
 *   calibrate, select                                                   ~1 s
 *   train      256 FRS pairs x 8 epochs / 64 pairs per step = 32 steps x 1.24 s   40 s
 *   evaluate   96 eval prompts x 2 seeds x 2 models = 384 images      28 s
 *   report     plots + contact sheets                                  3 s
 *   total                                                          ~6.3 min
 * The paper's scale (N = 16 on 100K prompts) is `prompts.limit: null` over many workers
 * (`--shard i/n`, scale/).
 */

export const DEFAULTS: RunConfig = {
  name: "default", // runs/<name>/: one directory per experiment
  runs_dir: "runs", // deno task run may write only here (--allow-write=runs)
  prompts: {
    path: "data/prompts/train.txt", // the ShapeWorld train prompts shipped in data/
    format: null, // null: from the file extension
    column: "prompt", // the prompt column of a CSV/JSONL/Parquet file
    lowercase: false, // ShapeWorld prompts are already lowercase; lowercasing changes ids
    max_chars: 1000, // far above any real prompt; longer lines are skipped with a warning
    split: "auto", // train.txt -> 'train', eval.txt -> 'eval', else by prompt-id hash
    eval_fraction: 0.1, // only used when split is 'hash'
    limit: 256, // the default run's budget (see the sizing above); null: every prompt
  },
  // ~256 prompt groups of N = 16 samples per shard: a few MB of 32x32 PNGs, large enough for
  // Parquet to compress well, small enough that a crash loses seconds of work.
  shard_rows: 4096,
  // Groups queued ahead of a stage; must exceed any stage's batch of held groups.
  max_in_flight: 256,
  shard: { index: 0, count: 1 }, // one worker unless --shard i/n
  from: null, // null: resume where the run stopped; a stage name: recompute after it
  generate: GENERATE_DEFAULTS, // N 16 at 20 steps (pipeline/method_config.ts)
  score: SCORE_DEFAULTS,
  calibrate: CALIBRATE_DEFAULTS,
  select: SELECT_DEFAULTS, // FRS, one pair per prompt
  // 64 pairs per step at lr 5e-6, 8 epochs (~32 steps, ~1 min with OpenBLAS matMul), w(t) =
  // sigmoid(-lambda_t + b) (SPEC 1.5). Searched on the shipped base-eps (step 29,000) with this
  // run's data (256 FRS pairs), evaluated as below, win-rate % on aesthetic / alignment /
  // preference (runs/search/s3-*.eval.md):
  //   64 pairs, lr 5e-6, 8 epochs, w = 1                 50.0 / 58.3 / 43.8
  //   ... weighting 'sigmoid' (this default)             57.3 / 56.8 / 65.1
  //   ... lr 1e-5                                        38.0 / 67.2 / 38.5
  //   ... lr 2e-6                                        46.9 / 63.0 / 47.9
  //   ... reward_weights preference 2                    56.8 / 59.4 / 45.3
  //   ... with DPO                                       41.1 / 60.9 / 44.8
  // Intervals are about +-7 points (192 images). On an earlier snapshot (step 11,306) w = 1
  // gave 68.8 / 54.2 / 45.3 and sigmoid 72.4 / 48.4 / 49.0: the better choice depends on the base.
  train: { ...TRAINER_DEFAULTS, batch_pairs: 64, lr: 5e-6, epochs: 8, weighting: "sigmoid" },
  evaluate: {
    ...EVAL_DEFAULTS,
    max_prompts: 96, // evenly spaced over eval.txt, so every category is in
    seeds_per_prompt: 2,
    steps: 20, // as generate.steps
  },
};

function checkKeys(obj: Record<string, unknown>, known: object, prefix: string, where: Where) {
  for (const k of Object.keys(obj)) {
    if (!(k in known)) {
      throw unknownKey(prefix + k, where, Object.keys(known).map((x) => prefix + x));
    }
  }
}

function mergePrompts(base: PromptsConfig, raw: unknown, where: Where): PromptsConfig {
  if (!isObject(raw)) throw badKey("prompts", where, "an object", raw);
  checkKeys(raw, base, "prompts.", where);
  const out = { ...base };
  for (const [k, v] of Object.entries(raw)) {
    const key = `prompts.${k}`;
    switch (k as keyof PromptsConfig) {
      case "path":
        out.path = str(key, v, where);
        break;
      case "format":
        out.format = v === null ? null : oneOf(key, v, where, PROMPT_FORMATS);
        break;
      case "column":
        out.column = str(key, v, where);
        break;
      case "lowercase":
        if (typeof v !== "boolean") throw badKey(key, where, "true or false", v);
        out.lowercase = v;
        break;
      case "max_chars":
        out.max_chars = int(key, v, where, 1);
        break;
      case "split":
        out.split = oneOf(key, v, where, PROMPT_SPLITS);
        break;
      case "eval_fraction":
        if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw badKey(key, where, "in [0, 1]", v);
        out.eval_fraction = v;
        break;
      case "limit":
        out.limit = v === null ? null : int(key, v, where, 1);
        break;
    }
  }
  return out;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const STAGE = /^[a-z][a-z0-9_-]{0,39}$/;

/** `raw` (parsed JSON) over `base`; throws naming the first bad or unknown key. */
export function mergeConfig(base: RunConfig, raw: unknown, where: Where): RunConfig {
  if (!isObject(raw)) throw badKey("(root)", where, "a JSON object", raw);
  checkKeys(raw, base, "", where);
  const out: RunConfig = { ...base };
  for (const [k, v] of Object.entries(raw)) {
    switch (k as keyof RunConfig) {
      case "name":
        if (typeof v !== "string" || !NAME.test(v)) {
          throw badKey(k, where, `a name matching ${NAME}`, v);
        }
        out.name = v;
        break;
      case "runs_dir":
        out.runs_dir = str(k, v, where);
        break;
      case "prompts":
        out.prompts = mergePrompts(base.prompts, v, where);
        break;
      case "shard_rows":
        out.shard_rows = int(k, v, where, 1);
        break;
      case "max_in_flight":
        out.max_in_flight = int(k, v, where, 1);
        break;
      case "shard":
        out.shard = shardValue(v, where);
        break;
      case "from":
        if (v !== null && (typeof v !== "string" || !STAGE.test(v))) {
          throw badKey(k, where, "null or a stage name", v);
        }
        out.from = v;
        break;
      case "generate":
        out.generate = mergeGenerate(base.generate, v, where);
        break;
      case "score":
        out.score = mergeScore(base.score, v, where);
        break;
      case "calibrate":
        out.calibrate = mergeCalibrate(base.calibrate, v, where);
        break;
      case "select":
        out.select = mergeSelect(base.select, v, where);
        break;
      case "train":
        out.train = mergeTrainerOptions(base.train, v, where);
        break;
      case "evaluate":
        out.evaluate = mergeEvalOptions(base.evaluate, v, where);
        break;
    }
  }
  return out;
}

function shardValue(v: unknown, where: Where): WorkShard {
  try {
    if (typeof v === "string") return parseWorkShard(v);
    if (isObject(v) && Object.keys(v).length === 2) {
      return parseWorkShard(`${v.index}/${v.count}`);
    }
  } catch { /* reported below */ }
  throw badKey("shard", where, "'i/n' or {index, count} with 0 <= i < n", v);
}

/** CLI flags -> config keys; a flag's value is parsed as the key's type. */
const FLAGS: Record<string, (v: string) => unknown> = {
  "--name": (v) => ({ name: v }),
  "--runs-dir": (v) => ({ runs_dir: v }),
  "--prompts": (v) => ({ prompts: { path: v } }),
  "--shard": (v) => ({ shard: v }),
  "--shard-rows": (v) => ({ shard_rows: /^\d+$/.test(v) ? Number(v) : v }),
  "--from": (v) => ({ from: v }),
};

export const RUN_USAGE = `usage: capo run [--config file.json] [--name NAME] [--prompts PATH]
                [--shard i/n] [--shard-rows N] [--runs-dir DIR] [--from STAGE]

Runs the method on the config (defaults: pipeline/config.ts, printed at the start),
  prompts -> generate -> score -> calibrate -> select -> train (+ evaluate),
with checkpoints under <runs_dir>/<name>/. A restarted run resumes where it stopped; --from
STAGE recomputes every stage after STAGE from its shards. A stage whose inputs are missing
(no base model in generate.model, no reward manifests) stops the run before it with a warning
naming them; nothing stands in for it.

Config sections (--config JSON; unknown keys are errors):
  prompts   path, format, column, lowercase, max_chars, split, eval_fraction,
            limit (first K prompts; default 256, null for all)
  generate  model (default data/models/base-eps), n (16), batch (64), steps (20),
            guidance (4), eta (0), seed (0)
  score     rewards (manifest paths; null: data/rewards/<name>.json), batch (64)
  calibrate tau ({reward: temperature}, default 1 each)
  select    method ('frs' | 'single' | 'sum-raw' | 'sum-calibrated'), reward (for 'single'),
            pairs_per_prompt (1), max_retries (32), weights (null: uniform), seed (0)
  train     the trainer's options (stages/train/trainer_options.ts): model, reference, loss, beta,
            lr, batch_pairs, epochs, ...
  evaluate  the evaluator's options (stages/evaluate/eval_options.ts): prompts, max_prompts,
            seeds_per_prompt, steps, rewards, shapeeval, ...
  shard_rows, max_in_flight, shard ('i/n'), from, name, runs_dir

Work shard from the environment (when --shard is not given; pipeline/scale/shard_env.ts):
  CAPO_SHARD=i/n; a Slurm array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, with
  SLURM_ARRAY_TASK_MIN/STEP); a Kubernetes Indexed Job (JOB_COMPLETION_INDEX +
  CAPO_SHARD_COUNT). A sharded worker runs generate..select on its prompts; training needs
  every pair, so it runs once without --shard after the shards are merged (capo merge).

Imported samples: a run whose generate stage was filled by capo import reads them instead
of generating (a prompt without imported samples is an error).`;

/** Parses `capo run` arguments into the config (defaults < --config file < flags). */
export async function loadRunConfig(args: readonly string[]): Promise<RunConfig> {
  let file: string | null = null;
  const overrides: [string, unknown][] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = flag === arg ? undefined : arg.slice(eq + 1);
    if (flag !== "--config" && !(flag in FLAGS)) {
      throw new TypeError(
        `Cannot use argument '${arg}' as it is not a flag of capo run: flags are --config, ${
          Object.keys(FLAGS).join(", ")
        }`,
      );
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new TypeError(`Cannot use ${flag} as it needs a value`);
    if (flag === "--config") file = value;
    else overrides.push([flag, FLAGS[flag]!(value)]);
  }
  let config = DEFAULTS;
  if (file !== null) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (err) {
      throw new TypeError(
        `Cannot read --config ${file}: ${err instanceof Error ? err.message : err}`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new TypeError(`Cannot read --config ${file} as it is not valid JSON: ${err}`);
    }
    config = mergeConfig(config, raw, `--config ${file}`);
  }
  for (const [flag, raw] of overrides) config = mergeConfig(config, raw, flag);
  return config;
}
