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
 *   --ranking-only          do not train: each shipped reward's within-prompt ranking accuracy
 *                           on base samples (stages/evaluate/reward_ranking.ts): --base (default
 *                           data/models/base-eps) samples --max-prompts (default 64) prompts of
 *                           --prompts (default data/prompts/dev.txt, stratified) --seeds times
 *                           each (default 8); scores cached in runs/eval-cache
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import {
  loadRewardsConfig,
  REWARD_NAMES,
  type RewardName,
} from "../models/rewards/rewards_config.ts";
import { trainRewards, type TrainRewardsOptions } from "../models/rewards/train_rewards.ts";
import { parseFlags } from "../lib/parse_flags.ts";
import { UsageError } from "../lib/usage_error.ts";

const USAGE =
  "usage: capo train-rewards [--config <json>] [--out <dir>] [--only <names>] [--steps <n>] " +
  "[--correlations-only] [--samples <path> | --base <model dir>] [--threads <n>]\n" +
  "       capo train-rewards --ranking-only [--base <model dir>] [--prompts <file>] " +
  "[--max-prompts <n>] [--seeds <n>]";

/** The flags, in the order an unknown one lists them. */
const OPTIONS = {
  config: { type: "string" },
  out: { type: "string" },
  only: { type: "string" },
  steps: { type: "string" },
  samples: { type: "string" },
  base: { type: "string" },
  threads: { type: "string" },
  prompts: { type: "string" },
  "max-prompts": { type: "string" },
  seeds: { type: "string" },
  "correlations-only": { type: "boolean", default: false },
  "ranking-only": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    throw new UsageError(`Cannot parse ${name} as a positive integer: current value is ${v}`);
  }
  return n;
}

export async function main(args: string[]): Promise<number> {
  let a;
  try {
    ({ values: a } = parseFlags("capo train-rewards", { args, options: OPTIONS }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (a.help) {
    console.log(USAGE);
    return 0;
  }
  if (a["ranking-only"]) return await ranking(a);
  const configPath = a.config ?? "models/rewards/configs/rewards.json";
  const defaultConfig = fromFileUrl(
    new URL("../models/rewards/configs/rewards.json", import.meta.url),
  );
  const config = await loadRewardsConfig(a.config !== undefined ? configPath : defaultConfig);
  const steps = a.steps;
  if (steps !== undefined) {
    const n = positiveInt("--steps", steps);
    for (const name of REWARD_NAMES) config.rewards[name].train.steps = n;
  }
  const opts: TrainRewardsOptions = {
    config,
    outDir: a.out ?? fromFileUrl(new URL("../data/rewards", import.meta.url)),
    configPath,
    correlationsOnly: a["correlations-only"],
  };
  const only = a.only;
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
  const samples = a.samples;
  if (samples !== undefined) opts.samples = samples;
  const base = a.base;
  if (base !== undefined) opts.base = base;
  const threads = a.threads;
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

/** `--ranking-only`: the shipped rewards' within-prompt ranking accuracy on base samples. */
async function ranking(
  a: Readonly<Partial<Record<"base" | "prompts" | "max-prompts" | "seeds", string>>>,
): Promise<number> {
  const { measureRanking } = await import("../stages/evaluate/reward_ranking.ts");
  const { formatRankingAccuracy } = await import("../models/rewards/ranking_accuracy.ts");
  const { CATEGORIES } = await import("../shapeworld/meaning.ts");
  const o = {
    base: a.base ?? "data/models/base-eps",
    prompts: a.prompts ?? "data/prompts/dev.txt",
    maxPrompts: positiveInt("--max-prompts", a["max-prompts"] ?? "64"),
    samples: positiveInt("--seeds", a.seeds ?? "8"),
    rewards: null,
    seedBase: 0,
    steps: 20,
    guidance: 4,
    chunk: 64,
    cacheDir: "runs/eval-cache",
  };
  const r = await measureRanking(o);
  console.log(
    `Within-prompt ranking accuracy of each reward on ${o.base}'s samples: ${r.all_prompts} ` +
      `prompts of ${o.prompts} (stratified) x ${o.samples} samples (seeds ${o.seedBase}.., ` +
      `${o.steps} steps, guidance ${o.guidance}); over every pair of one prompt's samples ` +
      `that ShapeEval calls one right and one wrong, the share each reward ranks right first ` +
      `(ties half; 50% is chance).\n`,
  );
  console.log(formatRankingAccuracy(r, CATEGORIES));
  console.log(`\n${JSON.stringify(r)}`);
  return 0;
}
