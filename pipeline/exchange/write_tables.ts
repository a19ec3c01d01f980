/**
 * Writing a sequence of Arrow tables (one per shard, same columns) as one output, a shard at a
 * time so memory holds one shard, never the whole stage:
 *   - Arrow IPC stream: to any byte sink (stdout for `capo export | duckdb/polars/pyarrow`);
 *   - Parquet (ZSTD, parquet-wasm's streaming writer) and JSON Lines: to a file, atomically
 *     (a temp file in the same directory, renamed into place once complete).
 */
import { basename, dirname, join } from "node:path";
import * as pq from "parquet-wasm/esm";
import * as arrow from "apache-arrow";
import { tempPathFor, tempTargetOf, writeFileAtomic } from "../../lib/atomic_write.ts";
import { asDiskFull } from "../../lib/disk_full.ts";
import { encodeParquet, initParquet } from "../../lib/parquet.ts";
import { type JsonlImages, jsonlLines } from "./jsonl_rows.ts";

/** A table of one shard, named for errors. */
export interface NamedTable {
  source: string;
  table: arrow.Table;
}

type Sink = (bytes: Uint8Array) => Promise<void>;

const signature = (s: arrow.Schema) => s.fields.map((f) => `${f.name}:${f.type}`).join(", ");

/**
 * The tables re-labelled with one schema (the first's fields, `metadata`); throws naming the
 * shard whose columns differ, since one output has one schema.
 */
async function* uniform(
  tables: AsyncIterable<NamedTable>,
  withMeta: (s: arrow.Schema) => arrow.Schema,
): AsyncGenerator<{ schema: arrow.Schema; batches: arrow.RecordBatch[] }> {
  let schema: arrow.Schema | null = null;
  for await (const { source, table } of tables) {
    schema ??= withMeta(table.schema);
    if (signature(table.schema) !== signature(schema)) {
      throw new TypeError(
        `Cannot export ${source} with the other shards as its columns differ: [${
          signature(table.schema)
        }] vs [${signature(schema)}]`,
      );
    }
    yield { schema, batches: table.batches.map((b) => new arrow.RecordBatch(schema!, b.data)) };
  }
}

/** Collects the writer's output chunks so they can be written with backpressure per shard. */
class Chunks extends arrow.AsyncByteQueue {
  chunks: Uint8Array[] = [];
  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.chunks.push(value);
  }
  take(): Uint8Array[] {
    const out = this.chunks;
    this.chunks = [];
    return out;
  }
}

/** Writes the tables as one Arrow IPC stream to `sink`; returns the rows written. */
export async function writeArrowStream(
  tables: AsyncIterable<NamedTable>,
  sink: Sink,
  withMeta: (s: arrow.Schema) => arrow.Schema,
): Promise<number> {
  const chunks = new Chunks();
  const writer = new arrow.RecordBatchStreamWriter();
  let rows = 0;
  let started = false;
  const flush = async () => {
    for (const c of chunks.take()) await sink(c);
  };
  for await (const { schema, batches } of uniform(tables, withMeta)) {
    if (!started) writer.reset(chunks, schema);
    started = true;
    for (const b of batches) {
      writer.write(b);
      rows += b.numRows;
    }
    await flush();
  }
  if (!started) throw new RangeError("Cannot export as there are no shards to export");
  writer.close(); // the end-of-stream marker
  await flush();
  return rows;
}

/**
 * Streams bytes into `path` atomically (temp file, then rename); `produce` gets the sink. The
 * temp file is removed on failure (a full disk throws a DiskFullError naming `path`), and temp
 * files an earlier export to `path` left when it was killed are removed first.
 */
export async function atomicFile(
  path: string,
  produce: (sink: Sink) => Promise<number>,
): Promise<number> {
  await removeStaleTemps(path);
  const tmp = tempPathFor(path);
  const file = await Deno.open(tmp, { write: true, createNew: true });
  const writer = file.writable.getWriter();
  try {
    const rows = await produce((bytes) => writer.write(bytes));
    await writer.close();
    await Deno.rename(tmp, path);
    return rows;
  } catch (err) {
    await writer.abort(err).catch(() => {});
    await Deno.remove(tmp).catch(() => {});
    throw asDiskFull(path, err);
  }
}

/** Removes `.<name>.<pid>-<n>.tmp` files beside `path` (an export killed mid-write). */
async function removeStaleTemps(path: string): Promise<void> {
  const dir = dirname(path);
  const name = basename(path);
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && tempTargetOf(e.name) === name) {
        await Deno.remove(join(dir, e.name)).catch(() => {});
      }
    }
  } catch { /* the folder does not exist yet: the open below says so */ }
}

/**
 * Writes the tables as one Parquet file (ZSTD), atomically; returns the rows written. Shards are
 * encoded as they arrive (parquet-wasm's streaming writer), so memory holds about one shard.
 */
export async function writeParquetFile(
  tables: AsyncIterable<NamedTable>,
  path: string,
  withMeta: (s: arrow.Schema) => arrow.Schema,
): Promise<number> {
  await initParquet();
  const it = uniform(tables, withMeta)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) throw new RangeError("Cannot export as there are no shards to export");
  let rows = 0;
  let pending: { schema: arrow.Schema; batches: arrow.RecordBatch[] } | null = first.value;
  const queued: pq.RecordBatch[] = [];
  // Wasm record batches in, Parquet bytes out; one shard converted per pull.
  const batches = new ReadableStream<pq.RecordBatch>({
    async pull(controller) {
      while (queued.length === 0) {
        const next = pending ?? (await it.next()).value ?? null;
        pending = null;
        if (next === null) {
          controller.close();
          return;
        }
        for (const b of next.batches) rows += b.numRows;
        queued.push(...toWasm(new arrow.Table(next.schema, next.batches)));
      }
      controller.enqueue(queued.shift()!);
    },
  });
  // The schema metadata (Hugging Face features) also as plain Parquet key-value metadata: the
  // writer stores it only inside ARROW:schema, which not every reader decodes.
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setCreatedBy("capo export (parquet-wasm)")
    .setKeyValueMetadata(new Map(first.value.schema.metadata))
    .build();
  const bytes = await pq.transformParquetStream(batches, props) as ReadableStream<Uint8Array>;
  await atomicFile(path, async (sink) => {
    for await (const chunk of bytes) await sink(chunk);
    return rows;
  });
  if (rows === 0) {
    // No rows at all (e.g. no prompt yielded a pair): the schema alone, as a valid file.
    const empty = new arrow.Table(first.value.schema, first.value.batches);
    await writeFileAtomic(path, await encodeParquet(empty));
  }
  return rows;
}

function toWasm(table: arrow.Table): pq.RecordBatch[] {
  return pq.Table.fromIPCStream(arrow.tableToIPC(table, "stream")).recordBatches();
}

/** Writes the tables as JSON Lines, atomically; returns the rows written. */
export function writeJsonlFile(
  tables: AsyncIterable<NamedTable>,
  path: string,
  images: JsonlImages,
): Promise<number> {
  const enc = new TextEncoder();
  return atomicFile(path, async (sink) => {
    let rows = 0;
    for await (const { table } of tables) {
      let buf = "";
      for (const line of jsonlLines(table, images)) {
        buf += line;
        rows++;
        if (buf.length > 1 << 20) {
          await sink(enc.encode(buf));
          buf = "";
        }
      }
      if (buf) await sink(enc.encode(buf));
    }
    return rows;
  });
}
