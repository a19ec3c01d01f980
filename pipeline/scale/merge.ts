/**
 * `capo merge`: joins the outputs of n workers (`--shard i/n`) into one manifest per stage, after
 * checking that they form one complete, consistent result.
 *
 * Per stage with worker manifests, every check names the stage, the worker and the file:
 *   1. one worker count n (manifests of two counts in one directory are two different runs);
 *   2. all n manifests present and `complete`;
 *   3. the same stage, schema, config_hash, upstream_hash and stage_hash in all of them;
 *   4. no prompt in two workers' shards, and every listed shard named for its own worker;
 *   5. every listed shard file present with the manifest's size and sha256 (skip: `verify:
 *      false`), and no unlisted Parquet file in the directory (a glob such as DuckDB's
 *      `read_parquet('stage/*.parquet')` would read it);
 *   6. an existing `manifest.json` is replaced only if it is an earlier merge of the same n
 *      (it lists only worker shards), never one a single-worker run wrote.
 * Across stages: a stage emits one group per input group, so a stage and its upstream stage (by
 * the hash chain) must hold the same prompts.
 *
 * Nothing is written unless every stage passes. The merged manifest lists the workers' shard
 * files as they are (no copy); it is `complete` with worker {0, 1}, so a later single-worker
 * `capo run` reads the merged stages like its own and continues after them.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { checkShard } from "../check_shard.ts";
import { isShardOf, type Manifest, manifestName } from "../manifest.ts";
import { CAPO_VERSION } from "../../lib/version.ts";
import { listStages, scanStage } from "./stage_scan.ts";

/** A stage's merge, checked and ready to write. */
export interface StageMerge {
  stage: string;
  /** The worker count n. */
  count: number;
  /** The merged manifest (`manifest.json`). */
  manifest: Manifest;
  /** True if it replaces an earlier merge's manifest.json. */
  replaces: boolean;
}

export interface MergeOptions {
  /** Only these stages (each must have worker manifests). @default {every stage that has them} */
  stages?: readonly string[];
  /** Check every shard file's size and sha256. @default {true} */
  verify?: boolean;
}

/** Checks one stage (steps 1-6); null if it has no worker manifests. */
export async function planStageMerge(
  runDir: string,
  stage: string,
  options: { verify?: boolean } = {},
): Promise<StageMerge | null> {
  const scan = await scanStage(runDir, stage);
  const where = `stage '${stage}' (${scan.dir})`;
  if (scan.workers.size === 0) return null;
  // 1. one worker count
  if (scan.workers.size > 1) {
    const counts = [...scan.workers.keys()].sort((a, b) => a - b);
    throw new RangeError(
      `Cannot merge ${where} as it holds manifests of ${counts.join(" and ")} workers ` +
        `(manifest.w*of${counts.join(".json, manifest.w*of")}.json): two sharded runs share ` +
        `the directory; move one aside`,
    );
  }
  const [count, byIndex] = [...scan.workers][0]!;
  // 2. all present and complete
  const manifests: Manifest[] = [];
  for (let i = 0; i < count; i++) {
    const m = byIndex.get(i);
    const file = join(scan.dir, manifestName({ index: i, count }));
    if (!m) {
      throw new RangeError(
        `Cannot merge ${where} as worker ${i}/${count} has no manifest (${file}): ` +
          `it has not run; run it with --shard ${i}/${count}`,
      );
    }
    if (!m.complete) {
      throw new RangeError(
        `Cannot merge ${where} as worker ${i}/${count} is incomplete (${file}: ${m.groups} ` +
          `groups in ${m.shards.length} shards): it is still running or stopped; ` +
          `run it again with --shard ${i}/${count} to finish it`,
      );
    }
    manifests.push(m);
  }
  // 3. consistent identity
  const first = manifests[0]!;
  const identity = (m: Manifest) => ({
    stage: m.stage,
    schema: `${m.schema.name} v${m.schema.version} [${m.schema.columns.join(", ")}]`,
    config_hash: m.config_hash,
    upstream_hash: m.upstream_hash,
    stage_hash: m.stage_hash,
  });
  const want = identity(first);
  for (const m of manifests.slice(1)) {
    const got = identity(m);
    for (const key of Object.keys(want) as (keyof typeof want)[]) {
      if (got[key] !== want[key]) {
        throw new RangeError(
          `Cannot merge ${where} as worker ${m.worker.index}/${count} has ${key} ` +
            `${got[key]} but worker 0/${count} has ${want[key]}: the workers ran different ` +
            `configs (or code); re-run worker ${m.worker.index}/${count} with the same config`,
        );
      }
    }
  }
  // 4. no overlap, shard names of their own worker
  const owner = new Map<string, number>();
  const listed = new Set<string>();
  for (const m of manifests) {
    for (const s of m.shards) {
      if (!isShardOf(m.worker, s.file)) {
        throw new RangeError(
          `Cannot merge ${where} as worker ${m.worker.index}/${count} lists shard ${s.file}, ` +
            `which is not a shard name of that worker`,
        );
      }
      listed.add(s.file);
      for (const id of s.prompt_ids) {
        const other = owner.get(id);
        if (other !== undefined) {
          throw new RangeError(
            `Cannot merge ${where} as prompt '${id}' is in the shards of worker ` +
              `${other}/${count} and of worker ${m.worker.index}/${count} (${s.file}): the ` +
              `workers' prompts overlap`,
          );
        }
        owner.set(id, m.worker.index);
      }
    }
  }
  // 5. files
  if (options.verify ?? true) {
    for (const m of manifests) {
      for (const s of m.shards) {
        const problem = await checkShard(join(scan.dir, s.file), s);
        if (problem !== null) {
          throw new RangeError(
            `Cannot merge ${where} as shard ${join(scan.dir, s.file)} of worker ` +
              `${m.worker.index}/${count} ${problem}: run worker ${m.worker.index}/${count} ` +
              `again to redo it`,
          );
        }
      }
    }
  }
  // 6. an existing manifest.json
  let replaces = false;
  if (scan.single !== null) {
    // An earlier merge lists only worker shards (perhaps older ones, if a worker redid one).
    const own = scan.single.shards.filter((s) => !/^part-w\d+of\d+-/.test(s.file));
    if (own.length > 0) {
      throw new RangeError(
        `Cannot merge ${where} as its manifest.json lists shards of a single-worker run ` +
          `(${
            own.map((s) => s.file).slice(0, 3).join(", ")
          }): move the stage's manifest.json and part-*.parquet aside first`,
      );
    }
    replaces = true;
  }
  const stray = scan.parquet.filter((f) => !listed.has(f));
  if (stray.length > 0) {
    throw new RangeError(
      `Cannot merge ${where} as ${stray.length} Parquet file(s) in it are listed by no worker ` +
        `manifest (${stray.slice(0, 3).join(", ")}): a glob over the directory would read ` +
        `them; delete them or move them aside`,
    );
  }
  const shards = manifests.flatMap((m) => m.shards);
  const now = new Date().toISOString();
  const manifest: Manifest = {
    format: first.format,
    stage: first.stage,
    schema: first.schema,
    config: first.config,
    config_hash: first.config_hash,
    upstream_hash: first.upstream_hash,
    stage_hash: first.stage_hash,
    worker: { index: 0, count: 1 },
    shards,
    // New shards of a single-worker run are named part-00000...; the workers' names differ.
    next_shard: 0,
    rows: shards.reduce((a, s) => a + s.rows, 0),
    groups: shards.reduce((a, s) => a + s.groups, 0),
    complete: true,
    created: manifests.map((m) => m.created).sort()[0]!,
    updated: now,
    capo_version: CAPO_VERSION,
  };
  return { stage, count, manifest, replaces };
}

