/**
 * Training batches of the three rewards, drawn from ShapeWorld on the fly (docs/method.md §8):
 *
 *   aesthetic   B/k scenes, each rendered k times with independently drawn degradations,
 *               target y = 1 - level / 4 (the clean render scores 1): renders of one scene
 *               differ only in their degradation, which is what the score must follow
 *   alignment   B/2 captions, each with one image that shows it (y = 1) and one that does
 *               not (y = 0): seeing both sides of a caption at once points the gradient at
 *               what differs, and keeps the classes balanced
 *   preference  B/k captions, each with k images; the hidden annotator judges every pair
 *               (i < j) of a group: Y[g, i, j] = 1 if it preferred i, mask M[g, i, j] = 1
 *               for judged pairs. k(k-1)/2 comparisons per k images (k = 4: 6 instead of
 *               the 2 that disjoint pairs would give) for the same forward cost
 *
 * Images go in as pixel / 127.5 - 1 (the manifest's normalisation), NHWC.
 */
import { Rng } from "../../lib/rng.ts";
import { IMAGE_SIZE } from "../../shapeworld/scene.ts";
import { Tokenizer } from "../tokenizer.ts";
import { type AnnotatorConfig, judge } from "./annotator.ts";
import { MAX_LEVEL } from "./degrade.ts";
import type { RewardNetConfig } from "./net_config.ts";
import type { RewardName } from "./rewards_config.ts";
import {
  type CaptionPool,
  drawImage,
  drawScene,
  renderSample,
  type SampleMix,
  type WorldSample,
} from "./world_sample.ts";

export const PIXELS = IMAGE_SIZE * IMAGE_SIZE * 3;

export interface Batch {
  /** [n, S, S, 3] in [-1, 1] */
  images: Float32Array;
  /** [n, L] token ids, or null for an image-only net */
  tokens: Int32Array | null;
  /** one target per image (regression, binary), or Y [n/k, k, k] (Bradley-Terry) */
  targets: Float32Array;
  /** Bradley-Terry only: M [n/k, k, k], 1 where a pair was judged */
  mask: Float32Array | null;
  /** images per caption group (Bradley-Terry; 1 otherwise) */
  groupSize: number;
  /** number of images */
  n: number;
}

/** Pack labelled images (and their captions, for image_text nets) into tensors' data. */
export function packImages(
  samples: readonly { image: Uint8Array; caption: string }[],
  net: RewardNetConfig,
): { images: Float32Array; tokens: Int32Array | null } {
  const images = new Float32Array(samples.length * PIXELS);
  samples.forEach((s, i) => {
    for (let k = 0; k < PIXELS; k++) images[i * PIXELS + k] = s.image[k]! / 127.5 - 1;
  });
  if (net.inputs === "image") return { images, tokens: null };
  const tok = new Tokenizer(net.vocabulary, net.maxTokens);
  const tokens = new Int32Array(samples.length * net.maxTokens);
  samples.forEach((s, i) => tokens.set(tok.encode(s.caption).ids, i * net.maxTokens));
  return { images, tokens };
}

/** An annotated pair: two images of one caption and the annotator's verdict. */
export interface AnnotatedPair {
  a: WorldSample;
  b: WorldSample;
  preferA: boolean;
  noiseFreePreferA: boolean;
}

/** One annotated pair for a caption of `pool`, every draw from `rng`. */
export function drawPair(
  pool: CaptionPool,
  mix: SampleMix,
  annotator: AnnotatorConfig,
  rng: Rng,
): AnnotatedPair {
  const { caption, meaning } = pool.draw(rng);
  const a = drawImage(caption, meaning, mix, pool, rng);
  const b = drawImage(caption, meaning, mix, pool, rng);
  return { a, b, ...judge(a, b, annotator, rng) };
}

