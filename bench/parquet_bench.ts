/**
 * Parquet write and read throughput: parquet-wasm (ZSTD, what the pipeline's shards use) beside
 * @dsnp/parquetjs (pure JS; its default, UNCOMPRESSED, and SNAPPY, its fastest codec; it has no
 * ZSTD), on the same table, in one run (issue 2, point 7).
 *
 * The table looks like a Scored shard: 1M rows of prompt_id (16 hex), prompt (ShapeWorld-like
 * text), sample_index int32, seed int64, reward float64, guidance float32.
 * MB/s is of the raw values (4/8 bytes per number, UTF-8 bytes per string), so every library is
 * measured against the same amount of data whatever its encoding and file size.
 *
 * Each library is timed end to end from JS row objects to a file and back to row objects, the
 * way the pipeline uses it; parquet-wasm is also timed on its native Arrow path (the Arrow table
 * to a file and back), since rows <-> Arrow is our code (RecordSchema), not the library's.
 *
 *   deno run --allow-read --allow-write=runs --allow-env bench/parquet_bench.ts [--rows 1000000]
 */
import parquetjs from "@dsnp/parquetjs";
import { join } from "node:path";
import { f, RecordSchema } from "../schemas/mod.ts";
import { decodeParquet, encodeParquet } from "../lib/parquet.ts";
import { Rng } from "../lib/rng.ts";
import { intFlag } from "./bench_env.ts";

const Schema = new RecordSchema("bench_row", 1, {
  prompt_id: f("utf8", "16 hex characters"),
  prompt: f("utf8", "prompt text"),
  sample_index: f("int32", "0..15"),
  seed: f("int64", "a 40-bit seed"),
  reward: f("float64", "a score"),
  guidance: f("float32", "a float32"),
});
type Row = {
  prompt_id: string;
  prompt: string;
  sample_index: number;
  seed: number;
  reward: number;
  guidance: number;
};

export interface ParquetBenchLine {
  library: string;
  codec: string;
  path: "rows" | "arrow";
  writeSeconds: number;
  readSeconds: number;
  writeMBps: number;
  readMBps: number;
  fileBytes: number;
}

export interface ParquetBenchResult {
  rows: number;
  rawBytes: number;
  lines: ParquetBenchLine[];
}

/** 16 samples per prompt, as in the method; prompts drawn from a ShapeWorld-like grammar. */
function makeRows(n: number): Row[] {
  const rng = new Rng(11);
  const colors = ["red", "green", "blue", "yellow", "purple", "cyan", "white", "orange"];
  const shapes = ["circle", "square", "triangle", "star", "hexagon"];
  const rel = ["to the left of", "to the right of", "above", "below"];
  const rows: Row[] = new Array(n);
  let id = "";
  let prompt = "";
  for (let i = 0; i < n; i++) {
    if (i % 16 === 0) {
      id = rng.nextU32().toString(16).padStart(8, "0") +
        rng.nextU32().toString(16).padStart(8, "0");
      prompt = `a ${rng.pick(colors)} ${rng.pick(shapes)} ${rng.pick(rel)} a ${rng.pick(colors)} ${
        rng.pick(shapes)
      }`;
    }
    rows[i] = {
      prompt_id: id,
      prompt,
      sample_index: i % 16,
      seed: rng.nextU32() * 256 + rng.int(256),
      reward: rng.normal(),
      guidance: 4.5,
    };
  }
  return rows;
}

function rawSize(rows: Row[]): number {
  const enc = new TextEncoder();
  let bytes = 0;
  for (const r of rows) {
    bytes += enc.encode(r.prompt_id).length + enc.encode(r.prompt).length + 4 + 8 + 8 + 4;
  }
  return bytes;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, (performance.now() - t0) / 1000];
}

async function parquetjsRoundTrip(rows: Row[], path: string, codec: "UNCOMPRESSED" | "SNAPPY") {
  const opt = codec === "SNAPPY" ? { compression: "SNAPPY" as const } : {};
  const schema = new parquetjs.ParquetSchema({
    prompt_id: { type: "UTF8", ...opt },
    prompt: { type: "UTF8", ...opt },
    sample_index: { type: "INT32", ...opt },
    seed: { type: "INT64", ...opt },
    reward: { type: "DOUBLE", ...opt },
    guidance: { type: "FLOAT", ...opt },
  });
  const [, write] = await timed(async () => {
    const writer = await parquetjs.ParquetWriter.openFile(schema, path);
    for (const r of rows) await writer.appendRow(r);
    await writer.close();
  });
  const [back, read] = await timed(async () => {
    const reader = await parquetjs.ParquetReader.openFile(path);
    const cursor = reader.getCursor();
    const out: Record<string, unknown>[] = [];
    for (let r = await cursor.next(); r; r = await cursor.next()) {
      out.push(r as Record<string, unknown>);
    }
    await reader.close();
    return out;
  });
  if (back.length !== rows.length || Number(back.at(-1)!.seed) !== rows.at(-1)!.seed) {
    throw new Error(`parquetjs ${codec} did not round-trip the table`);
  }
  return { write, read, bytes: (await Deno.stat(path)).size };
}

