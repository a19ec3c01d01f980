/**
 * Held-out quality of the shipped rewards, measured through the scorer harness (the exported
 * ONNX file behind its manifest), on EVAL prompts and seeds disjoint from training:
 *
 *   aesthetic   Spearman's rho between score and degradation level (lower is better, so a
 *               good model is strongly negative), overall and per kind (clean + that kind)
 *   alignment   ROC AUC of matched vs mismatched, overall, per mismatch kind (all matched
 *               vs that kind) and per caption category
 *   preference  accuracy on held-out annotated pairs against the annotator's noisy verdicts
 *               and against its noise-free utility; the annotator's own noisy-vs-noise-free
 *               agreement is the ceiling
 */
import { Rng } from "../../lib/rng.ts";
import { CATEGORIES } from "../../shapeworld/meaning.ts";
import { IMAGE_SIZE } from "../../shapeworld/scene.ts";
import type { RewardModel } from "./reward_model.ts";
import type { AnnotatorConfig } from "./annotator.ts";
import { type AnnotatedPair, drawPair } from "./batches.ts";
import { DEGRADATION_KINDS } from "./degrade.ts";
import { pairwiseAccuracy, rocAuc, spearman } from "./metrics.ts";
import { MISMATCH_KINDS } from "./mismatch.ts";
import { type CaptionPool, drawSample, type SampleMix, type WorldSample } from "./world_sample.ts";

/** Scores of `items` through a reward model, `batch` at a time. */
export async function scoreItems(
  model: RewardModel,
  items: readonly { image: Uint8Array; caption: string }[],
  batch = 256,
): Promise<Float64Array> {
  const out = new Float64Array(items.length);
  for (let i = 0; i < items.length; i += batch) {
    const chunk = items.slice(i, i + batch);
    const s = await model.score(
      chunk.map((c) => ({ width: IMAGE_SIZE, height: IMAGE_SIZE, rgb: c.image })),
      chunk.map((c) => c.caption),
    );
    out.set(s, i);
  }
  return out;
}

/** `n` labelled held-out images: item i from Rng.derive(seed, i). */
export function heldOutImages(
  pool: CaptionPool,
  mix: SampleMix,
  seed: number,
  n: number,
): WorldSample[] {
  return Array.from({ length: n }, (_, i) => drawSample(pool, mix, Rng.derive(seed, i)));
}

/** `n` held-out annotated pairs: pair i from Rng.derive(seed, i). */
export function heldOutPairs(
  pool: CaptionPool,
  mix: SampleMix,
  annotator: AnnotatorConfig,
  seed: number,
  n: number,
): AnnotatedPair[] {
  return Array.from({ length: n }, (_, i) => drawPair(pool, mix, annotator, Rng.derive(seed, i)));
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export interface AestheticQuality {
  images: number;
  /** Spearman(score, level) over all held-out images. */
  spearmanLevel: number;
  /** Spearman(score, level) over the clean images and those of one kind. */
  byKind: Record<string, number>;
}

export async function evaluateAesthetic(
  model: RewardModel,
  samples: WorldSample[],
): Promise<AestheticQuality> {
  const s = await scoreItems(model, samples);
  const level = samples.map((x) => x.level);
  const byKind: Record<string, number> = {};
  for (const kind of DEGRADATION_KINDS) {
    const idx = samples.flatMap((
      x,
      i,
    ) => (x.degradation === null || x.degradation === kind ? [i] : []));
    if (idx.some((i) => samples[i]!.degradation === kind)) {
      byKind[kind] = round(spearman(idx.map((i) => s[i]!), idx.map((i) => level[i]!)));
    }
  }
  return { images: samples.length, spearmanLevel: round(spearman(s, level)), byKind };
}

export interface AlignmentQuality {
  images: number;
  /** AUC of matched vs minimally changed images (unrelated scenes left out). */
  auc: number;
  /** AUC of all matched images against the mismatches of one kind (incl. "unrelated"). */
  byMismatch: Record<string, number>;
  /** AUC within one caption category. */
  byCategory: Record<string, number>;
}

export async function evaluateAlignment(
  model: RewardModel,
  samples: WorldSample[],
): Promise<AlignmentQuality> {
  const s = await scoreItems(model, samples);
  const pos = samples.map((x) => x.mismatch === null);
  const sub = (keep: (x: WorldSample) => boolean): number | null => {
    const idx = samples.flatMap((x, i) => (keep(x) ? [i] : []));
    const labels = idx.map((i) => pos[i]!);
    if (!labels.includes(true) || !labels.includes(false)) return null;
    return round(rocAuc(idx.map((i) => s[i]!), labels));
  };
  const byMismatch: Record<string, number> = {};
  for (const kind of [...MISMATCH_KINDS, "unrelated"]) {
    const v = sub((x) => x.mismatch === null || x.mismatch === kind);
    if (v !== null) byMismatch[kind] = v;
  }
  const byCategory: Record<string, number> = {};
  for (const c of CATEGORIES) {
    const v = sub((x) => x.meaning.category === c);
    if (v !== null) byCategory[c] = v;
  }
  // The headline leaves out unrelated scenes: easy negatives that would flatter the AUC.
  const minimal = sub((x) => x.mismatch !== "unrelated");
  if (minimal === null) {
    throw new RangeError("Cannot compute alignment AUC: no matched and mismatched images");
  }
  return { images: samples.length, auc: minimal, byMismatch, byCategory };
}

export interface PreferenceQuality {
  pairs: number;
  /** Agreement with the annotator's noisy verdicts (what it was trained on). */
  accuracy: number;
  /** Agreement with the annotator's noise-free utility. */
  noiseFreeAccuracy: number;
  /** The annotator's own noisy verdicts against its noise-free utility: the ceiling. */
  annotatorCeiling: number;
}

export async function evaluatePreference(
  model: RewardModel,
  pairs: AnnotatedPair[],
): Promise<PreferenceQuality> {
  const sa = await scoreItems(model, pairs.map((p) => p.a));
  const sb = await scoreItems(model, pairs.map((p) => p.b));
  const agree = pairs.filter((p) => p.preferA === p.noiseFreePreferA).length;
  return {
    pairs: pairs.length,
    accuracy: round(pairwiseAccuracy(sa, sb, pairs.map((p) => p.preferA))),
    noiseFreeAccuracy: round(pairwiseAccuracy(sa, sb, pairs.map((p) => p.noiseFreePreferA))),
    annotatorCeiling: round(agree / pairs.length),
  };
}
