/**
 * `capo export --run DIR --stage STAGE [--format arrow|parquet|jsonl] [--out PATH]
 * [--layout rows|diffusers] [--images base64|omit]` (pipeline/exchange/export_stage.ts).
 *
 * Arrow IPC (stream format) goes to stdout unless --out is given, for a pipe into DuckDB, polars
 * or pyarrow; Parquet and JSONL need --out and are written atomically, creating a missing folder.
 * Refused: binary Arrow to a terminal, and a stage that a live run is still writing (named).
 * Exit status: 0 exported, 1 the stage cannot be exported (the message says why), 2 bad arguments.
 */
import {
  EXPORT_FORMATS,
  EXPORT_LAYOUTS,
  type ExportFormat,
  type ExportLayout,
  exportStage,
} from "../pipeline/exchange/export_stage.ts";
import { JSONL_IMAGES, type JsonlImages } from "../pipeline/exchange/jsonl_rows.ts";
import { parseFlags } from "../lib/parse_flags.ts";

export const EXPORT_USAGE =
  `usage: capo export --run DIR --stage STAGE [--format arrow|parquet|jsonl] [--out PATH]
                   [--layout rows|diffusers] [--images base64|omit]

Writes a complete stage (one-worker or merged) for other tools.
  --format arrow     Arrow IPC stream to stdout (or --out PATH): capo export ... | python3 ...
  --format parquet   one Parquet file (ZSTD) at --out (a missing folder is created)
  --format jsonl     JSON Lines at --out; --images base64 (default) or omit
  --layout rows      the stage's own columns (default); images as {bytes, path}, typed for
                     Hugging Face datasets as Image
  --layout diffusers a Pair stage as caption, jpg_0 (winner), jpg_1 (loser), label_0 (1.0), delta
                     for diffusers' Diffusion-DPO training scripts`;

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) {
    throw new TypeError(
      `Cannot use ${flag} as it must be one of ${allowed.join(", ")}: current value is '${v}'`,
    );
  }
  return v as T;
}

export async function main(args: string[]): Promise<number> {
  let run: string, stage: string, out: string | null;
  let format: ExportFormat, layout: ExportLayout, images: JsonlImages;
  try {
    const { values } = parseFlags("capo export", {
      args,
      options: {
        run: { type: "string" },
        stage: { type: "string" },
        format: { type: "string", default: "arrow" },
        out: { type: "string" },
        layout: { type: "string", default: "rows" },
        images: { type: "string", default: "base64" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(EXPORT_USAGE);
      return 0;
    }
    format = oneOf("--format", values.format, EXPORT_FORMATS);
    layout = oneOf("--layout", values.layout, EXPORT_LAYOUTS);
    images = oneOf("--images", values.images, JSONL_IMAGES);
    if (values.run === undefined || values.stage === undefined) {
      throw new TypeError("Cannot export as --run and --stage are required");
    }
    [run, stage, out] = [values.run, values.stage, values.out ?? null];
    if (format !== "arrow" && out === null) {
      throw new TypeError(`Cannot export ${format} without --out PATH (only arrow goes to stdout)`);
    }
    if (format === "arrow" && out === null && Deno.stdout.isTerminal()) {
      throw new TypeError(
        "Cannot write binary Arrow to a terminal: pipe it into a program or pass --out PATH",
      );
    }
  } catch (err) {
    console.error(`capo export: ${(err as Error).message}\n\n${EXPORT_USAGE}`);
    return 2;
  }
  const stdout = out === null ? Deno.stdout.writable.getWriter() : null;
  try {
    const r = await exportStage(
      { runDir: run, stage, format, layout, images },
      out ?? ((bytes) => stdout!.write(bytes)),
    );
    const line = `exported ${r.rows} rows of stage '${r.stage}' (${r.shards} shards) as ` +
      `${format}${layout === "rows" ? "" : ` (${layout} layout)`}${out ? ` to ${out}` : ""}`;
    if (out) console.log(line);
    else console.error(line); // stdout carries the data
    return 0;
  } catch (err) {
    console.error(`capo export: ${err instanceof Error ? err.message : err}`);
    return 1;
  } finally {
    stdout?.releaseLock();
  }
}
