/**
 * The pretraining corpus (docs/method.md §8): example number `index` of a seed is a random train
 * caption, a random layout satisfying it, and its render, all derived from (seed, index) so
 * any example can be regenerated alone and in any order.
 *
 * Captions come from the train prompt set only (as generated before the dev split took its
 * prompts out of train.txt: `promptSets().pool`, so the shipped bases' corpus is the one they
 * were pretrained on), so no held-out combination (and no eval caption) is ever seen in
 * pretraining; free colours never form a held-out pair either.
 */
import { parseCaption } from "./grammar.ts";
import { CATEGORIES, type Category, type Meaning } from "./meaning.ts";
import { promptSets } from "./prompts.ts";
import { Rng } from "../lib/rng.ts";
import { renderScene } from "./render.ts";
import { layoutFor } from "./scene.ts";

export interface CorpusItem {
  caption: string;
  meaning: Meaning;
  /** 32*32*3 bytes, RGB, HWC row-major. */
  image: Uint8Array;
}

/**
 * How often each category is drawn. Small categories (6 single_object captions) are drawn far
 * more often than their share of captions, so the model learns objects before relations.
 */
export const CORPUS_WEIGHTS: Readonly<Record<Category, number>> = {
  single_object: 0.1,
  two_object: 0.1,
  counting: 0.2,
  colors: 0.15,
  position: 0.25,
  color_attr: 0.2,
};

let byCategory: Map<Category, { caption: string; meaning: Meaning }[]> | null = null;

function trainByCategory(): Map<Category, { caption: string; meaning: Meaning }[]> {
  if (byCategory !== null) return byCategory;
  const map = new Map<Category, { caption: string; meaning: Meaning }[]>(
    CATEGORIES.map((c) => [c, []]),
  );
  for (const caption of promptSets().pool) {
    const meaning = parseCaption(caption);
    map.get(meaning.category)!.push({ caption, meaning });
  }
  byCategory = map;
  return map;
}

/** Deterministic pretraining example number `index` of corpus `seed`. */
export function corpusItem(seed: number, index: number): CorpusItem {
  if (!Number.isInteger(index) || index < 0) {
    throw new RangeError(
      `Cannot draw corpusItem as index must be a non-negative integer: current value is ${index}`,
    );
  }
  const rng = Rng.derive(seed, index >>> 0, Math.floor(index / 2 ** 32));
  const groups = trainByCategory();
  let u = rng.next();
  let category: Category = CATEGORIES[CATEGORIES.length - 1]!;
  for (const c of CATEGORIES) {
    u -= CORPUS_WEIGHTS[c];
    if (u < 0) {
      category = c;
      break;
    }
  }
  const { caption, meaning } = rng.pick(groups.get(category)!);
  return { caption, meaning, image: renderScene(layoutFor(meaning, rng)) };
}
