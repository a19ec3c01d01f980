/**
 * The checkpoint manifest of one stage: `runs/<name>/<stage>/manifest.json` (or
 * `manifest.w<i>of<n>.json` for work shard i of n). Rewritten atomically after every shard.
 *
 * Hashes form a chain: `stage_hash = sha256(canonical {stage, schema, config_hash,
 * upstream_hash})` and a stage's `upstream_hash` is the previous stage's `stage_hash`, so a
 * change anywhere upstream changes every hash after it.
 */
import type { JsonValue } from "../schemas/stage_spec.ts";

export const MANIFEST_FORMAT = 1;

export interface ShardEntry {
  /** File name within the stage directory. */
  file: string;
  rows: number;
  groups: number;
  /** The groups in the shard, in row order. */
  prompt_ids: string[];
  /** Rows of each group (parallel to prompt_ids); 0 for a prompt that yielded no rows. */
  group_rows: number[];
  /** prompt_id -> prompt text of the groups with no rows (the text is not in any row). */
  empty_prompts: Record<string, string>;
  /** File size in bytes. */
  bytes: number;
  /** sha256 of the file's bytes, checked before the shard is trusted. */
  sha256: string;
}

export interface Manifest {
  format: number;
  stage: string;
  schema: { name: string; version: number; columns: string[] };
  config: JsonValue;
  config_hash: string;
  upstream_hash: string | null;
  stage_hash: string;
  worker: { index: number; count: number };
  shards: ShardEntry[];
  /** Index of the next shard file; never reused, so a quarantined name is never overwritten. */
  next_shard: number;
  rows: number;
  groups: number;
  /** True once the stage has seen the end of its input and flushed its last shard. */
  complete: boolean;
  created: string;
  updated: string;
  capo_version: string;
}

/** `manifest.json`, or `manifest.w<i>of<n>.json` for work shard i of n (n > 1). */
export function manifestName(worker: { index: number; count: number }): string {
  return worker.count === 1 ? "manifest.json" : `manifest.w${worker.index}of${worker.count}.json`;
}

/** `part-00042.parquet`, or `part-w<i>of<n>-00042.parquet` for work shard i of n (n > 1). */
export function shardName(worker: { index: number; count: number }, index: number): string {
  const tag = worker.count === 1 ? "" : `w${worker.index}of${worker.count}-`;
  return `part-${tag}${String(index).padStart(5, "0")}.parquet`;
}

/** True if `file` is a shard name of this work shard. */
export function isShardOf(worker: { index: number; count: number }, file: string): boolean {
  const tag = worker.count === 1 ? "" : `w${worker.index}of${worker.count}-`;
  return new RegExp(`^part-${tag}\\d{5,}\\.parquet$`).test(file);
}

/** Parses and checks a manifest; every problem is a TypeError naming the file and field. */
export function parseManifest(text: string, path: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new TypeError(`Cannot read manifest ${path} as it is not valid JSON: ${err}`);
  }
  const bad = (field: string, want: string, v: unknown) =>
    new TypeError(
      `Cannot read manifest ${path} as '${field}' must be ${want}: current value is ${
        JSON.stringify(v)?.slice(0, 80)
      }`,
    );
  const obj = (v: unknown, field: string) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(field, "an object", v);
    return v as Record<string, unknown>;
  };
  const str = (v: unknown, field: string) => {
    if (typeof v !== "string") throw bad(field, "a string", v);
    return v;
  };
  const count = (v: unknown, field: string) => {
    if (!Number.isSafeInteger(v) || (v as number) < 0) {
      throw bad(field, "a non-negative integer", v);
    }
    return v as number;
  };
  const m = obj(raw, "(root)");
  if (m.format !== MANIFEST_FORMAT) throw bad("format", String(MANIFEST_FORMAT), m.format);
  const schema = obj(m.schema, "schema");
  const worker = obj(m.worker, "worker");
  if (!Array.isArray(m.shards)) throw bad("shards", "an array", m.shards);
  const shards = m.shards.map((s, i): ShardEntry => {
    const e = obj(s, `shards[${i}]`);
    const ids = e.prompt_ids;
    const rowsPer = e.group_rows;
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === "string")) {
      throw bad(`shards[${i}].prompt_ids`, "an array of strings", ids);
    }
    if (!Array.isArray(rowsPer) || rowsPer.length !== ids.length) {
      throw bad(`shards[${i}].group_rows`, `an array of ${ids.length} counts`, rowsPer);
    }
    rowsPer.forEach((r, j) => count(r, `shards[${i}].group_rows[${j}]`));
    const empty = obj(e.empty_prompts, `shards[${i}].empty_prompts`);
    const entry: ShardEntry = {
      file: str(e.file, `shards[${i}].file`),
      rows: count(e.rows, `shards[${i}].rows`),
      groups: count(e.groups, `shards[${i}].groups`),
      prompt_ids: ids as string[],
      group_rows: rowsPer as number[],
      empty_prompts: Object.fromEntries(
        Object.entries(empty).map(([k, v]) => [k, str(v, `shards[${i}].empty_prompts.${k}`)]),
      ),
      bytes: count(e.bytes, `shards[${i}].bytes`),
      sha256: str(e.sha256, `shards[${i}].sha256`),
    };
    if (entry.groups !== ids.length) throw bad(`shards[${i}].groups`, `${ids.length}`, e.groups);
    const sum = entry.group_rows.reduce((a, b) => a + b, 0);
    if (entry.rows !== sum) {
      throw bad(`shards[${i}].rows`, `the sum of group_rows (${sum})`, e.rows);
    }
    if (entry.file.includes("/") || entry.file.includes("\\")) {
      throw bad(`shards[${i}].file`, "a plain file name", entry.file);
    }
    return entry;
  });
  if (!Array.isArray(schema.columns)) throw bad("schema.columns", "an array", schema.columns);
  if (typeof m.complete !== "boolean") throw bad("complete", "a boolean", m.complete);
  return {
    format: MANIFEST_FORMAT,
    stage: str(m.stage, "stage"),
    schema: {
      name: str(schema.name, "schema.name"),
      version: count(schema.version, "schema.version"),
      columns: schema.columns.map((c, i) => str(c, `schema.columns[${i}]`)),
    },
    config: m.config as JsonValue,
    config_hash: str(m.config_hash, "config_hash"),
    upstream_hash: m.upstream_hash === null ? null : str(m.upstream_hash, "upstream_hash"),
    stage_hash: str(m.stage_hash, "stage_hash"),
    worker: {
      index: count(worker.index, "worker.index"),
      count: count(worker.count, "worker.count"),
    },
    shards,
    next_shard: count(m.next_shard, "next_shard"),
    rows: count(m.rows, "rows"),
    groups: count(m.groups, "groups"),
    complete: m.complete,
    created: str(m.created, "created"),
    updated: str(m.updated, "updated"),
    capo_version: str(m.capo_version, "capo_version"),
  };
}
