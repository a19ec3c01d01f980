/**
 * A cache of ModelScores (model_scores.ts): the images of a model on (prompts, seeds, sampler
 * settings) and their scores are computed once and reused, e.g. the base's by every run and
 * every reproduce cell evaluated against it, and every model of a `capo compare`.
 *
 * The key is the sha256 of the canonical JSON of everything that fixes the scores (`identity`:
 * the model's weights hash, the prompts, seeds and sampler settings, every reward's manifest and
 * model hash, ShapeEval on or off); batch sizes are not in it. A file is
 * `<dir>/<key[:16]>.json` = {format, identity, scores}, written atomically; a file whose
 * identity differs (a truncated key's collision) or that does not parse is recomputed. What is
 * not in the key is the code: after a change to the sampler or a reward's runtime, delete the
 * folder.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { canonicalJson, sha256Hex } from "../../lib/hash.ts";
import { logger } from "../../lib/log.ts";
import { readTextIfExists } from "../../lib/read_if_exists.ts";
import type { ModelScores } from "./model_scores.ts";

const log = logger("evaluate");

const FORMAT = 1;

/** The cache file of `identity` in `dir`. */
export function cachePath(dir: string, identity: unknown): string {
  return join(dir, `${sha256Hex(canonicalJson(identity)).slice(0, 16)}.json`);
}

/**
 * The scores of `identity` from `dir`, or `compute()`d and stored there; `dir` null: computed
 * every time. `label` names the model in the log.
 */
export async function cachedScores(
  dir: string | null,
  identity: unknown,
  label: string,
  compute: () => Promise<ModelScores>,
): Promise<ModelScores> {
  if (dir === null) return await compute();
  const path = cachePath(dir, identity);
  const text = await readTextIfExists(path);
  if (text !== null) {
    try {
      const stored = JSON.parse(text);
      if (
        stored.format === FORMAT &&
        canonicalJson(stored.identity) === canonicalJson(identity)
      ) {
        log.info(`scores of ${label} reused`, { path });
        return stored.scores as ModelScores;
      }
    } catch { /* a torn or foreign file: recomputed and replaced */ }
  }
  const scores = await compute();
  await Deno.mkdir(dir, { recursive: true });
  await writeFileAtomic(path, JSON.stringify({ format: FORMAT, identity, scores }) + "\n");
  return scores;
}
