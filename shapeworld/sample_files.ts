/**
 * Reading generated samples for ShapeEval from disk: a folder of PNGs or a Parquet file.
 *
 * Folder: captions come from `captions.jsonl` in the folder (one `{"file": "x.png",
 * "prompt": "a red circle"}` per line) when it exists; otherwise from each file's name, the
 * part before the first "." with "_" read as a space (`a_red_circle.3.png` -> "a red circle").
 * Parquet: columns `prompt` (string) and `image` (struct {bytes: PNG, path}), the Hugging Face
 * datasets Image layout capo's sample shards use.
 *
 * Every image must be 32x32 and in colour (RGB, RGBA or palette); anything else is an error
 * naming the file (and row).
 */
import initPq, * as pq from "parquet-wasm/esm";
import { tableFromIPC } from "apache-arrow";
import { decodePng } from "../lib/png.ts";
import { IMAGE_SIZE } from "./scene.ts";

export interface SampleImage {
  /** Where the image came from: a file path, or `file.parquet#row`. */
  source: string;
  prompt: string;
  /** RGB8, 32x32, HWC row-major. */
  rgb: Uint8Array;
}

/** Decode and check one PNG: 32x32, colour. `source` names it in errors. */
export function readSamplePng(bytes: Uint8Array, source: string): Uint8Array {
  let png;
  try {
    png = decodePng(bytes);
  } catch (err) {
    throw new TypeError(`Cannot read image ${source} as a PNG: ${(err as Error).message}`);
  }
  if (png.width !== IMAGE_SIZE || png.height !== IMAGE_SIZE) {
    throw new RangeError(
      `Cannot evaluate image ${source} as it must be ${IMAGE_SIZE}x${IMAGE_SIZE}: ` +
        `current value is ${png.width}x${png.height}`,
    );
  }
  if (png.channels < 3) {
    throw new RangeError(
      `Cannot evaluate image ${source} as it must be RGB (3 or 4 channels): ` +
        `current value is ${png.channels} channel(s) (grayscale)`,
    );
  }
  return png.rgb;
}

/** The caption a file name encodes: "a_red_circle.3.png" -> "a red circle". */
export function captionFromFileName(name: string): string {
  const base = name.split("/").pop()!;
  return base.split(".")[0]!.replaceAll("_", " ");
}

/** The samples in a folder of PNGs (sorted by file name). */
export async function readSampleFolder(dir: string): Promise<SampleImage[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.toLowerCase().endsWith(".png")) files.push(e.name);
  }
  files.sort();
  let captions: Map<string, string> | null = null;
  const jsonl = `${dir}/captions.jsonl`;
  try {
    const text = await Deno.readTextFile(jsonl);
    captions = new Map();
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        throw new TypeError(`Cannot read ${jsonl} line ${i + 1} as JSON: current value is ${line}`);
      }
      const { file, prompt } = (rec ?? {}) as { file?: unknown; prompt?: unknown };
      if (typeof file !== "string" || typeof prompt !== "string") {
        throw new TypeError(
          `Cannot read ${jsonl} line ${i + 1} as it needs string fields "file" and "prompt": ` +
            `current value is ${line}`,
        );
      }
      captions!.set(file, prompt);
    });
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const out: SampleImage[] = [];
  for (const name of files) {
    const source = `${dir}/${name}`;
    let prompt: string;
    if (captions !== null) {
      const p = captions.get(name);
      if (p === undefined) {
        throw new RangeError(`Cannot evaluate image ${source} as ${jsonl} has no line for it`);
      }
      prompt = p;
    } else {
      prompt = captionFromFileName(name);
    }
    out.push({ source, prompt, rgb: readSamplePng(await Deno.readFile(source), source) });
  }
  return out;
}

let pqReady: Promise<unknown> | null = null;

/** The samples in a Parquet file with columns `prompt` and `image` ({bytes, path}). */
export async function readSampleParquet(path: string): Promise<SampleImage[]> {
  pqReady ??= initPq();
  await pqReady;
  const wasmTable = pq.readParquet(await Deno.readFile(path));
  const table = tableFromIPC(wasmTable.intoIPCStream());
  const prompts = table.getChild("prompt");
  const images = table.getChild("image");
  if (prompts === null || images === null) {
    throw new TypeError(
      `Cannot read samples from ${path} as it needs columns "prompt" and "image": ` +
        `current value is [${table.schema.fields.map((f) => f.name).join(", ")}]`,
    );
  }
  const out: SampleImage[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const source = `${path}#${i}`;
    const prompt = prompts.get(i);
    const image = images.get(i) as { bytes?: unknown } | null;
    if (typeof prompt !== "string") {
      throw new TypeError(
        `Cannot evaluate row ${source} as its prompt is not a string: current value is ${prompt}`,
      );
    }
    const bytes = image?.bytes;
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot evaluate row ${source} as image.bytes is not binary: current value is ${bytes}`,
      );
    }
    out.push({ source, prompt, rgb: readSamplePng(bytes, source) });
  }
  return out;
}

/** Samples from a folder of PNGs or a .parquet file. */
export async function readSamples(path: string): Promise<SampleImage[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new TypeError(`Cannot read samples as path does not exist: current value is ${path}`);
  }
  if (info.isDirectory) return await readSampleFolder(path);
  if (path.toLowerCase().endsWith(".parquet")) return await readSampleParquet(path);
  throw new TypeError(
    `Cannot read samples as path must be a folder of PNGs or a .parquet file: current value is ${path}`,
  );
}
