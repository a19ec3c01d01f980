/**
 * The evaluator's inputs from disk: the prompt list (an evenly spaced subset when capped) and
 * the reward manifests (given, or discovered in data/rewards/).
 */
import { join } from "node:path";

/** One prompt per non-empty line; with `max`, `max` prompts evenly spaced over the file. */
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
  if (max === null || max >= all.length) return all;
  // Evenly spaced rather than the first `max`, so a file ordered by category keeps every one.
  return Array.from({ length: max }, (_, i) => all[Math.floor(i * all.length / max)]!);
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
