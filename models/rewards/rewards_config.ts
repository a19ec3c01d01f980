/**
 * The committed recipe of the three shipped rewards (models/rewards/configs/rewards.json):
 * architecture, optimisation, training-data mix and held-out evaluation sizes. With the seeds
 * in it, `deno task train-rewards` regenerates data/rewards/ from this file alone.
 */
import { VOCABULARY } from "../../shapeworld/vocab.ts";
import type { AnnotatorConfig } from "./annotator.ts";
import { DEGRADATION_KINDS, type DegradationKind, MAX_LEVEL } from "./degrade.ts";
import { MISMATCH_KINDS, type MismatchKind } from "./mismatch.ts";
import { parseRewardNetConfig, type RewardNetConfig } from "./net_config.ts";
import type { SampleMix } from "./world_sample.ts";

export const REWARD_NAMES = ["aesthetic", "alignment", "preference"] as const;
export type RewardName = typeof REWARD_NAMES[number];

/**
 * What a reward is trained to do: regress the quality 1 - level/4 (aesthetic), classify
 * matched vs mismatched (alignment, the score is a logit), or order the annotator's pairs
 * (preference, Bradley-Terry).
 */
export const OBJECTIVES: Readonly<Record<RewardName, "regression" | "binary" | "bradley_terry">> = {
  aesthetic: "regression",
  alignment: "binary",
  preference: "bradley_terry",
};

export interface RewardTrainConfig {
  /** Seeds weight init. */
  seed: number;
  steps: number;
  /** Images per step. */
  batchSize: number;
  /** Bradley-Terry: images per caption, every pair judged (must divide batchSize; else 1). */
  groupSize: number;
  /** Peak learning rate, after a linear warm-up, cosine-decayed to lr * finalLrFraction. */
  lr: number;
  warmupSteps: number;
  finalLrFraction: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (0 = off). */
  gradClip: number;
  /** Steps over which unrelated negatives fade to the mix's share (batches.ts; 0 = off). */
  curriculumSteps: number;
}

export interface RewardRecipe {
  net: RewardNetConfig;
  /**
   * Warm-start from an earlier reward's trained weights (same net), as MPS starts from a
   * pretrained vision-language model; null trains from scratch.
   */
  initFrom: RewardName | null;
  train: RewardTrainConfig;
  /** The training images' mix of mismatches and degradations. */
  mix: SampleMix;
}

export interface RewardsConfig {
  /** Seeds the training data streams (train prompts). */
  dataSeed: number;
  /** Seeds the held-out sets (eval prompts); never used for training. */
  evalSeed: number;
  /** The hidden annotator of the preference reward's pairs. */
  annotator: AnnotatorConfig;
  eval: {
    /** Held-out images for aesthetic's Spearman and alignment's AUC. */
    images: number;
    /** Held-out annotated pairs for preference's accuracy. */
    pairs: number;
    /** Proxy images for the cross-reward rank correlations. */
    correlationImages: number;
    /** The proxy set's mix (eval prompts, random mismatches and degradations). */
    proxyMix: SampleMix;
  };
  rewards: Record<RewardName, RewardRecipe>;
}

function fail(key: string, why: string, value: unknown): never {
  throw new RangeError(
    `Cannot use rewards config as ${key} ${why}: current value is ${JSON.stringify(value)}`,
  );
}

function obj(x: unknown, key: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) fail(key, "must be an object", x);
  for (const k of Object.keys(x)) {
    if (!keys.includes(k)) {
      fail(`${key}.${k}`, `is not a known key (known: ${keys.join(", ")})`, "present");
    }
  }
  for (const k of keys) if (!(k in x)) fail(`${key}.${k}`, "is missing", undefined);
  return x as Record<string, unknown>;
}

function num(x: unknown, key: string, ok: (v: number) => boolean, what: string): number {
  if (typeof x !== "number" || !Number.isFinite(x) || !ok(x)) fail(key, `must be ${what}`, x);
  return x;
}

const nonNeg = (x: unknown, key: string) => num(x, key, (v) => v >= 0, ">= 0");
const posInt = (x: unknown, key: string) =>
  num(x, key, (v) => Number.isInteger(v) && v > 0, "a positive integer");
const int = (x: unknown, key: string) => num(x, key, Number.isInteger, "an integer");

function parseMix(x: unknown, key: string): SampleMix {
  const o = obj(x, key, ["pMismatch", "pUnrelated", "mismatchWeights", "levels", "kinds"]);
  const w = o.mismatchWeights;
  if (typeof w !== "object" || w === null || Array.isArray(w)) {
    fail(`${key}.mismatchWeights`, "must be an object", w);
  }
  const mismatchWeights: Partial<Record<MismatchKind, number>> = {};
  for (const [k, v] of Object.entries(w)) {
    if (!MISMATCH_KINDS.includes(k as MismatchKind)) {
      fail(
        `${key}.mismatchWeights.${k}`,
        `is not a mismatch kind (${MISMATCH_KINDS.join(", ")})`,
        v,
      );
    }
    mismatchWeights[k as MismatchKind] = num(v, `${key}.mismatchWeights.${k}`, (x) => x > 0, "> 0");
  }
  const levels = o.levels;
  if (
    !Array.isArray(levels) || levels.length === 0 ||
    !levels.every((l) => Number.isInteger(l) && l >= 0 && l <= MAX_LEVEL)
  ) {
    fail(`${key}.levels`, `must be a non-empty list of integers in [0, ${MAX_LEVEL}]`, levels);
  }
  const kinds = o.kinds;
  if (!Array.isArray(kinds) || !kinds.every((k) => DEGRADATION_KINDS.includes(k))) {
    fail(`${key}.kinds`, `must be a list of ${DEGRADATION_KINDS.join(", ")}`, kinds);
  }
  return {
    pMismatch: num(o.pMismatch, `${key}.pMismatch`, (v) => v >= 0 && v <= 1, "in [0, 1]"),
    pUnrelated: num(o.pUnrelated, `${key}.pUnrelated`, (v) => v >= 0 && v <= 1, "in [0, 1]"),
    mismatchWeights,
    levels: [...levels] as number[],
    kinds: [...kinds] as DegradationKind[],
  };
}