/** Writes and reads the same `rows`-row table with each library; returns the measurements. */
export async function benchParquet(rows = 1_000_000): Promise<ParquetBenchResult> {
  const data = makeRows(rows);
  const raw = rawSize(data);
  // Under runs/ (gitignored), so `deno task bench` needs write access there only.
  await Deno.mkdir("runs", { recursive: true });
  const dir = await Deno.makeTempDir({ dir: "runs", prefix: ".parquet-bench-" });
  const lines: ParquetBenchLine[] = [];
  const add = (
    library: string,
    codec: string,
    path: "rows" | "arrow",
    w: number,
    r: number,
    bytes: number,
  ) =>
    lines.push({
      library,
      codec,
      path,
      writeSeconds: w,
      readSeconds: r,
      writeMBps: raw / 1e6 / w,
      readMBps: raw / 1e6 / r,
      fileBytes: bytes,
    });
  try {
    // Warm up parquet-wasm (wasm instantiation, JIT) on a small slice.
    await decodeParquet(await encodeParquet(Schema.toTable(data.slice(0, 20_000))), "warm-up");

    const file = join(dir, "wasm.parquet");
    const [table, toArrow] = await timed(() => Promise.resolve(Schema.toTable(data)));
    const [, encode] = await timed(async () =>
      await Deno.writeFile(file, await encodeParquet(table))
    );
    const [back, decode] = await timed(async () => decodeParquet(await Deno.readFile(file), file));
    const [rowsBack, fromArrow] = await timed(() => Promise.resolve(Schema.fromTable(back, file)));
    if (rowsBack.length !== rows || rowsBack.at(-1)!.seed !== data.at(-1)!.seed) {
      throw new Error("parquet-wasm did not round-trip the table");
    }
    const size = (await Deno.stat(file)).size;
    add("parquet-wasm", "ZSTD", "arrow", encode, decode, size);
    add("parquet-wasm", "ZSTD", "rows", toArrow + encode, decode + fromArrow, size);

    for (const codec of ["UNCOMPRESSED", "SNAPPY"] as const) {
      // Warm up parquetjs the same way, so neither codec pays for the JIT.
      await parquetjsRoundTrip(data.slice(0, 20_000), join(dir, `warm-${codec}.parquet`), codec);
      const r = await parquetjsRoundTrip(data, join(dir, `pjs-${codec}.parquet`), codec);
      add(
        "@dsnp/parquetjs",
        codec === "UNCOMPRESSED" ? "UNCOMPRESSED (default)" : codec,
        "rows",
        r.write,
        r.read,
        r.bytes,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return { rows, rawBytes: raw, lines };
}

/** The side-by-side table. */
export function formatParquet(res: ParquetBenchResult): string {
  const out = [
    `Parquet write/read, ${res.rows.toLocaleString("en")} rows x 6 columns, ` +
    `${(res.rawBytes / 1e6).toFixed(1)} MB of raw values (MB/s of raw values)`,
    `  ${"library".padEnd(16)} ${"codec".padEnd(23)} ${"path".padEnd(11)} ${
      "write MB/s".padStart(10)
    } ` +
    `${"read MB/s".padStart(10)} ${"file MB".padStart(8)} ${"write s".padStart(8)} ${
      "read s".padStart(8)
    }`,
  ];
  for (const l of res.lines) {
    out.push(
      `  ${l.library.padEnd(16)} ${l.codec.padEnd(23)} ${
        (l.path === "rows" ? "rows<->file" : "Arrow<->file").padEnd(11)
      } ` +
        `${l.writeMBps.toFixed(1).padStart(10)} ${l.readMBps.toFixed(1).padStart(10)} ` +
        `${(l.fileBytes / 1e6).toFixed(2).padStart(8)} ${l.writeSeconds.toFixed(2).padStart(8)} ` +
        `${l.readSeconds.toFixed(2).padStart(8)}`,
    );
  }
  const wasm = res.lines.find((l) => l.library === "parquet-wasm" && l.path === "rows")!;
  const pjs = res.lines.find((l) => l.codec.startsWith("UNCOMPRESSED"))!;
  out.push(
    `  parquet-wasm vs parquetjs (rows<->file): write ${
      (wasm.writeMBps / pjs.writeMBps).toFixed(1)
    }x, ` +
      `read ${(wasm.readMBps / pjs.readMBps).toFixed(1)}x, file ${
        (pjs.fileBytes / wasm.fileBytes).toFixed(1)
      }x smaller`,
  );
  return out.join("\n");
}

if (import.meta.main) {
  let rows: number;
  try {
    rows = intFlag(Deno.args, "rows", 1_000_000, 16);
  } catch (err) {
    console.error(`parquet_bench: ${(err as Error).message}`);
    Deno.exit(2);
  }
  console.log(formatParquet(await benchParquet(rows)));
}
