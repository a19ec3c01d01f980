/**
 * The shipped prompt sets (data/prompts/train.txt and eval.txt), generated deterministically
 * from PROMPT_SEED by enumerating the whole grammar and splitting it per category.
 *
 * 1. Enumerate every caption of each category (canonical order), shuffle with the seed.
 * 2. Captions with a held-out combination (heldout.ts) go to eval only, never to train.
 * 3. From the rest, the first EVAL_PLAN[c].seen go to eval and the next TRAIN_PLAN[c] to
 *    train; what remains is in neither set (unseen, in-distribution spare captions).
 * 4. Each list is shuffled once more, so any prefix is a mixed sample of categories.
 * 5. The dev set (docs/method.md §6.5) is drawn from that train list: only from its lines after
 *    the first FINE_TUNE_PREFIX (the default run's fine-tuning prompts, which stay exactly
 *    the same), stratified by category (devQuotas), with its own seeded Rng, and removed
 *    from train, so no fine-tuning run on train.txt ever sees a dev prompt.
 */
import { writeFileAtomic } from "../lib/atomic_write.ts";
import { equalShares } from "../lib/equal_shares.ts";
import { captionOf, parseCaption } from "./grammar.ts";
import { heldOutKind } from "./heldout.ts";
import { CATEGORIES, type Category, type Meaning, type ObjectSpec } from "./meaning.ts";
import { Rng } from "../lib/rng.ts";
import { COLOURS, type Count, RELATIONS, SHAPES, SIZES } from "./vocab.ts";

export const PROMPT_SEED = 20250203;

export type Split = "train" | "dev" | "eval";

/** The splits shipped in data/prompts/, one file each. */
export const SPLITS: readonly Split[] = ["train", "dev", "eval"];

/**
 * The train lines the dev set never takes: the default run's `prompts.limit` (256, stages/
 * prompts/options.ts; a test checks they agree), so the default run's prompts are the same
 * with and without the dev split.
 */
export const FINE_TUNE_PREFIX = 256;

/** About this many dev prompts (DEV_PLAN's total). */
export const DEV_SIZE = 200;

/** Key of the dev draw's Rng, Rng.derive(PROMPT_SEED, DEV_KEY): independent of steps 1-4. */
const DEV_KEY = 0xde5;

/** How many eval prompts per category: seen (no held-out combination) and held out. */
export const EVAL_PLAN: Readonly<
  Record<Category, { seen: number; heldPair: number; heldRelation: number }>
> = {
  single_object: { seen: 3, heldPair: 0, heldRelation: 0 },
  two_object: { seen: 18, heldPair: 0, heldRelation: 0 },
  counting: { seen: 70, heldPair: 30, heldRelation: 0 },
  colors: { seen: 15, heldPair: 9, heldRelation: 0 },
  position: { seen: 140, heldPair: 40, heldRelation: 40 },
  color_attr: { seen: 100, heldPair: 50, heldRelation: 0 },
};

/** How many train prompts per category at most (small categories give all they have). */
export const TRAIN_PLAN: Readonly<Record<Category, number>> = {
  single_object: Infinity,
  two_object: Infinity,
  counting: Infinity,
  colors: Infinity,
  position: 4000,
  color_attr: 1800,
};

/** Every object description: [size] [colour] shape. */
function allSpecs(withColour: boolean | null): ObjectSpec[] {
  const out: ObjectSpec[] = [];
  const sizes = [undefined, ...SIZES];
  const colours = withColour === null
    ? [undefined, ...COLOURS]
    : withColour
    ? [...COLOURS]
    : [undefined];
  for (const shape of SHAPES) {
    for (const size of sizes) {
      for (const colour of colours) {
        const s: ObjectSpec = { shape };
        if (size !== undefined) s.size = size;
        if (colour !== undefined) s.colour = colour;
        out.push(s);
      }
    }
  }
  return out;
}

/** Every meaning of a category that the grammar can express, in a fixed order. */
export function enumerateCategory(c: Category): Meaning[] {
  const any = allSpecs(null), plain = allSpecs(false), coloured = allSpecs(true);
  switch (c) {
    case "single_object":
      return plain.map((object) => ({ category: c, object }));
    case "colors":
      return coloured.map((o) => ({ category: c, object: { ...o, colour: o.colour! } }));
    case "counting":
      return [1, 2, 3, 4].flatMap((n) =>
        any.map((object) => ({ category: c, count: n as Count, object }))
      );
    case "two_object":
      // As in GenEval, the two objects are of different kinds.
      return plain.flatMap((a) =>
        plain.filter((b) => b.shape !== a.shape).map((b) => ({
          category: c,
          objects: [a, b] as [ObjectSpec, ObjectSpec],
        }))
      );
    case "color_attr":
      // As in GenEval, the two colours differ; the shapes may be the same.
      return coloured.flatMap((a) =>
        coloured.filter((b) => b.colour !== a.colour).map((b) => ({
          category: c,
          objects: [a, b] as [ObjectSpec, ObjectSpec],
        }))
      );
    case "position":
      return RELATIONS.flatMap((relation) =>
        any.flatMap((a) =>
          any.filter((b) => b !== a).map((b) => ({
            category: c,
            relation,
            objects: [a, b] as [ObjectSpec, ObjectSpec],
          }))
        )
      );
  }
}

