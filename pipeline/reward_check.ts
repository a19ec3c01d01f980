/**
 * `capo check-reward`'s work (docs/bring_your_own_reward.md, step 3): loads a reward manifest
 * and its ONNX model, samples a few prompts from a base model exactly as the run's generate stage
 * would (same seeds, so the same images), scores them through the run's scorer, and measures the
 * reward's calibration temperature (docs/method.md §3.4):
 *
 *   spread    = median over prompts of the sample standard deviation of r among the prompt's
 *               samples (models/rewards/spread.ts), the suggested tau;
 *   sd(Rca)   = standard deviation of the calibrated reward over all samples, at a given tau.
 *
 * sd(Rca) near 0 means every calibrated score is about 0.5 and the reward would not move
 * training; with tau = spread it is about 0.2-0.3 for N = 8.
 * Loads onnxruntime: import it lazily.
 */
import { Sampler } from "../models/sampler.ts";
import { OnnxReward } from "../models/rewards/onnx_reward.ts";
import { withinPromptSpread } from "../models/rewards/spread.ts";
import type { Group } from "../schemas/group.ts";
import type { Prompt } from "../schemas/prompt.ts";
import type { Scored } from "../schemas/scored.ts";
import { calibrateGroup } from "../stages/calibrate/calibrate.ts";
import { readEvalPrompts } from "../stages/evaluate/eval_inputs.ts";
import { GenerateStream } from "../stages/generate/generate.ts";
import { normalizePrompt, promptId } from "../stages/prompts/normalize.ts";
import { ScoreStream } from "../stages/score/score.ts";
import { loadModelDir } from "../stages/train/reference.ts";

export interface RewardCheckOptions {
  /** The reward's JSON manifest. */
  manifest: string;
  /** Base model directory the samples come from. @default {"data/models/base-eps"} */
  base?: string;
  /** Prompt file, one per line. @default {"data/prompts/train.txt"} */
  prompts?: string;
  /** Prompts, evenly spaced over the file. @default {16} */
  maxPrompts?: number;
  /** Samples per prompt (the run's N; at least 2). @default {8} */
  samples?: number;
  /** Sampling steps, guidance and run seed: the run's generate defaults. @default {20, 4, 0} */
  steps?: number;
  guidance?: number;
  seed?: number;
}

export interface RewardCheck {
  name: string;
  manifest: string;
  /** Human-readable inputs and output of the graph as the manifest feeds them. */
  inputs: string;
  base: string;
  prompts: number;
  samples: number;
  /** Every score, prompt by prompt. */
  scores: number[];
  min: number;
  median: number;
  max: number;
  /** Median within-prompt standard deviation: the suggested tau; null if every prompt ties. */
  spread: number | null;
  /** The manifest's tau (null: none, so the run uses 1 unless its config names one). */
  manifestTau: number | null;
  /** sd of Rca over all samples at tau 1, at the manifest's tau, at the suggested tau. */
  rcaSd: { tau: number; label: string; sd: number }[];
}

