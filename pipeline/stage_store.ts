/**
 * `StageStore`: one stage's checkpoint on disk, a directory of Parquet shards plus a manifest.
 *
 * - Only complete prompt groups are written, one shard at a time: the Parquet file is renamed
 *   into place, then the manifest is rewritten (both atomic). A crash between the two leaves an
 *   unlisted "orphan" shard, which `open` deletes (its groups are redone).
 * - Recovery policy for bad shards (documented, counted, warned): on open every listed shard is
 *   read and its sha256 checked against the manifest; a shard that is missing or whose checksum
 *   fails is moved to `runs/<name>/.stale/<stage>-quarantine/`, dropped from the manifest, and its
 *   groups are redone by this run. `verify({ strict: true })` throws instead (used for the stage a
 *   `--from` restart reads, which has nothing upstream to redo the groups from).
 */
import { join } from "node:path";
import type { Group } from "../schemas/mod.ts";
import { writeFileAtomic } from "../lib/atomic_write.ts";
import { checkShard } from "./check_shard.ts";
import type { Logger } from "../lib/log.ts";
import {
  isShardOf,
  type Manifest,
  MANIFEST_FORMAT,
  manifestName,
  parseManifest,
  type ShardEntry,
  shardName,
} from "./manifest.ts";
import { ParquetReadError, readParquetFile, writeParquetFile } from "../lib/parquet.ts";
import type { JsonValue, RowCodec } from "../schemas/stage_spec.ts";
import { CAPO_VERSION } from "../lib/version.ts";
import { readTextIfExists } from "../lib/read_if_exists.ts";
import { ownsTemp } from "./temp_files.ts";

export interface Worker {
  index: number;
  count: number;
}

/** The identity a store's manifest must carry to be reused. */
export interface StageIdentity {
  name: string;
  config: JsonValue;
  configHash: string;
  upstreamHash: string | null;
  stageHash: string;
}

/** Reads a stage directory's manifest for this work shard, or null if there is none. */
export async function readManifest(dir: string, worker: Worker): Promise<Manifest | null> {
  const path = join(dir, manifestName(worker));
  const text = await readTextIfExists(path);
  if (text === null) return null;
  return parseManifest(text, path);
}

export class StageStore<T> {
  readonly dir: string;
  readonly worker: Worker;
  readonly schema: RowCodec<T>;
  /** Shards dropped by the recovery policy during `verify`. */
  quarantined = 0;
  #manifest: Manifest;
  #runDir: string;
  #log: Logger;
  #where = new Map<string, number>(); // prompt_id -> index in manifest.shards
  #cache = new Map<number, Map<string, T[]>>(); // decoded shards, most recent last

  private constructor(
    runDir: string,
    dir: string,
    worker: Worker,
    schema: RowCodec<T>,
    manifest: Manifest,
    log: Logger,
  ) {
    this.#runDir = runDir;
    this.dir = dir;
    this.worker = worker;
    this.schema = schema;
    this.#manifest = manifest;
    this.#log = log;
    this.#reindex();
  }

  /**
   * Opens (creating if needed) the store of a stage whose existing manifest, if any, already
   * matches `id` (the runner moves mismatching ones aside first). Deletes temp files and orphan
   * shards of this work shard.
   */
  static async open<T>(
    runDir: string,
    id: StageIdentity,
    schema: RowCodec<T>,
    worker: Worker,
    log: Logger,
  ): Promise<StageStore<T>> {
    const dir = join(runDir, id.name);
    await Deno.mkdir(dir, { recursive: true });
    let manifest = await readManifest(dir, worker);
    if (manifest !== null && manifest.stage_hash !== id.stageHash) {
      throw new Error(
        `Cannot open stage '${id.name}' as its manifest has hash ${manifest.stage_hash} but the ` +
          `run expects ${id.stageHash} (stale outputs must be moved aside first)`,
      );
    }
    const now = new Date().toISOString();
    manifest ??= {
      format: MANIFEST_FORMAT,
      stage: id.name,
      schema: { name: schema.name, version: schema.version, columns: schema.columns },
      config: id.config,
      config_hash: id.configHash,
      upstream_hash: id.upstreamHash,
      stage_hash: id.stageHash,
      worker: { index: worker.index, count: worker.count },
      shards: [],
      next_shard: 0,
      rows: 0,
      groups: 0,
      complete: false,
      created: now,
      updated: now,
      capo_version: CAPO_VERSION,
    };
    const store = new StageStore(runDir, dir, worker, schema, manifest, log);
    await store.#removeLeftovers();
    return store;
  }

