/**
 * `deno task train-rewards [options]`
 *
 * Trains the three rewards of the default world (aesthetic, alignment, preference) from the
 * committed config, exports each to ONNX with its manifest, measures held-out quality and the
 * rank correlations, and writes the card (models/rewards/train_rewards.ts). Regenerates
 * data/rewards/ by default.
 *
 * Options:
 *   --config <json>         recipe (default models/rewards/configs/rewards.json)
 *   --out <dir>             output folder (default data/rewards)
 *   --only <a,b>            retrain only these rewards (the others must be in --out)
 *   --steps <n>             override every reward's train.steps (quick smoke runs)
 *   --correlations-only     do not train; recompute the correlations and the card
 *   --samples <path>        also correlate on base-model samples (Parquet or PNG folder)
 *   --base <dir>            ... or on samples drawn here from a base model folder
 *   --threads <n>           onnxruntime threads for held-out scoring (default 1)
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import {
  loadRewardsConfig,
  REWARD_NAMES,
  type RewardName,
} from "../models/rewards/rewards_config.ts";
import { trainRewards, type TrainRewardsOptions } from "../models/rewards/train_rewards.ts";

const USAGE =
  "usage: capo train-rewards [--config <json>] [--out <dir>] [--only <names>] [--steps <n>] " +
  "[--correlations-only] [--samples <path> | --base <model dir>] [--threads <n>]";

const VALUE_FLAGS = ["--config", "--out", "--only", "--steps", "--samples", "--base", "--threads"];
const BOOL_FLAGS = ["--correlations-only"];

function parseArgs(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (BOOL_FLAGS.includes(a)) out.set(a, "true");
    else if (VALUE_FLAGS.includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) {
        throw new TypeError(`Cannot parse ${a} as it needs a value\n${USAGE}`);
      }
      out.set(a, v);
    } else throw new TypeError(`Cannot parse argument '${a}': unknown option\n${USAGE}`);
  }
  return out;
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    throw new RangeError(`Cannot parse ${name} as a positive integer: current value is ${v}`);
  }
  return n;
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(USAGE);
    return 0;
  }
  const a = parseArgs(args);
  const configPath = a.get("--config") ?? "models/rewards/configs/rewards.json";
  const defaultConfig = fromFileUrl(
    new URL("../models/rewards/configs/rewards.json", import.meta.url),
  );
  const config = await loadRewardsConfig(a.has("--config") ? configPath : defaultConfig);
  const steps = a.get("--steps");
  if (steps !== undefined) {
    const n = positiveInt("--steps", steps);
    for (const name of REWARD_NAMES) config.rewards[name].train.steps = n;
  }
  const opts: TrainRewardsOptions = {
    config,
    outDir: a.get("--out") ?? fromFileUrl(new URL("../data/rewards", import.meta.url)),
    configPath,
    correlationsOnly: a.has("--correlations-only"),
  };
  const only = a.get("--only");
  if (only !== undefined) {
    const names = only.split(",");
    for (const n of names) {
      if (!REWARD_NAMES.includes(n as RewardName)) {
        throw new RangeError(
          `Cannot parse --only as '${n}' is not one of ${REWARD_NAMES.join(", ")}`,
        );
      }
    }
    opts.only = names as RewardName[];
  }
  const samples = a.get("--samples");
  if (samples !== undefined) opts.samples = samples;
  const base = a.get("--base");
  if (base !== undefined) opts.base = base;
  const threads = a.get("--threads");
  if (threads !== undefined) opts.threads = positiveInt("--threads", threads);
  const m = await trainRewards(opts);
  for (const name of REWARD_NAMES) {
    const r = m.rewards[name];
    console.log(
      `${name}: ${r.params} params, ${r.onnxBytes} bytes, ${r.trainSeconds} s, ${
        JSON.stringify(r.quality)
      }`,
    );
  }
  for (const c of Object.values(m.correlations)) {
    console.log(
      `${c.source}: max reward pair ${c.maxRewardPair.a}-${c.maxRewardPair.b} rho ${c.maxRewardPair.rho}`,
    );
  }
  return 0;
}