export interface BatchSource {
  name: RewardName;
  net: RewardNetConfig;
  mix: SampleMix;
  pool: CaptionPool;
  annotator: AnnotatorConfig;
  /** Seeds the stream; batch `step` draws from Rng.derive(seed, step). */
  seed: number;
  batchSize: number;
  /** Preference: images per caption, every pair of them judged. */
  groupSize: number;
  /**
   * Curriculum: pUnrelated falls linearly from 1 at step 0 to mix.pUnrelated at this step
   * (0 = off). Easy negatives first teach which words go with which pixels; mixed with the
   * minimal changes from the start, training sat near chance for ~800 steps.
   */
  curriculumSteps: number;
}

/** The mix of batch `step`: the curriculum's pUnrelated for mismatched images. */
export function mixAt(src: BatchSource, step: number): SampleMix {
  if (src.curriculumSteps <= 0 || step >= src.curriculumSteps) return src.mix;
  const p = src.mix.pUnrelated;
  return { ...src.mix, pUnrelated: p + (1 - p) * (1 - step / src.curriculumSteps) };
}

/** Training batch number `step` of a reward's stream (deterministic in (seed, step)). */
export function trainingBatch(src: BatchSource, step: number): Batch {
  const rng = Rng.derive(src.seed, step);
  const B = src.batchSize;
  const mix = mixAt(src, step);
  if (src.name === "preference") return preferenceBatch(src, mix, rng);
  if (src.name === "alignment") {
    const samples: WorldSample[] = [];
    for (let i = 0; i < B; i += 2) {
      const { caption, meaning } = src.pool.draw(rng);
      samples.push(drawImage(caption, meaning, { ...mix, pMismatch: 0 }, src.pool, rng));
      if (i + 1 < B) {
        samples.push(drawImage(caption, meaning, { ...mix, pMismatch: 1 }, src.pool, rng));
      }
    }
    const targets = Float32Array.from(samples, (s) => (s.mismatch === null ? 1 : 0));
    return { ...packImages(samples, src.net), targets, mask: null, groupSize: 1, n: B };
  }
  const k = src.groupSize;
  if (!Number.isInteger(k) || k < 1 || B % k !== 0) {
    throw new RangeError(
      `Cannot draw an aesthetic batch as groupSize must be a positive integer dividing batchSize ` +
        `${B}: current value is ${k}`,
    );
  }
  const samples: WorldSample[] = [];
  for (let g = 0; g < B / k; g++) {
    const { caption, meaning } = src.pool.draw(rng);
    const scene = drawScene(caption, meaning, mix, src.pool, rng);
    for (let i = 0; i < k; i++) samples.push(renderSample(scene, mix, rng));
  }
  const targets = Float32Array.from(samples, (s) => 1 - s.level / MAX_LEVEL);
  return { ...packImages(samples, src.net), targets, mask: null, groupSize: 1, n: B };
}

function preferenceBatch(src: BatchSource, mix: SampleMix, rng: Rng): Batch {
  const k = src.groupSize;
  if (!Number.isInteger(k) || k < 2 || src.batchSize % k !== 0) {
    throw new RangeError(
      `Cannot draw a preference batch as groupSize must be an integer >= 2 dividing batchSize ` +
        `${src.batchSize}: current value is ${k}`,
    );
  }
  const G = src.batchSize / k;
  const samples: WorldSample[] = [];
  const targets = new Float32Array(G * k * k);
  const mask = new Float32Array(G * k * k);
  for (let g = 0; g < G; g++) {
    const { caption, meaning } = src.pool.draw(rng);
    const group = Array.from({ length: k }, () => drawImage(caption, meaning, mix, src.pool, rng));
    samples.push(...group);
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const at = (g * k + i) * k + j;
        mask[at] = 1;
        targets[at] = judge(group[i]!, group[j]!, src.annotator, rng).preferA ? 1 : 0;
      }
    }
  }
  return { ...packImages(samples, src.net), targets, mask, groupSize: k, n: src.batchSize };
}