  get name(): string {
    return this.#manifest.stage;
  }
  get manifest(): Readonly<Manifest> {
    return this.#manifest;
  }
  get complete(): boolean {
    return this.#manifest.complete;
  }

  /** True if the group of `promptId` is in a completed shard. */
  has(promptId: string): boolean {
    return this.#where.has(promptId);
  }

  /**
   * Checks every listed shard's bytes against its sha256. Non-strict: a bad shard is quarantined
   * and its groups forgotten (they are redone), with a warning. Strict: throws a
   * ParquetReadError naming the file.
   */
  async verify(options: { strict?: boolean } = {}): Promise<void> {
    const keep: ShardEntry[] = [];
    for (const shard of this.#manifest.shards) {
      const path = join(this.dir, shard.file);
      const problem = await checkShard(path, shard);
      if (problem === null) {
        keep.push(shard);
        continue;
      }
      if (options.strict) throw new ParquetReadError(path, `it ${problem}`);
      const moved = await this.#quarantine(shard.file);
      this.quarantined++;
      this.#log.warn(
        `shard ${path} ${problem}: ${moved ? `moved to ${moved}` : "dropped"}; ` +
          `its ${shard.groups} group(s) will be redone`,
      );
    }
    if (keep.length !== this.#manifest.shards.length) {
      this.#manifest.shards = keep;
      this.#manifest.complete = false;
      this.#recount();
      await this.#saveManifest();
      this.#reindex();
    }
  }

  /** The stored output group of `promptId` (`prompt` is used for a group with no rows). */
  async load(promptId: string, prompt?: string): Promise<Group<T>> {
    const index = this.#where.get(promptId);
    if (index === undefined) {
      throw new RangeError(
        `Cannot load prompt '${promptId}' from stage '${this.name}': not stored`,
      );
    }
    const shard = this.#manifest.shards[index]!;
    const groups = await this.#decoded(index);
    const rows = groups.get(promptId)!;
    const text = (rows[0] as { prompt?: string } | undefined)?.prompt ??
      shard.empty_prompts[promptId] ?? prompt ?? "";
    return { prompt_id: promptId, prompt: text, rows };
  }

  /** Every stored group, in shard order (the source of a `--from` restart). */
  async *groups(): AsyncGenerator<Group<T>> {
    for (let i = 0; i < this.#manifest.shards.length; i++) {
      const shard = this.#manifest.shards[i]!;
      const groups = await this.#decoded(i);
      for (const id of shard.prompt_ids) {
        const rows = groups.get(id)!;
        const prompt = (rows[0] as { prompt?: string } | undefined)?.prompt ??
          shard.empty_prompts[id] ?? "";
        yield { prompt_id: id, prompt, rows };
      }
    }
  }

  /** Writes `groups` as the next shard (file, then manifest) and records them as done. */
  async writeShard(groups: readonly Group<T>[]): Promise<ShardEntry> {
    const rows: T[] = [];
    const entry: ShardEntry = {
      file: shardName(this.worker, this.#manifest.next_shard),
      rows: 0,
      groups: groups.length,
      prompt_ids: [],
      group_rows: [],
      empty_prompts: {},
      bytes: 0,
      sha256: "",
    };
    for (const g of groups) {
      if (this.#where.has(g.prompt_id) || entry.prompt_ids.includes(g.prompt_id)) {
        throw new RangeError(
          `Cannot write prompt '${g.prompt_id}' to stage '${this.name}' twice`,
        );
      }
      for (const r of g.rows) {
        const rid = (r as { prompt_id?: unknown }).prompt_id;
        if (rid !== g.prompt_id) {
          throw new TypeError(
            `Cannot write a row with prompt_id '${rid}' in the group of prompt '${g.prompt_id}'`,
          );
        }
        rows.push(r);
      }
      entry.prompt_ids.push(g.prompt_id);
      entry.group_rows.push(g.rows.length);
      if (g.rows.length === 0) entry.empty_prompts[g.prompt_id] = g.prompt;
    }
    entry.rows = rows.length;
    const written = await writeParquetFile(join(this.dir, entry.file), this.schema.toTable(rows));
    entry.bytes = written.bytes;
    entry.sha256 = written.sha256;
    this.#manifest.shards.push(entry);
    this.#manifest.next_shard++;
    this.#recount();
    try {
      await this.#saveManifest();
    } catch (err) {
      // Not recorded (e.g. a full disk): forget the shard, in memory and on disk.
      this.#manifest.shards.pop();
      this.#manifest.next_shard--;
      this.#recount();
      await Deno.remove(join(this.dir, entry.file)).catch(() => {});
      throw err;
    }
    const index = this.#manifest.shards.length - 1;
    for (const id of entry.prompt_ids) this.#where.set(id, index);
    return entry;
  }

  /** Marks the stage complete: its input ended and every group is in a shard. */
  async markComplete(): Promise<void> {
    this.#manifest.complete = true;
    await this.#saveManifest();
  }

  async #decoded(index: number): Promise<Map<string, T[]>> {
    const hit = this.#cache.get(index);
    if (hit) {
      this.#cache.delete(index); // re-insert: most recently used last
      this.#cache.set(index, hit);
      return hit;
    }
    const shard = this.#manifest.shards[index]!;
    const path = join(this.dir, shard.file);
    const rows = this.schema.fromTable(await readParquetFile(path, shard.sha256), path);
    if (rows.length !== shard.rows) {
      throw new ParquetReadError(
        path,
        `it has ${rows.length} rows, the manifest says ${shard.rows}`,
      );
    }
    const groups = new Map<string, T[]>();
    let at = 0;
    shard.prompt_ids.forEach((id, g) => {
      const n = shard.group_rows[g]!;
      const part = rows.slice(at, at + n);
      at += n;
      if (part.some((r) => (r as { prompt_id?: unknown }).prompt_id !== id)) {
        throw new ParquetReadError(path, `its rows for prompt '${id}' do not match the manifest`);
      }
      groups.set(id, part);
    });
    // Two shards: the one being read in order plus one for an out-of-order lookup.
    if (this.#cache.size >= 2) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(index, groups);
    return groups;
  }

  #reindex(): void {
    this.#where.clear();
    this.#cache.clear();
    this.#manifest.shards.forEach((s, i) => {
      for (const id of s.prompt_ids) this.#where.set(id, i);
    });
  }

  #recount(): void {
    this.#manifest.rows = this.#manifest.shards.reduce((a, s) => a + s.rows, 0);
    this.#manifest.groups = this.#manifest.shards.reduce((a, s) => a + s.groups, 0);
  }

  async #saveManifest(): Promise<void> {
    this.#manifest.updated = new Date().toISOString();
    this.#manifest.capo_version = CAPO_VERSION;
    await writeFileAtomic(
      join(this.dir, manifestName(this.worker)),
      JSON.stringify(this.#manifest, null, 1) + "\n",
    );
  }

  /**
   * Removes this work shard's temp files and unlisted shards (a crash before the manifest). Other
   * shards' temp files are theirs: one may be mid-write in this directory right now.
   */
  async #removeLeftovers(): Promise<void> {
    const listed = new Set(this.#manifest.shards.map((s) => s.file));
    for await (const e of Deno.readDir(this.dir)) {
      if (!e.isFile) continue;
      if (ownsTemp(this.worker, e.name)) {
        await Deno.remove(join(this.dir, e.name)).catch(() => {});
        this.#log.debug(`removed temp file ${join(this.dir, e.name)}`);
      } else if (isShardOf(this.worker, e.name) && !listed.has(e.name)) {
        await Deno.remove(join(this.dir, e.name));
        this.#log.info(
          `removed unlisted shard ${join(this.dir, e.name)} (written just before the previous ` +
            `run stopped, before its manifest entry); its groups will be redone`,
        );
      }
    }
  }

  async #quarantine(file: string): Promise<string | null> {
    const to = join(this.#runDir, ".stale", `${this.name}-quarantine`);
    await Deno.mkdir(to, { recursive: true });
    const target = join(to, `${Date.now()}-${file}`);
    try {
      await Deno.rename(join(this.dir, file), target);
      return target;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
  }
}