const sd = (xs: readonly number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

/** sd of Rca over all groups at temperature `tau` (groups of `n` consecutive scores). */
function rcaSpread(scores: readonly number[], n: number, tau: number): number {
  const r = Float64Array.from(scores);
  const out = new Float64Array(r.length);
  const t = Float64Array.of(tau);
  for (let start = 0; start < r.length; start += n) calibrateGroup(r, start, n, 1, t, out);
  return sd([...out]);
}

export async function checkReward(o: RewardCheckOptions): Promise<RewardCheck> {
  const base = o.base ?? "data/models/base-eps";
  const n = o.samples ?? 8;
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(
      `Cannot check a reward with ${n} samples per prompt: at least 2 are needed to calibrate`,
    );
  }
  // 1. the reward: load-time checks of the graph against the manifest
  const reward = await OnnxReward.load(o.manifest);
  try {
    const m = reward.manifest;
    const img = m.inputs.image;
    const inputs = `${img.name} ${img.layout} ${img.size[0]}x${img.size[1]}` +
      (m.inputs.prompt ? `, ${m.inputs.prompt.name} (${m.inputs.prompt.max_len} tokens)` : "") +
      ` -> ${m.output.name} (${m.output.kind})`;
    // 2. the base model's samples, as the run's generate stage draws them
    const model = await loadModelDir(base, "base");
    const texts = (await readEvalPrompts(o.prompts ?? "data/prompts/train.txt", o.maxPrompts ?? 16))
      .map((p) => normalizePrompt(p));
    const groups: Group<Prompt>[] = texts.map((prompt, i) => {
      const id = promptId(prompt);
      return {
        prompt_id: id,
        prompt,
        rows: [{ prompt_id: id, prompt, split: "train", source_index: i }],
      };
    });
    const scored: Group<Scored>[] = await Array.fromAsync(
      ReadableStream.from(groups)
        .pipeThrough(
          new GenerateStream({
            sampler: () => Sampler.create(model.config, model.weights),
            imageSize: model.config.imageSize,
            n,
            steps: o.steps ?? 20,
            guidance: o.guidance ?? 4,
            seed: o.seed ?? 0,
            modelId: base,
            samplerName: model.config.parameterization === "flow" ? "euler" : "ddim",
          }),
        )
        // 3. the run's scorer: one finite score per sample, else an error naming the sample
        .pipeThrough(new ScoreStream({ rewards: [reward] })),
    );
    const column = `reward_${reward.name}` as const;
    const scores = scored.flatMap((g) => g.rows.map((r) => r[column] as number));
    const captions = scored.flatMap((g) => g.rows.map(() => g.prompt));
    // 4. the spread and what calibration makes of it
    const sorted = [...scores].sort((a, b) => a - b);
    const spread = withinPromptSpread(scores, captions);
    const manifestTau = m.tau;
    const taus: { tau: number; label: string }[] = [{ tau: 1, label: "tau 1 (the default)" }];
    if (manifestTau !== null && manifestTau !== 1) {
      taus.push({ tau: manifestTau, label: `tau ${fmt(manifestTau)} (the manifest's)` });
    }
    if (spread !== null && spread > 0) {
      taus.push({ tau: spread, label: `tau ${fmt(spread)} (measured here)` });
    }
    return {
      name: reward.name,
      manifest: o.manifest,
      inputs,
      base,
      prompts: groups.length,
      samples: n,
      scores,
      min: sorted[0]!,
      median: sorted[sorted.length >> 1]!,
      max: sorted[sorted.length - 1]!,
      spread,
      manifestTau,
      rcaSd: taus.map((t) => ({ ...t, sd: rcaSpread(scores, n, t.tau) })),
    };
  } finally {
    await reward.close();
  }
}

/** Four significant digits, no exponent for ordinary values. */
export function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

/** Below this sd of Rca every calibrated score is within a few points of 0.5. */
export const FLAT_RCA_SD = 0.05;

/** The report printed by `capo check-reward`; its last line is the manifest's `tau` entry. */
export function formatRewardCheck(c: RewardCheck): string {
  const lines = [
    `reward '${c.name}' (${c.manifest}) loads: ${c.inputs}`,
    `scored ${c.scores.length} samples of ${c.base} (${c.prompts} prompts x ${c.samples} seeds, ` +
    "the run's seeds): every score finite",
    `scores: min ${fmt(c.min)}, median ${fmt(c.median)}, max ${fmt(c.max)}`,
  ];
  if (c.spread === null || c.spread === 0) {
    lines.push(
      "within-prompt spread: 0 (every sample of a prompt scores the same): the reward cannot " +
        "rank a prompt's samples, so calibration gives 0.5 to all and the reward has no effect",
    );
    return lines.join("\n");
  }
  lines.push(
    `within-prompt spread (median over prompts of the standard deviation): ${fmt(c.spread)}`,
    "standard deviation of the calibrated reward Rca over all samples:",
    ...c.rcaSd.map((r) =>
      `  ${r.label.padEnd(32)} ${r.sd.toFixed(3)}` +
      (r.sd < FLAT_RCA_SD ? "  <- every Rca is about 0.5: the reward would have no effect" : "")
    ),
    `set this tau in ${c.manifest} (or calibrate.tau.${c.name} in the run config):`,
    `  "tau": ${fmt(c.spread)}`,
  );
  return lines.join("\n");
}
