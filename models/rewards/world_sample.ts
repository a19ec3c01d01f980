/**
 * Labelled ShapeWorld images for training and evaluating the reward models: a caption from a
 * prompt split, a scene laid out for it (or, with probability pMismatch, a mismatched scene:
 * a minimal change, mismatch.ts, or with probability pUnrelated the scene of another caption),
 * rendered with at most one graded degradation (degrade.ts). Every draw comes from the Rng
 * passed in, so (seed, index) fixes a sample.
 */
import type { Rng } from "../../lib/rng.ts";
import { CORPUS_WEIGHTS } from "../../shapeworld/corpus.ts";
import { parseCaption } from "../../shapeworld/grammar.ts";
import { CATEGORIES, type Category, type Meaning } from "../../shapeworld/meaning.ts";
import { loadPrompts } from "../../shapeworld/prompts.ts";
import { layoutFor, type Scene } from "../../shapeworld/scene.ts";
import { applicable, type DegradationKind, renderDegraded } from "./degrade.ts";
import {
  mismatchedScene,
  type MismatchKind,
  mismatchKinds,
  sceneShows,
  type Split,
} from "./mismatch.ts";

/** A minimal change (mismatch.ts), or "unrelated": the scene of another caption. */
export type ImageMismatch = MismatchKind | "unrelated";

export interface WorldSample {
  caption: string;
  meaning: Meaning;
  /** The scene as rendered (after any mismatch and scene-level degradation). */
  scene: Scene;
  /** 32*32*3 bytes, RGB, HWC row-major. */
  image: Uint8Array;
  /** How the scene differs from the caption, or null when it shows it. */
  mismatch: ImageMismatch | null;
  /** The degradation applied, or null for a clean render. */
  degradation: DegradationKind | null;
  /** Degradation level, 0 (clean) to 4. */
  level: number;
}

export interface SampleMix {
  /** Probability that the scene is mismatched to the caption. */
  pMismatch: number;
  /**
   * Probability that a mismatched scene is another caption's (an easy negative that teaches
   * which words go with which pixels) rather than a minimal change.
   */
  pUnrelated: number;
  /**
   * Relative weight of each minimal-change kind among those that apply to a caption (missing
   * kinds not listed weigh 1), e.g. more relation changes so position captions are not learned last.
   */
  mismatchWeights: Readonly<Partial<Record<MismatchKind, number>>>;
  /** Levels drawn uniformly (repeat a level to weight it), e.g. [0, 1, 2, 3, 4]. */
  levels: readonly number[];
  /** Degradation kinds drawn uniformly among those that apply to the scene. */
  kinds: readonly DegradationKind[];
}

/** A prompt split's captions, parsed and grouped by category. */
export class CaptionPool {
  readonly split: Split;
  #byCategory = new Map<Category, { caption: string; meaning: Meaning }[]>();

  constructor(split: Split, captions: readonly string[] = loadPrompts(split)) {
    this.split = split;
    for (const c of CATEGORIES) this.#byCategory.set(c, []);
    for (const caption of captions) {
      const meaning = parseCaption(caption);
      this.#byCategory.get(meaning.category)!.push({ caption, meaning });
    }
    if (captions.length === 0) {
      throw new RangeError(
        `Cannot build a caption pool for split '${split}' as it has no captions`,
      );
    }
  }

  /** A caption drawn with the pretraining corpus' category weights (empty categories skipped). */
  draw(rng: Rng): { caption: string; meaning: Meaning } {
    const present = CATEGORIES.filter((c) => this.#byCategory.get(c)!.length > 0);
    const total = present.reduce((s, c) => s + CORPUS_WEIGHTS[c], 0);
    let u = rng.next() * total;
    let category = present[present.length - 1]!;
    for (const c of present) {
      u -= CORPUS_WEIGHTS[c];
      if (u < 0) {
        category = c;
        break;
      }
    }
    return rng.pick(this.#byCategory.get(category)!);
  }
}

/** One of `kinds`, drawn with probability proportional to its weight (default 1). */
function pickWeighted(
  kinds: readonly MismatchKind[],
  weights: Readonly<Partial<Record<MismatchKind, number>>>,
  rng: Rng,
): MismatchKind {
  const w = kinds.map((k) => weights[k] ?? 1);
  let u = rng.next() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kinds.length; i++) {
    u -= w[i]!;
    if (u < 0) return kinds[i]!;
  }
  return kinds[kinds.length - 1]!;
}

/** A scene of another caption of `pool` that does not show `meaning`. */
function unrelatedScene(pool: CaptionPool, meaning: Meaning, rng: Rng): Scene {
  for (let t = 0; t < 40; t++) {
    const scene = layoutFor(pool.draw(rng).meaning, rng);
    if (!sceneShows(meaning, scene)) return scene;
  }
  throw new RangeError(
    `Cannot draw an unrelated scene for ${JSON.stringify(meaning)}: 40 tries all show it`,
  );
}

/**
 * One labelled image for `caption` (parsed as `meaning`), drawn from `rng` by `mix`; `pool`
 * supplies unrelated captions and the split (which held-out combinations to avoid).
 */
export function drawImage(
  caption: string,
  meaning: Meaning,
  mix: SampleMix,
  pool: CaptionPool,
  rng: Rng,
): WorldSample {
  return renderSample(drawScene(caption, meaning, mix, pool, rng), mix, rng);
}

/** A scene for `caption`: laid out for it, or (with probability mix.pMismatch) mismatched. */
export function drawScene(
  caption: string,
  meaning: Meaning,
  mix: SampleMix,
  pool: CaptionPool,
  rng: Rng,
): DrawnScene {
  let mismatch: ImageMismatch | null = null;
  let scene: Scene;
  if (rng.next() < mix.pMismatch) {
    if (rng.next() < mix.pUnrelated) {
      mismatch = "unrelated";
      scene = unrelatedScene(pool, meaning, rng);
    } else {
      const kind = pickWeighted(mismatchKinds(meaning), mix.mismatchWeights, rng);
      mismatch = kind;
      scene = mismatchedScene(meaning, kind, rng, pool.split);
    }
  } else {
    scene = layoutFor(meaning, rng);
  }
  return { caption, meaning, scene, mismatch };
}

/** A scene drawn for a caption, before rendering. */
export type DrawnScene = Pick<WorldSample, "caption" | "meaning" | "scene" | "mismatch">;

/**
 * Render a drawn scene with at most one degradation: a level from `mix.levels`, then a kind
 * from `mix.kinds` that applies to the scene. Rendering one scene several times gives images
 * that differ only in their degradation.
 */
export function renderSample(d: DrawnScene, mix: SampleMix, rng: Rng): WorldSample {
  let level = rng.pick(mix.levels);
  const kinds = mix.kinds.filter((k) => applicable(k, d.scene));
  if (kinds.length === 0) level = 0;
  const degradation = level === 0 ? null : rng.pick(kinds);
  const out = renderDegraded(d.scene, degradation ?? "blur", level, rng);
  return { ...d, scene: out.scene, image: out.image, degradation, level };
}

/** A caption from `pool` and one labelled image for it. */
export function drawSample(pool: CaptionPool, mix: SampleMix, rng: Rng): WorldSample {
  const { caption, meaning } = pool.draw(rng);
  return drawImage(caption, meaning, mix, pool, rng);
}
