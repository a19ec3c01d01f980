/**
 * Parquet I/O with parquet-wasm (ZSTD), on Arrow tables from the schemas' `toTable`.
 *
 * Arrow schema metadata (`capo.schema`, `capo.schema_version`) is kept in the file, so a shard
 * read back is checked against the record definition that wrote it.
 */
import initPq, * as pq from "parquet-wasm/esm";
import * as arrow from "apache-arrow";
import { writeFileAtomic } from "./atomic_write.ts";
import { sha256Hex } from "./hash.ts";

let ready: Promise<unknown> | null = null;

/** Loads the wasm module once per process. */
export function initParquet(): Promise<unknown> {
  ready ??= initPq();
  return ready;
}

/** A file that is not a readable Parquet file of the expected records. */
export class ParquetReadError extends Error {
  readonly path: string;
  constructor(path: string, why: string, options?: ErrorOptions) {
    super(`Cannot read Parquet file ${path} as ${why}`, options);
    this.name = "ParquetReadError";
    this.path = path;
  }
}

/** Options for `encodeParquet`. */
export interface EncodeOptions {
  /** Rows per row group. @default {65536} (small shards hold one group; DuckDB scans in parallel) */
  rowGroupRows?: number;
}

/** An Arrow table -> Parquet bytes (ZSTD at parquet-wasm's default level; it exposes no level). */
export async function encodeParquet(
  table: arrow.Table,
  options: EncodeOptions = {},
): Promise<Uint8Array> {
  await initParquet();
  const rowGroupRows = options.rowGroupRows ?? 65536;
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new RangeError(
      `Cannot encode Parquet as rowGroupRows must be a positive integer: current value is ${rowGroupRows}`,
    );
  }
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setMaxRowGroupSize(rowGroupRows)
    .setCreatedBy("capo (parquet-wasm)")
    .build();
  const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(table, "stream"));
  return pq.writeParquet(wasmTable, props);
}

/** Parquet bytes -> an Arrow table; `source` names the bytes in the error. */
export async function decodeParquet(bytes: Uint8Array, source: string): Promise<arrow.Table> {
  await initParquet();
  try {
    return arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ParquetReadError(
      source,
      `it is not valid Parquet (truncated or corrupted?): ${why} (${bytes.length} bytes)`,
      { cause: err },
    );
  }
}

/** What `writeParquetFile` wrote. */
export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** Writes a table as a Parquet file atomically and returns its size and checksum. */
export async function writeParquetFile(
  path: string,
  table: arrow.Table,
  options: EncodeOptions = {},
): Promise<WrittenFile> {
  const bytes = await encodeParquet(table, options);
  await writeFileAtomic(path, bytes);
  return { path, bytes: bytes.length, sha256: sha256Hex(bytes) };
}

/**
 * Reads a Parquet file; if `expectSha256` is given the bytes must match it. Every failure is a
 * ParquetReadError naming the file.
 */
export async function readParquetFile(path: string, expectSha256?: string): Promise<arrow.Table> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "it does not exist" : String(err);
    throw new ParquetReadError(path, why, { cause: err });
  }
  if (expectSha256 !== undefined) {
    const got = sha256Hex(bytes);
    if (got !== expectSha256) {
      throw new ParquetReadError(
        path,
        `its sha256 ${got.slice(0, 12)}… does not match the manifest's ${
          expectSha256.slice(0, 12)
        }…`,
      );
    }
  }
  return await decodeParquet(bytes, path);
}
