/**
 * `deno task train-rewards`: train the three rewards of the default world from the committed
 * config, export each to ONNX with its manifest, measure held-out quality through the scorer
 * harness, correlate the rewards with each other and with ShapeEval, and write the card.
 *
 * 1. per reward: train in tfjs (seconds measured), write <out>/<name>.onnx + <name>.json
 * 2. per reward: load the manifest with OnnxReward, score the held-out set (evaluate.ts)
 * 3. load all three shipped rewards, correlate on the proxy set (and on base-model samples
 *    when given), write <out>/metrics.json and the card <out>/README.md
 */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { logger } from "../../lib/log.ts";
import { OnnxReward } from "./onnx_reward.ts";
import { initBackend } from "../backend.ts";
import { countParams } from "../nn/params.ts";
import { type BatchSource, trainingBatch } from "./batches.ts";
import { writeCard } from "./card.ts";
import {
  baseSampleSet,
  correlate,
  type Correlations,
  proxySet,
  samplesSet,
} from "./correlations.ts";
import {
  evaluateAesthetic,
  evaluateAlignment,
  evaluatePreference,
  heldOutImages,
  heldOutPairs,
} from "./evaluate.ts";
import { readOnnxWeights, writeRewardFiles } from "./export.ts";
import { type RewardRecord, rewardRecord, type RewardsMetrics } from "./metrics_file.ts";
import { OBJECTIVES, REWARD_NAMES, type RewardName, type RewardsConfig } from "./rewards_config.ts";
import { RewardTrainer } from "./trainer.ts";
import { CaptionPool } from "./world_sample.ts";
import { readTextIfExists } from "../../lib/read_if_exists.ts";

const log = logger("train-rewards");

/** Held-out sets use Rng.derive(evalSeed + offset, i): one disjoint stream per reward. */
const EVAL_STREAM: Readonly<Record<RewardName, number>> = {
  aesthetic: 1,
  alignment: 2,
  preference: 3,
};

const DESCRIPTIONS: Readonly<Record<RewardName, string>> = {
  aesthetic:
    "ShapeWorld aesthetic/quality reward (VILA analogue): image only, higher for clean, crisp renders",
  alignment:
    "ShapeWorld image-text alignment reward (VQAScore analogue): probability that the image shows the prompt",
  preference:
    "ShapeWorld preference reward (MPS analogue): Bradley-Terry scalar trained on pairs judged by a hidden noisy annotator",
};

export interface TrainRewardsOptions {
  config: RewardsConfig;
  /** Where the ONNX files, manifests, metrics.json and README.md go. */
  outDir: string;
  /** Rewards to (re)train; the others must already be in outDir. @default {all three} */
  only?: readonly RewardName[];
  /** Skip training: only recompute correlations from the shipped rewards. @default {false} */
  correlationsOnly?: boolean;
  /** Base-model samples (Parquet or PNG folder) to correlate on, besides the proxy. */
  samples?: string;
  /** A base model folder to draw `eval.correlationImages` samples from (instead of --samples). */
  base?: string;
  /** The config's path, recorded in the card. */
  configPath: string;
  /** ORT intra-op threads for scoring. @default {1} one core, as training */
  threads?: number;
}

/** Train (or skip to correlating), export, evaluate, correlate; returns the metrics written. */
export async function trainRewards(opts: TrainRewardsOptions): Promise<RewardsMetrics> {
  const { config, outDir } = opts;
  if (opts.samples !== undefined && opts.base !== undefined) {
    throw new TypeError(
      "Cannot correlate on base samples as both samples and base are given: pick one",
    );
  }
  const ortOptions = { intraOpNumThreads: opts.threads ?? 1, interOpNumThreads: 1 };
  await Deno.mkdir(outDir, { recursive: true });
  const metricsPath = join(outDir, "metrics.json");
  const previous = await readPrevious(metricsPath);
  const records: Partial<Record<RewardName, RewardRecord>> = { ...previous?.rewards };
  if (!opts.correlationsOnly) {
    const backend = await initBackend();
    for (const name of opts.only ?? REWARD_NAMES) {
      records[name] = await trainOne(name, config, outDir, backend, ortOptions);
    }
  }
  // 3. correlations of the three shipped rewards
  const models = await Promise.all(
    REWARD_NAMES.map((n) => OnnxReward.load(join(outDir, `${n}.json`), ortOptions)),
  );
  // Correlations measured on earlier weights are stale once any reward is retrained.
  const correlations: RewardsMetrics["correlations"] = opts.correlationsOnly
    ? { ...previous?.correlations }
    : {};
  try {
    const proxy = proxySet(
      config.eval.proxyMix,
      config.evalSeed + 4,
      config.eval.correlationImages,
    );
    // The proxy's captions repeat, but its within-caption spread mixes degradations and
    // mismatches, nothing a base model draws: it is no calibration tau.
    correlations.proxy = { ...await correlate(models, proxy), spread: null };
    logCorrelations(correlations.proxy);
    const base = opts.samples !== undefined
      ? await samplesSet(opts.samples)
      : opts.base !== undefined
      ? await baseSampleSet(opts.base, config.evalSeed + 5, config.eval.correlationImages)
      : null;
    if (base !== null) {
      correlations.samples = await correlate(models, base);
      logCorrelations(correlations.samples);
      const spread = correlations.samples.spread;
      if (spread) await writeManifestTau(outDir, spread);
    }
  } finally {
    for (const m of models) await m.close();
  }
  for (const n of REWARD_NAMES) {
    if (!records[n]) {
      throw new RangeError(`Cannot write the card as reward '${n}' has no recorded metrics`);
    }
  }
  const metrics: RewardsMetrics = {
    format: "capo-reward-metrics/1",
    config: opts.configPath,
    rewards: records as Record<RewardName, RewardRecord>,
    correlations,
  };
  await writeFileAtomic(metricsPath, JSON.stringify(metrics, null, 2) + "\n");
  await writeCard(join(outDir, "README.md"), metrics, config);
  return metrics;
}

