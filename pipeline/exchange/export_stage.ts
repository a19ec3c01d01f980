/**
 * `exportStage`: a stage's complete data (pipeline/exchange/stage_data.ts) as Arrow IPC, Parquet or JSON
 * Lines, in one of two layouts:
 *   - `rows`: the stage's own columns; image columns keep Hugging Face's Image layout
 *     ({bytes, path}) and every column is described in the `huggingface` schema metadata, so
 *     `datasets` loads the images as images;
 *   - `diffusers`: a Pair stage as diffusers' Diffusion-DPO columns (pipeline/exchange/diffusers_layout.ts),
 *     the images looked up in the Sample stage upstream of the pairs.
 */
import { dirname, resolve } from "node:path";
import type * as arrow from "apache-arrow";
import { describeHolder } from "../run_lock.ts";
import { liveWriters } from "../live_writer.ts";
import { diffusersTable } from "./diffusers_layout.ts";
import { withHfFeatures } from "./hf_features.ts";
import type { JsonlImages } from "./jsonl_rows.ts";
import { SampleImages } from "./sample_images.ts";
import { openStage, shardTables, type StageData, upstreamStage } from "./stage_data.ts";
import {
  atomicFile,
  type NamedTable,
  writeArrowStream,
  writeJsonlFile,
  writeParquetFile,
} from "./write_tables.ts";

export const EXPORT_FORMATS = ["arrow", "parquet", "jsonl"] as const;
export type ExportFormat = typeof EXPORT_FORMATS[number];
export const EXPORT_LAYOUTS = ["rows", "diffusers"] as const;
export type ExportLayout = typeof EXPORT_LAYOUTS[number];

export interface ExportOptions {
  runDir: string;
  stage: string;
  format: ExportFormat;
  /** @default {"rows"} */
  layout?: ExportLayout;
  /** JSONL only: image bytes as base64, or left out. @default {"base64"} */
  images?: JsonlImages;
}

export interface ExportResult {
  stage: string;
  rows: number;
  shards: number;
}

async function* tablesOf(data: StageData, layout: ExportLayout): AsyncGenerator<NamedTable> {
  if (layout === "rows") {
    for await (const { file, table } of shardTables(data)) {
      yield { source: `${data.dir}/${file}`, table };
    }
    return;
  }
  const images = new SampleImages(await upstreamStage(data, "sample"));
  for await (const { file, table } of shardTables(data)) {
    const source = `${data.dir}/${file}`;
    yield { source, table: await diffusersTable(table, images, source) };
  }
}

/**
 * The stage, complete; when it is not (missing, unfinished, unmerged) and a live capo process
 * holds the run's lock, the error names that process rather than the stage's state, which is
 * changing: the stage is never read half-written.
 */
async function openCompleteStage(runDir: string, stage: string): Promise<StageData> {
  try {
    return await openStage(runDir, stage);
  } catch (err) {
    const live = await liveWriters(runDir);
    if (live.length === 0) throw err;
    throw new Error(
      `Cannot export stage '${stage}' of ${runDir} as a live run is still writing it: ` +
        `${live.map(describeHolder).join("; ")}. Export it once that run has finished`,
    );
  }
}

/** Creates the folder `out` goes into; throws one line naming it if that is impossible. */
async function makeParentFolder(out: string): Promise<void> {
  if (out.endsWith("/") || (await Deno.stat(out).catch(() => null))?.isDirectory) {
    throw new TypeError(`Cannot export to --out ${out} as it is a folder: give a file path`);
  }
  const folder = dirname(resolve(out));
  try {
    await Deno.mkdir(folder, { recursive: true });
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new Error(`Cannot create the folder ${folder} for --out ${out}: ${why}`);
  }
}

/**
 * Exports; `out` is a byte sink (Arrow to stdout) or a file path (written atomically; a missing
 * folder is created once the stage is known to be exportable). Throws naming the stage, the
 * shard, the option or the folder that is wrong, or the live run still writing the stage.
 */
export async function exportStage(
  o: ExportOptions,
  out: string | ((bytes: Uint8Array) => Promise<void>),
): Promise<ExportResult> {
  const layout = o.layout ?? "rows";
  const data = await openCompleteStage(o.runDir, o.stage);
  if (data.manifest.shards.length === 0) {
    throw new RangeError(`Cannot export stage '${o.stage}' of ${o.runDir} as it has no shards`);
  }
  if (layout === "diffusers" && data.manifest.schema.name !== "pair") {
    throw new TypeError(
      `Cannot export stage '${data.stage}' in the diffusers layout as it holds ` +
        `'${data.manifest.schema.name}' records: the layout is for a Pair stage (e.g. select)`,
    );
  }
  if (typeof out === "string") await makeParentFolder(out);
  const tables = tablesOf(data, layout);
  const meta = (s: arrow.Schema) => withHfFeatures(s);
  let rows: number;
  if (o.format === "arrow") {
    rows = typeof out === "string"
      ? await atomicFile(out, (sink) => writeArrowStream(tables, sink, meta))
      : await writeArrowStream(tables, out, meta);
  } else {
    if (typeof out !== "string") {
      throw new TypeError(`Cannot export ${o.format} to stdout: give a file path`);
    }
    rows = o.format === "parquet"
      ? await writeParquetFile(tables, out, meta)
      : await writeJsonlFile(tables, out, o.images ?? "base64");
  }
  return { stage: o.stage, rows, shards: data.manifest.shards.length };
}
