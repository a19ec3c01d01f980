/**
 * Moving invalidated outputs aside: a stage whose config (or anything upstream) changed never
 * mixes its old shards with new ones; they go to `runs/<name>/.stale/<stage>-<hash12>/`, out of
 * the stage directory (so `read_parquet('runs/<name>/<stage>/*.parquet')` sees only valid shards)
 * but kept, so nothing computed is lost by a config edit.
 */
import { join } from "node:path";
import { isShardOf, manifestName } from "./manifest.ts";
import { exists } from "../lib/read_if_exists.ts";
import type { WorkShard } from "./work_shard.ts";

/** Moves a stage's manifest and shards (of this work shard) aside; returns where they went. */
export async function moveAside(
  runDir: string,
  stage: string,
  worker: WorkShard,
  stageHash: string,
): Promise<string> {
  const dir = join(runDir, stage);
  const tag = worker.count === 1 ? "" : `-w${worker.index}of${worker.count}`;
  let target = join(runDir, ".stale", `${stage}-${stageHash.slice(0, 12)}${tag}`);
  if (await exists(target)) target += `-${Date.now()}`;
  await Deno.mkdir(target, { recursive: true });
  const manifest = manifestName(worker);
  // A one-worker run owns the whole stage directory, including the `part-w<i>of<n>-*` shards
  // and per-worker manifests that `capo merge` adopted from a sharded run: all of it is stale.
  // Work shard i of n moves only its own files; the other workers' are not its to judge.
  const owned = worker.count === 1
    ? (name: string) =>
      /^part-.*\.parquet$/.test(name) || /^manifest(\.w\d+of\d+)?\.json$/.test(name)
    : (name: string) => name === manifest || isShardOf(worker, name);
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && owned(e.name)) {
      await Deno.rename(join(dir, e.name), join(target, e.name));
    }
  }
  return target;
}
