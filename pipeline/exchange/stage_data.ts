/**
 * A stage's complete data, read-only: its `manifest.json` (a one-worker run's, or `capo merge`'s)
 * and its shards as Arrow tables, each checked against the manifest's sha256 before use.
 *
 * Unlike `StageStore.open` this never writes: exporting a run must not change it.
 */
import { join } from "node:path";
import type * as arrow from "apache-arrow";
import type { Manifest } from "../manifest.ts";
import { readParquetFile } from "../../lib/parquet.ts";
import { listStages, scanStage } from "../scale/stage_scan.ts";

export interface StageData {
  runDir: string;
  stage: string;
  dir: string;
  manifest: Manifest;
}

/** Opens `runDir/stage`; throws naming the stage if it is missing, sharded or incomplete. */
export async function openStage(runDir: string, stage: string): Promise<StageData> {
  const stages = await listStages(runDir);
  if (!stages.includes(stage)) {
    throw new RangeError(
      `Cannot read stage '${stage}' of ${runDir} as it has no such stage: stages are ${
        stages.join(", ") || "(none)"
      }`,
    );
  }
  const scan = await scanStage(runDir, stage);
  if (scan.single === null) {
    const counts = [...scan.workers.keys()].join(", ");
    throw new RangeError(
      `Cannot read stage '${stage}' of ${runDir} as it was run in shards (${counts} workers) ` +
        `and not merged: run capo merge --run ${runDir}`,
    );
  }
  if (!scan.single.complete) {
    throw new RangeError(
      `Cannot read stage '${stage}' of ${runDir} as it is incomplete (${scan.single.groups} ` +
        `groups in ${scan.single.shards.length} shards): finish the run first`,
    );
  }
  return { runDir, stage, dir: scan.dir, manifest: scan.single };
}

/** The stage's shards as Arrow tables, in manifest order. */
export async function* shardTables(
  data: StageData,
): AsyncGenerator<{ file: string; table: arrow.Table }> {
  for (const s of data.manifest.shards) {
    const path = join(data.dir, s.file);
    yield { file: s.file, table: await readParquetFile(path, s.sha256) };
  }
}

/**
 * The nearest stage upstream of `data` (by the hash chain) whose rows are `schemaName` records,
 * e.g. the Sample stage that holds the images of a Pair stage's winners and losers.
 */
export async function upstreamStage(data: StageData, schemaName: string): Promise<StageData> {
  const all = new Map<string, StageData>();
  for (const name of await listStages(data.runDir)) {
    const scan = await scanStage(data.runDir, name);
    if (scan.single !== null) {
      all.set(scan.single.stage_hash, {
        runDir: data.runDir,
        stage: name,
        dir: scan.dir,
        manifest: scan.single,
      });
    }
  }
  let hash = data.manifest.upstream_hash;
  while (hash !== null) {
    const up = all.get(hash);
    if (!up) break;
    if (up.manifest.schema.name === schemaName) return await openStage(data.runDir, up.stage);
    hash = up.manifest.upstream_hash;
  }
  throw new RangeError(
    `Cannot find the '${schemaName}' stage upstream of stage '${data.stage}' in ${data.runDir}: ` +
      `no stage with a manifest.json in its hash chain holds '${schemaName}' records`,
  );
}