/**
 * Stores each reward's within-prompt spread on base samples as its manifest's `tau`, the
 * calibration temperature the run uses unless its config sets one (ours, docs/method.md §3.4):
 * a gap of one typical within-prompt standard deviation then calibrates to sigmoid(1) = 0.73,
 * where tau = 1 squeezes a [0, 1]-bounded reward's calibrated values towards 0.5.
 */
async function writeManifestTau(outDir: string, spread: Record<string, number>): Promise<void> {
  for (const name of REWARD_NAMES) {
    const tau = spread[name];
    if (tau === undefined || !(tau > 0)) continue;
    const path = join(outDir, `${name}.json`);
    const manifest = JSON.parse(await Deno.readTextFile(path));
    manifest.tau = tau;
    await writeFileAtomic(path, JSON.stringify(manifest, null, 2) + "\n");
    log.info("calibration tau written to the manifest", { reward: name, tau, path });
  }
}

async function trainOne(
  name: RewardName,
  config: RewardsConfig,
  outDir: string,
  backend: string,
  ortOptions: { intraOpNumThreads: number; interOpNumThreads: number },
): Promise<RewardRecord> {
  const recipe = config.rewards[name];
  const objective = OBJECTIVES[name];
  // 1. train
  const src: BatchSource = {
    name,
    net: recipe.net,
    mix: recipe.mix,
    pool: new CaptionPool("train"),
    annotator: config.annotator,
    seed: config.dataSeed + EVAL_STREAM[name] * 1000,
    batchSize: recipe.train.batchSize,
    groupSize: recipe.train.groupSize,
    curriculumSteps: recipe.train.curriculumSteps,
  };
  const init = recipe.initFrom === null
    ? null
    : await readOnnxWeights(join(outDir, `${recipe.initFrom}.onnx`));
  const trainer = new RewardTrainer(recipe.net, recipe.train, objective, init);
  const params = countParams(trainer.specs);
  log.info("training", {
    reward: name,
    objective,
    params,
    steps: recipe.train.steps,
    backend,
    initFrom: recipe.initFrom ?? "scratch",
  });
  const t0 = performance.now();
  let avg = NaN;
  for (let step = 0; step < recipe.train.steps; step++) {
    const r = trainer.trainStep(trainingBatch(src, step));
    avg = Number.isNaN(avg) ? r.loss : 0.95 * avg + 0.05 * r.loss;
    if (r.step % 50 === 0 || r.step === recipe.train.steps) {
      log.info("step", {
        reward: name,
        step: r.step,
        loss: +avg.toFixed(4),
        lr: +r.lr.toExponential(2),
        s: +((performance.now() - t0) / 1000).toFixed(1),
      });
    }
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  const weights = trainer.values();
  trainer.dispose();
  log.info("trained", {
    reward: name,
    seconds: +trainSeconds.toFixed(1),
    tensors: tf.memory().numTensors,
  });
  // 2. export and evaluate through the harness
  const written = await writeRewardFiles(
    outDir,
    name,
    recipe.net,
    weights,
    objective,
    DESCRIPTIONS[name],
  );
  const model = await OnnxReward.load(written.manifestPath, ortOptions);
  try {
    const pool = new CaptionPool("eval");
    const seed = config.evalSeed + EVAL_STREAM[name];
    const quality = name === "aesthetic"
      ? await evaluateAesthetic(
        model,
        heldOutImages(pool, config.rewards.aesthetic.mix, seed, config.eval.images),
      )
      : name === "alignment"
      ? await evaluateAlignment(
        model,
        heldOutImages(pool, config.rewards.alignment.mix, seed, config.eval.images),
      )
      : await evaluatePreference(
        model,
        heldOutPairs(
          pool,
          config.rewards.preference.mix,
          config.annotator,
          seed,
          config.eval.pairs,
        ),
      );
    log.info("held-out quality", { reward: name, ...quality });
    return rewardRecord(
      name,
      recipe,
      objective,
      params,
      written.onnxBytes,
      trainSeconds,
      backend,
      quality,
    );
  } finally {
    await model.close();
  }
}

function logCorrelations(c: Correlations): void {
  log.info("rank correlations", {
    source: c.source,
    names: c.names.join(","),
    rho: c.rho.map((r) => r.map((v) => v.toFixed(2)).join(" ")).join(" | "),
    maxRewardPair: `${c.maxRewardPair.a}-${c.maxRewardPair.b} ${c.maxRewardPair.rho}`,
  });
}

async function readPrevious(path: string): Promise<RewardsMetrics | null> {
  const text = await readTextIfExists(path);
  if (text === null) return null;
  const m = JSON.parse(text) as RewardsMetrics;
  if (m.format !== "capo-reward-metrics/1") {
    throw new TypeError(
      `Cannot read '${path}' as reward metrics: format is ${JSON.stringify(m.format)}`,
    );
  }
  return m;
}
