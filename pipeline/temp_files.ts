/**
 * Temp files left by a writer that died mid-write (SIGKILL, power loss, a full disk that killed
 * the process): every atomic write's temp file (lib/atomic_write.ts) of stage shards, manifests,
 * configs, trainer checkpoints, the evaluation and the report. They are removed when the next
 * writer of the run starts, with the run lock held (pipeline/run_lock.ts).
 *
 * Ownership: an unsharded writer owns the whole run directory; work shard i of n owns only the
 * files tagged `w<i>of<n>` (`part-w0of2-00003.parquet`, `manifest.w0of2.json`,
 * `config.w0of2.json`), so it never deletes a temp file another shard is writing right now.
 * `.stale/` (outputs moved aside, kept for the user) is left alone.
 */
import { join } from "node:path";
import { tempTargetOf } from "../lib/atomic_write.ts";
import type { Logger } from "../lib/log.ts";
import type { WorkShard } from "./work_shard.ts";

/** True if the temp file `name` belongs to `worker`'s files. */
export function ownsTemp(worker: WorkShard, name: string): boolean {
  const target = tempTargetOf(name);
  if (target === null) return false;
  if (worker.count === 1) return true;
  return new RegExp(`(^|[.-])w${worker.index}of${worker.count}([.-]|$)`).test(target);
}

/** Removes `worker`'s temp files anywhere under `runDir` (not `.stale/`); returns their paths. */
export async function removeLeftoverTemps(
  runDir: string,
  worker: WorkShard,
  log: Logger,
): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      // Run folders are shallow (stage/, train/, eval/, report/); 4 levels cover them all.
      if (e.isDirectory && e.name !== ".stale" && depth < 4) await walk(path, depth + 1);
      else if (e.isFile && ownsTemp(worker, e.name)) {
        try {
          await Deno.remove(path);
          removed.push(path);
        } catch (err) {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        }
      }
    }
  };
  await walk(runDir, 0);
  if (removed.length > 0) {
    log.info(
      `removed ${removed.length} temp file(s) left by a run that stopped mid-write: ` +
        removed.slice(0, 3).join(", ") + (removed.length > 3 ? ", ..." : ""),
    );
  }
  return removed;
}