function parseTrain(x: unknown, key: string): RewardTrainConfig {
  const o = obj(x, key, [
    "seed",
    "steps",
    "batchSize",
    "groupSize",
    "lr",
    "warmupSteps",
    "finalLrFraction",
    "weightDecay",
    "gradClip",
    "curriculumSteps",
  ]);
  return {
    seed: int(o.seed, `${key}.seed`),
    steps: posInt(o.steps, `${key}.steps`),
    batchSize: posInt(o.batchSize, `${key}.batchSize`),
    groupSize: posInt(o.groupSize, `${key}.groupSize`),
    lr: num(o.lr, `${key}.lr`, (v) => v > 0, "> 0"),
    warmupSteps: nonNeg(o.warmupSteps, `${key}.warmupSteps`),
    finalLrFraction: num(
      o.finalLrFraction,
      `${key}.finalLrFraction`,
      (v) => v >= 0 && v <= 1,
      "in [0, 1]",
    ),
    weightDecay: nonNeg(o.weightDecay, `${key}.weightDecay`),
    gradClip: nonNeg(o.gradClip, `${key}.gradClip`),
    curriculumSteps: nonNeg(o.curriculumSteps, `${key}.curriculumSteps`),
  };
}

/** Validate a parsed rewards.json; the tokenizer vocabulary is always ShapeWorld's. */
export function parseRewardsConfig(raw: unknown): RewardsConfig {
  const o = obj(raw, "config", ["dataSeed", "evalSeed", "annotator", "eval", "rewards"]);
  const a = obj(o.annotator, "annotator", ["quality", "alignment", "taste", "noise"]);
  const e = obj(o.eval, "eval", ["images", "pairs", "correlationImages", "proxyMix"]);
  const r = obj(o.rewards, "rewards", REWARD_NAMES);
  const rewards = {} as Record<RewardName, RewardRecipe>;
  for (const name of REWARD_NAMES) {
    const spec = obj(r[name], `rewards.${name}`, ["net", "initFrom", "train", "mix"]);
    const net = parseRewardNetConfig({ ...(spec.net as object), vocabulary: [...VOCABULARY] });
    const wantInputs = name === "aesthetic" ? "image" : "image_text";
    if (net.inputs !== wantInputs) {
      fail(`rewards.${name}.net.inputs`, `must be "${wantInputs}"`, net.inputs);
    }
    const initFrom = spec.initFrom;
    if (initFrom !== null) {
      const earlier = REWARD_NAMES.slice(0, REWARD_NAMES.indexOf(name));
      if (!earlier.includes(initFrom as RewardName)) {
        fail(
          `rewards.${name}.initFrom`,
          `must be null or a reward trained before it (${earlier.join(", ") || "none"})`,
          initFrom,
        );
      }
      const { vocabulary: _a, ...mine } = net;
      const { vocabulary: _b, ...theirs } = rewards[initFrom as RewardName].net;
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
        fail(
          `rewards.${name}.net`,
          `must equal the net of '${initFrom}' to warm-start from it`,
          spec.net,
        );
      }
    }
    rewards[name] = {
      net,
      initFrom: initFrom as RewardName | null,
      train: parseTrain(spec.train, `rewards.${name}.train`),
      mix: parseMix(spec.mix, `rewards.${name}.mix`),
    };
  }
  return {
    dataSeed: int(o.dataSeed, "dataSeed"),
    evalSeed: int(o.evalSeed, "evalSeed"),
    annotator: {
      quality: nonNeg(a.quality, "annotator.quality"),
      alignment: nonNeg(a.alignment, "annotator.alignment"),
      taste: nonNeg(a.taste, "annotator.taste"),
      noise: nonNeg(a.noise, "annotator.noise"),
    },
    eval: {
      images: posInt(e.images, "eval.images"),
      pairs: posInt(e.pairs, "eval.pairs"),
      correlationImages: posInt(e.correlationImages, "eval.correlationImages"),
      proxyMix: parseMix(e.proxyMix, "eval.proxyMix"),
    },
    rewards,
  };
}

/** The committed config. */
export const DEFAULT_CONFIG_URL = new URL("./configs/rewards.json", import.meta.url);

export async function loadRewardsConfig(
  path: string | URL = DEFAULT_CONFIG_URL,
): Promise<RewardsConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new TypeError(`Cannot read rewards config '${String(path)}': ${(err as Error).message}`);
  }
  return parseRewardsConfig(JSON.parse(text));
}
