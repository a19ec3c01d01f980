/**
 * The hidden, noisy annotator that judges the preference reward's training pairs (the MPS
 * analogue's "human raters", docs/method.md §8). It only labels training and held-out pairs;
 * it is never a reward and nothing outside models/rewards/ reads it.
 *
 * Notation: for an image x of caption c,
 *   q(x) = 1 - level / 4                     quality (1 clean .. 0 worst degradation)
 *   a(x) = 1 if x shows c, else 0            alignment (the generator's ground truth)
 *   t(x) = (mean extent - 9.5) / 2.5 + 0.5 (mean saturation - 0.88) / 0.08
 *                                            its own taste: larger, more saturated shapes
 *   u(x) = w_q q + w_a a + w_t t             utility (noise-free)
 * A judgement of (A, B) draws e_A, e_B ~ N(0, 1) and prefers A iff
 *   u(A) + sigma e_A > u(B) + sigma e_B      (Thurstone's model: the annotator is noisy)
 */
import type { Rng } from "../../lib/rng.ts";
import type { Scene } from "../../shapeworld/scene.ts";
import { PALETTE } from "../../shapeworld/vocab.ts";
import { MAX_LEVEL } from "./degrade.ts";
import type { WorldSample } from "./world_sample.ts";

export interface AnnotatorConfig {
  /** w_q, weight of quality. */
  quality: number;
  /** w_a, weight of alignment. */
  alignment: number;
  /** w_t, weight of the annotator's own taste. */
  taste: number;
  /** sigma, the noise of one judgement. */
  noise: number;
}

/** HSV saturation of an RGB colour: (max - min) / max. */
function saturation([r, g, b]: readonly [number, number, number]): number {
  const max = Math.max(r, g, b);
  return max === 0 ? 0 : (max - Math.min(r, g, b)) / max;
}

/** t(x): the annotator's taste for larger and more saturated shapes (0 for an empty scene). */
export function tasteOf(scene: Scene): number {
  const n = scene.objects.length;
  if (n === 0) return 0;
  let extent = 0, sat = 0;
  for (const o of scene.objects) {
    extent += o.extent;
    sat += saturation(PALETTE[o.colour]);
  }
  return (extent / n - 9.5) / 2.5 + 0.5 * (sat / n - 0.88) / 0.08;
}

/** u(x): the noise-free utility of a labelled image. */
export function utilityOf(s: WorldSample, cfg: AnnotatorConfig): number {
  const q = 1 - s.level / MAX_LEVEL;
  const a = s.mismatch === null ? 1 : 0;
  return cfg.quality * q + cfg.alignment * a + cfg.taste * tasteOf(s.scene);
}

export interface Judgement {
  /** The annotator's (noisy) verdict: A preferred. */
  preferA: boolean;
  /** The noise-free verdict u(A) > u(B) (ties: A), for measuring agreement. */
  noiseFreePreferA: boolean;
}

/** One judgement of the pair (A, B). */
export function judge(a: WorldSample, b: WorldSample, cfg: AnnotatorConfig, rng: Rng): Judgement {
  const ua = utilityOf(a, cfg), ub = utilityOf(b, cfg);
  const ea = rng.normal(), eb = rng.normal();
  return { preferA: ua + cfg.noise * ea > ub + cfg.noise * eb, noiseFreePreferA: ua >= ub };
}