export interface PromptSets {
  /** The fine-tuning prompts: `pool` less the dev prompts, in `pool`'s order. */
  train: string[];
  /** The dev set: hyperparameter searches evaluate here, never on `eval`. */
  dev: string[];
  /** The test set, locked: evaluated only for configurations frozen beforehand. */
  eval: string[];
  /**
   * Every train caption before the dev split (train and dev): the pretraining corpus draws
   * from it (shapeworld/corpus.ts), so the shipped bases' corpus is unchanged by the split.
   */
  pool: string[];
}

/**
 * How many dev prompts per category: DEV_SIZE shared equally over the categories
 * (lib/equal_shares.ts), each capped at half of the category's captions in `candidates`, so
 * fine-tuning on the whole of train.txt keeps at least half of every category. Equal rather
 * than proportional: GenEval's overall is the mean over categories, so each category needs
 * its own sample (position is 68% of train).
 */
export function devQuotas(candidates: readonly string[]): Record<Category, number> {
  const caps = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (const p of candidates) caps[parseCaption(p).category]++;
  for (const c of CATEGORIES) caps[c] = Math.floor(caps[c] / 2);
  return equalShares(caps, DEV_SIZE);
}

/** Step 5: the dev prompts drawn from `pool` (after its first FINE_TUNE_PREFIX lines). */
function drawDev(pool: readonly string[]): string[] {
  const rng = Rng.derive(PROMPT_SEED, DEV_KEY);
  const candidates = pool.slice(FINE_TUNE_PREFIX);
  const quotas = devQuotas(candidates);
  const dev: string[] = [];
  for (const c of CATEGORIES) {
    const mine = candidates.filter((p) => parseCaption(p).category === c);
    dev.push(...rng.shuffle(mine).slice(0, quotas[c]));
  }
  return rng.shuffle(dev);
}

let cached: PromptSets | null = null;

/** The train and eval prompt sets (generated once per process, deterministic). */
export function promptSets(): PromptSets {
  if (cached !== null) return cached;
  const rng = new Rng(PROMPT_SEED);
  const train: string[] = [], evalSet: string[] = [];
  for (const c of CATEGORIES) {
    // 1. enumerate and shuffle
    const pool = rng.shuffle(enumerateCategory(c));
    // 2. split off the held-out meanings
    const seen = pool.filter((m) => heldOutKind(m) === null);
    const heldPair = pool.filter((m) => heldOutKind(m) === "pair");
    const heldRelation = pool.filter((m) => heldOutKind(m) === "relation");
    const plan = EVAL_PLAN[c];
    let seenEval = seen.slice(0, plan.seen);
    if (c === "single_object") {
      // So few captions that a random pick could miss a shape: take the first of each shape.
      seenEval = SHAPES.map((s) => seen.find((m) => m.category === c && m.object.shape === s)!);
    }
    const taken = new Set(seenEval);
    // 3. eval first, then train from what eval did not take
    evalSet.push(
      ...[
        ...seenEval,
        ...heldPair.slice(0, plan.heldPair),
        ...heldRelation.slice(0, plan.heldRelation),
      ]
        .map(captionOf),
    );
    const rest = seen.filter((m) => !taken.has(m));
    train.push(...rest.slice(0, Math.min(rest.length, TRAIN_PLAN[c])).map(captionOf));
  }
  // 4. mix the categories
  const pool = rng.shuffle(train);
  const evalShuffled = rng.shuffle(evalSet);
  // 5. the dev set, out of train
  const dev = drawDev(pool);
  const inDev = new Set(dev);
  cached = { train: pool.filter((p) => !inDev.has(p)), dev, eval: evalShuffled, pool };
  return cached;
}

/** The file a split is shipped in. */
export function promptsUrl(split: Split): URL {
  return new URL(`../data/prompts/${split}.txt`, import.meta.url);
}

/** The shipped prompts of a split: data/prompts/<split>.txt, one caption per line. */
export function loadPrompts(split: Split): string[] {
  if (!SPLITS.includes(split)) {
    throw new TypeError(
      `Cannot load prompts as split must be "train", "dev" or "eval": current value is ${
        String(split)
      }`,
    );
  }
  const text = Deno.readTextFileSync(promptsUrl(split));
  return text.split("\n").filter((l) => l.length > 0);
}

/** Write the prompt sets to `dir` (default data/prompts), atomically; returns the sets. */
export async function writePromptSets(dir?: URL | string): Promise<PromptSets> {
  const sets = promptSets();
  const base = dir === undefined
    ? new URL("../data/prompts/", import.meta.url).pathname
    : typeof dir === "string"
    ? dir
    : dir.pathname;
  await Deno.mkdir(base, { recursive: true });
  for (const split of SPLITS) {
    const path = `${base.replace(/\/$/, "")}/${split}.txt`;
    await writeFileAtomic(path, sets[split].join("\n") + "\n");
  }
  return sets;
}
