/**
 * The evaluator's inputs from disk: the prompt list (a subset stratified by category when
 * capped) and the reward manifests (given, or discovered in data/rewards/).
 */
import { join } from "node:path";
import { equalShares } from "../../lib/equal_shares.ts";
import { parseCaption } from "../../shapeworld/grammar.ts";
import { CATEGORIES } from "../../shapeworld/meaning.ts";

/** The stratum of a prompt that is not a ShapeWorld caption. */
export const OTHER_STRATUM = "other";

/** A prompt's stratum: its ShapeEval category, or OTHER_STRATUM outside the grammar. */
export function stratumOf(prompt: string): string {
  try {
    return parseCaption(prompt).category;
  } catch {
    return OTHER_STRATUM;
  }
}

/**
 * `max` prompts stratified by category (docs/method.md §6.1): equal shares per category, a
 * category with fewer prompts giving all it has and the others sharing the rest equally
 * (lib/equal_shares.ts); within a category, evenly spaced over its prompts in file order. The
 * chosen prompts keep their file order. The file order is shuffled, so evenly spaced within a
 * category is a fixed, seed-free sample of it.
 */
export function stratifiedSubset(all: readonly string[], max: number): string[] {
  if (max >= all.length) return [...all];
  // Strata in GenEval's order (then 'other'): the order equalShares gives its last units in.
  const byStratum = new Map<string, number[]>(
    [...CATEGORIES, OTHER_STRATUM].map((c) => [c, []]),
  );
  all.forEach((p, i) => byStratum.get(stratumOf(p))!.push(i));
  const caps = Object.fromEntries([...byStratum].map(([s, ix]) => [s, ix.length]));
  const shares = equalShares(caps, max);
  const chosen: number[] = [];
  for (const [s, ix] of byStratum) {
    const k = shares[s]!;
    for (let j = 0; j < k; j++) chosen.push(ix[Math.floor(j * ix.length / k)]!);
  }
  return chosen.sort((a, b) => a - b).map((i) => all[i]!);
}

/** One prompt per non-empty line; with `max`, `max` of them stratified by category. */
export async function readEvalPrompts(path: string, max: number | null): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "no such file" : String(err);
    throw new TypeError(`Cannot read the eval prompts '${path}': ${why}`);
  }
  const all = text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  if (all.length === 0) throw new RangeError(`Cannot evaluate on '${path}' as it has no prompts`);
  return max === null ? all : stratifiedSubset(all, max);
}

/** Every `<dir>/<name>.json` with a `<name>.onnx` beside it, sorted; an error if none. */
export async function findRewardManifests(dir = "data/rewards"): Promise<string[]> {
  const names = new Set<string>();
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile) names.add(e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const found = [...names].filter((n) =>
    n.endsWith(".json") && names.has(n.replace(/\.json$/, ".onnx"))
  )
    .sort().map((n) => join(dir, n));
  if (found.length === 0) {
    throw new TypeError(
      `Cannot evaluate with the default rewards as '${dir}' holds no reward manifest ` +
        `(<name>.json beside <name>.onnx): train them (deno task train-rewards) or list manifests ` +
        `in evaluate.rewards ([] for ShapeEval only)`,
    );
  }
  return found;
}
