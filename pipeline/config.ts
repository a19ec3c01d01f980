/**
 * The run's one declarative config: every section's table (each key once, with its type,
 * default and the reason for it; lib/config_table.ts), a JSON file (`--config`) over the
 * defaults, then `--section.key=value` flags over that, all checked by the same `merge`. The
 * result is printed at the start of a run and stored as `runs/<name>/config.json`. How the
 * defaults were searched is in docs/defaults.md.
 */
import { parseArgs } from "node:util";
import { unknownFlag } from "../lib/unknown_flag.ts";
import {
  bool,
  custom,
  defaultsOf,
  describeTable,
  flagPatch,
  int,
  isObject,
  key,
  keysOf,
  merge,
  oneOf,
  orNull,
  text,
  type ValuesOf,
} from "../lib/config_table.ts";
import { CALIBRATE } from "../stages/calibrate/options.ts";
import { EVALUATE } from "../stages/evaluate/eval_options.ts";
import { GENERATE } from "../stages/generate/options.ts";
import { PROMPTS } from "../stages/prompts/options.ts";
import { SCORE } from "../stages/score/options.ts";
import { checkSelect, SELECT } from "../stages/select/options.ts";
import { TRAIN } from "../stages/train/trainer_options.ts";
import { parseWorkShard, type WorkShard } from "./work_shard.ts";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const STAGE = /^[a-z][a-z0-9_-]{0,39}$/;

const workShard = custom<WorkShard>(
  "'i/n' or {index, count} with 0 <= i < n",
  (v) => {
    try {
      if (typeof v === "string") return parseWorkShard(v);
      if (isObject(v) && Object.keys(v).length === 2) {
        return parseWorkShard(`${v.index}/${v.count}`);
      }
    } catch { /* not a shard: reported by the caller */ }
    return undefined;
  },
);

export const RUN = {
  name: key(
    text(`a name matching ${NAME}`, NAME),
    "default",
    "The run's directory under runs_dir",
    "one directory per experiment",
  ),
  runs_dir: key(
    text("a directory"),
    "runs",
    "Where runs live",
    "the folder `deno task run` may write to (see README: --runs-dir)",
  ),
  prompts: PROMPTS,
  shard_rows: key(
    int(1),
    4096,
    "Rows per Parquet shard",
    "~256 prompt groups of 16 samples: a few MB of PNGs, large enough for Parquet to compress " +
      "well, small enough that a crash loses seconds of work",
  ),
  max_in_flight: key(
    int(1),
    256,
    "Groups queued ahead of a stage",
    "must exceed any stage's batch of held groups",
  ),
  shard: key(workShard, { index: 0, count: 1 }, "This worker's work shard 'i/n'", "one worker"),
  from: key(
    orNull(text("a stage name", STAGE)),
    null,
    "null: resume where the run stopped; a stage name: recompute every stage after it",
    "resuming is what a restarted run wants",
  ),
  on_unmerged_shards: key(
    oneOf(["stop", "recompute"]),
    "stop",
    "An unsharded run on a run folder whose stages hold worker shards not yet merged: 'stop' " +
      "before any work, naming capo merge; 'recompute' the stages in this process",
    "recomputing silently throws away the workers' work",
  ),
  break_lock: key(
    bool,
    false,
    "Take over a run lock another host left (pipeline/run_lock.ts)",
    "capo cannot check a process on another host, so only the user can say it is gone",
  ),
  generate: GENERATE,
  score: SCORE,
  calibrate: CALIBRATE,
  select: SELECT,
  train: TRAIN,
  evaluate: EVALUATE,
};

export type RunConfig = ValuesOf<typeof RUN>;
export type { CalibrateConfig } from "../stages/calibrate/options.ts";
export type { GenerateConfig } from "../stages/generate/options.ts";
export type { PromptsConfig } from "../stages/prompts/options.ts";
export type { ScoreConfig } from "../stages/score/options.ts";
export type { SelectConfig } from "../stages/select/options.ts";

export const DEFAULTS: RunConfig = defaultsOf(RUN);

/** A typed partial config, as programmatic callers pass it (any subset of any section). */
export type ConfigPatch = {
  [K in keyof RunConfig]?: RunConfig[K] extends WorkShard ? WorkShard | string
    : RunConfig[K] extends object ? Partial<RunConfig[K]>
    : RunConfig[K];
};

/** A bad argument or config value: `capo` exits 2 before anything is opened. */
export class ConfigError extends TypeError {
  override name = "ConfigError";
}

/** A typed partial config over `base`, checked key by key as a --config file is. */
export function mergeConfig(base: RunConfig, patch: ConfigPatch, where: string): RunConfig {
  return checked(mergeJson(base, patch, where), where);
}

