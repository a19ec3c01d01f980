/**
 * Gives a cell's run directory the shared upstream stages (prompts, generate, score) of its
 * base, so the cell's run computes only calibrate, select, train and evaluate.
 *
 * The stages are the shared run's own shards, hard-linked (copied where links fail): Parquet
 * shards are never written in place (a stage writes new files and renames), so a link is as
 * safe as a copy and costs no space. The manifest is written last and atomically, so a kill
 * part-way leaves no manifest listing a missing file. The cell's runner then checks the chain
 * itself: the cell config's prompts/generate/score sections equal the shared run's, so their
 * stage hashes match and the linked stages are reused, not recomputed.
 *
 * A cell stage holding another hash (the size preset or the base changed) is moved to the
 * cell's `.stale/` (pipeline/stale.ts), never deleted.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { manifestName } from "../manifest.ts";
import { STAGE_NAMES, type StageName } from "../method.ts";
import { moveAside } from "../stale.ts";
import { readManifest } from "../stage_store.ts";

/** The last of the stages every cell of a base shares (prompts, generate, score). */
export const SHARED_UP_TO: StageName = "score";

/** The stages every cell of a base shares, in pipeline order. */
export const SHARED_STAGES = STAGE_NAMES.slice(0, STAGE_NAMES.indexOf(SHARED_UP_TO) + 1);

const ONE = { index: 0, count: 1 };

/** Links `upstreamDir`'s complete shared stages into `cellDir`; returns the stages linked. */
export async function shareUpstream(upstreamDir: string, cellDir: string): Promise<string[]> {
  const linked: string[] = [];
  for (const stage of SHARED_STAGES) {
    const src = join(upstreamDir, stage);
    const m = await readManifest(src, ONE);
    if (m === null || !m.complete) {
      throw new RangeError(
        `Cannot share stage '${stage}' of ${upstreamDir} as it is ${
          m === null ? "missing" : "incomplete"
        }: run the shared stages first`,
      );
    }
    const dst = join(cellDir, stage);
    const have = await readManifest(dst, ONE);
    if (have !== null && have.complete && have.stage_hash === m.stage_hash) continue;
    if (have !== null) await moveAside(cellDir, stage, ONE, have.stage_hash);
    await Deno.mkdir(dst, { recursive: true });
    for (const shard of m.shards) await linkOrCopy(join(src, shard.file), join(dst, shard.file));
    await writeFileAtomic(
      join(dst, manifestName(ONE)),
      await Deno.readFile(join(src, manifestName(ONE))),
    );
    linked.push(stage);
  }
  return linked;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  await Deno.remove(to).catch(() => {}); // a file left by a run killed before its manifest
  try {
    await Deno.link(from, to);
  } catch {
    await Deno.copyFile(from, to); // another filesystem, or links not allowed
  }
}