/** The prompt ids of a manifest, in shard order. */
function promptIds(m: Manifest): Set<string> {
  return new Set(m.shards.flatMap((s) => s.prompt_ids));
}

/**
 * Checks every stage (or `options.stages`) and then writes the merged manifests; throws before
 * writing anything if any check fails.
 */
export async function mergeRun(runDir: string, options: MergeOptions = {}): Promise<StageMerge[]> {
  const names = options.stages ?? await listStages(runDir);
  const merges: StageMerge[] = [];
  for (const stage of names) {
    const plan = await planStageMerge(runDir, stage, options);
    if (plan === null) {
      if (options.stages) {
        throw new RangeError(
          `Cannot merge stage '${stage}' of ${runDir} as it has no worker manifests ` +
            `(manifest.w<i>of<n>.json): it was not run with --shard`,
        );
      }
      continue;
    }
    merges.push(plan);
  }
  if (merges.length === 0) {
    throw new RangeError(
      `Cannot merge ${runDir} as no stage in it has worker manifests (manifest.w<i>of<n>.json): ` +
        `nothing was run with --shard i/n`,
    );
  }
  // Across stages: the same prompts as the upstream stage, checked from the source down so
  // that the first stage reported is the first that differs.
  const byHash = new Map(merges.map((m) => [m.manifest.stage_hash, m]));
  const depth = (m: StageMerge): number => {
    const up = m.manifest.upstream_hash === null ? undefined : byHash.get(m.manifest.upstream_hash);
    return up ? depth(up) + 1 : 0;
  };
  merges.sort((a, b) => depth(a) - depth(b));
  for (const m of merges) {
    const up = m.manifest.upstream_hash === null ? undefined : byHash.get(m.manifest.upstream_hash);
    if (!up) continue;
    const mine = promptIds(m.manifest);
    const theirs = promptIds(up.manifest);
    const missing = [...theirs].filter((id) => !mine.has(id));
    const extra = [...mine].filter((id) => !theirs.has(id));
    if (missing.length || extra.length) {
      throw new RangeError(
        `Cannot merge stage '${m.stage}' as it holds ${mine.size} prompts and its upstream ` +
          `stage '${up.stage}' ${theirs.size}: ${
            missing.length ? `missing ${missing.slice(0, 3).join(", ")}` : ""
          }${missing.length && extra.length ? "; " : ""}${
            extra.length ? `not upstream ${extra.slice(0, 3).join(", ")}` : ""
          }`,
      );
    }
  }
  for (const m of merges) {
    await writeFileAtomic(
      join(runDir, m.stage, "manifest.json"),
      JSON.stringify(m.manifest, null, 1) + "\n",
    );
  }
  return merges;
}