/** The rules across keys, once every patch is merged. */
function checked(config: RunConfig, where: string): RunConfig {
  try {
    checkSelect(config.select, where);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return config;
}

/** Parsed JSON over `base`, checked key by key, naming `where` in errors. */
function mergeJson(base: RunConfig, raw: unknown, where: string): RunConfig {
  try {
    return merge(RUN, base, raw, where);
  } catch (err) {
    if (err instanceof TypeError && !(err instanceof ConfigError)) {
      throw new ConfigError(err.message);
    }
    throw err;
  }
}

/** The short flags kept from before `--section.key=value` existed, and the key each sets. */
const ALIASES: Record<string, string> = {
  name: "name",
  "runs-dir": "runs_dir",
  prompts: "prompts.path",
  shard: "shard",
  "shard-rows": "shard_rows",
  from: "from",
  "break-lock": "break_lock",
};

export const RUN_USAGE = `usage: capo run [--config file.json] [--section.key=value ...]
                [--name NAME] [--prompts PATH] [--shard i/n] [--from STAGE] [--runs-dir DIR]

Runs the method on the config, prompts -> generate -> score -> calibrate -> select -> train
(+ evaluate), with checkpoints under <runs_dir>/<name>/. The config is the defaults below, a
--config JSON file over them, then flags over that; any key can be a flag, e.g.
  deno task run --generate.n=8 --train.loss=dpo --calibrate.tau='{"aesthetic":0.2}'
A restarted run resumes where it stopped; --from STAGE recomputes every stage after STAGE. A
stage whose inputs are missing (no base model, no reward manifests) stops the run before it with
a warning naming them; nothing stands in for it. Short flags: ${
  Object.entries(ALIASES).filter(([f, k]) => f !== k).map(([f, k]) => `--${f} = --${k}`).join(", ")
}.

Work shard from the environment when --shard is not given (pipeline/scale/shard_env.ts):
CAPO_SHARD=i/n, a Slurm array, or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX +
CAPO_SHARD_COUNT). A sharded worker runs generate..select; training runs once, unsharded,
after capo merge.

Keys (type; default), what each means; why the default:
${describeTable(RUN)}`;

/** `capo run` arguments: an optional --config file, then flags in order. */
export interface RunArgs {
  config: string | null;
  flags: { where: string; patch: Record<string, unknown> }[];
  help: boolean;
}

/** Splits `capo run` arguments (node:util parseArgs) into the config file and key patches. */
export function parseRunArgs(args: readonly string[]): RunArgs {
  const { tokens } = parseArgs({
    args: [...args],
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: { help: { type: "boolean", short: "h" } },
  });
  const out: RunArgs = { config: null, flags: [], help: false };
  const known = [
    "--config",
    "--help",
    ...Object.keys(ALIASES).map((f) => `--${f}`),
    ...keysOf(RUN).map(([k]) => `--${k}`),
  ];
  let taken = -1; // the index in `args` of a value taken by the flag before it
  for (const t of tokens) {
    if (t.index === taken) continue;
    if (t.kind === "positional") {
      throw new ConfigError(`Cannot use argument '${t.value}' as it is not a flag of capo run`);
    }
    if (t.kind !== "option") continue;
    if (t.name === "help" || t.name === "h") {
      out.help = true;
      continue;
    }
    const dotted = ALIASES[t.name] ?? t.name;
    const isKeyOrSection = keysOf(RUN).some(([k]) => k === dotted || k.startsWith(`${dotted}.`));
    if (t.name !== "config" && !isKeyOrSection) throw unknownFlag("capo run", t.rawName, known);
    // The value is the next argument unless that is a flag: "-3" is a value, not a flag.
    let value = t.value;
    const next = args[t.index + 1];
    if (value === undefined && next !== undefined && !next.startsWith("--")) {
      value = next;
      taken = t.index + 1;
    }
    if (value === undefined && keysOf(RUN).find(([k]) => k === dotted)?.[1].type === bool) {
      value = "true"; // a switch: --break-lock
    }
    if (value === undefined) throw new ConfigError(`Cannot use --${t.name} as it needs a value`);
    if (t.name === "config") out.config = value;
    else out.flags.push({ where: `--${t.name}`, patch: flagPatch(RUN, dotted, value) });
  }
  return out;
}

/** Reads a --config file as a JSON patch, naming the file in any error. */
async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such file"
      : err instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : err instanceof Error
      ? err.message
      : String(err);
    throw new ConfigError(`Cannot read --config ${file}: ${why}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Cannot read --config ${file} as it is not valid JSON: ${err}`);
  }
}

/** `capo run` arguments -> the config (defaults < --config file < flags, in order). */
export async function loadRunConfig(
  args: readonly string[],
  base: RunConfig = DEFAULTS,
): Promise<RunConfig> {
  const parsed = parseRunArgs(args);
  let config = base;
  if (parsed.config !== null) {
    config = mergeJson(config, await readConfigFile(parsed.config), `--config ${parsed.config}`);
  }
  for (const f of parsed.flags) config = mergeJson(config, f.patch, f.where);
  const sources = [
    ...(parsed.config === null ? [] : [`--config ${parsed.config}`]),
    ...parsed.flags.map((f) => f.where),
  ];
  return checked(config, sources.join(", ") || "defaults");
}
