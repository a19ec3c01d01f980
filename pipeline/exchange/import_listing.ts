/**
 * What `capo import` reads: the list of images to import, each with its prompt and seed.
 *
 * - A folder of PNG/JPEG files with `captions.jsonl`, one `{"file": "x.png", "prompt": "...",
 *   "seed": 123}` per line (`seed` optional; `file` relative to the folder) - the convention of
 *   shapeworld/sample_files.ts. Without captions.jsonl, every top-level .png/.jpg/.jpeg is
 *   imported with the caption its name encodes (`a_red_circle.3.png` -> "a red circle").
 * - A Parquet file with columns `prompt` (string), `image` (struct {bytes, path}, Hugging Face's
 *   Image layout, or plain binary) and optionally `seed` (integer).
 *
 * Errors in the listing itself (a malformed captions line, a missing column) always stop the
 * import, naming the file and line; problems with one image (unreadable, missing, not in
 * captions.jsonl) are reported per image and handled by the import's `onBadImage` policy.
 */
import { isAbsolute, join, normalize } from "node:path";
import { sha256Hex } from "../../lib/hash.ts";
import { readParquetFile } from "../../lib/parquet.ts";
import { captionFromFileName } from "../../shapeworld/sample_files.ts";

export interface ImportItem {
  /** The file path, or `file.parquet#row`. */
  source: string;
  prompt: string;
  /** The seed if the input gives one. */
  seed: number | null;
  /** `image.path` for the Sample row (the file name, or the Parquet image's path). */
  path: string | null;
  /** The raw bytes; rejects naming `source` if they cannot be read. */
  load(): Promise<Uint8Array>;
}

export interface ImportListing {
  kind: "folder" | "parquet";
  path: string;
  items: ImportItem[];
  /** Images that cannot be imported whatever their bytes, e.g. missing from captions.jsonl. */
  problems: { source: string; why: string }[];
  /** Identifies the input's content (hashed into the Sample stage's config). */
  digest: string;
}

const IMAGE = /\.(png|jpe?g)$/i;

/** Lists a folder or a .parquet file. */
export async function listImport(path: string): Promise<ImportListing> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new TypeError(`Cannot import from ${path} as it does not exist`);
  }
  if (info.isDirectory) return await listFolder(path);
  if (path.toLowerCase().endsWith(".parquet")) return await listParquet(path);
  throw new TypeError(
    `Cannot import from ${path} as it must be a folder of PNG/JPEG images or a .parquet file`,
  );
}

async function listFolder(dir: string): Promise<ImportListing> {
  const onDisk: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && IMAGE.test(e.name)) onDisk.push(e.name);
  }
  onDisk.sort();
  const captionsPath = join(dir, "captions.jsonl");
  let captions: string | null = null;
  try {
    captions = await Deno.readTextFile(captionsPath);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const items: ImportItem[] = [];
  const problems: ImportListing["problems"] = [];
  const fileItem = (file: string, prompt: string, seed: number | null): ImportItem => {
    const source = join(dir, file);
    return {
      source,
      prompt,
      seed,
      path: file,
      load: async () => {
        try {
          return await Deno.readFile(source);
        } catch (err) {
          const why = err instanceof Deno.errors.NotFound ? "the file does not exist" : String(err);
          throw new TypeError(`Cannot import image ${source} as ${why}`);
        }
      },
    };
  };
  if (captions === null) {
    for (const f of onDisk) items.push(fileItem(f, captionFromFileName(f), null));
  } else {
    const listed = new Set<string>();
    captions.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      const where = `${captionsPath} line ${i + 1}`;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        throw new TypeError(`Cannot read ${where} as JSON: current value is ${line.slice(0, 120)}`);
      }
      const { file, prompt, seed } = (rec ?? {}) as Record<string, unknown>;
      if (typeof file !== "string" || typeof prompt !== "string" || prompt.trim() === "") {
        throw new TypeError(
          `Cannot read ${where} as it needs a string "file" and a non-empty string "prompt": ` +
            `current value is ${line.slice(0, 120)}`,
        );
      }
      if (
        seed !== undefined && seed !== null &&
        !(Number.isSafeInteger(seed) && (seed as number) >= 0)
      ) {
        throw new TypeError(
          `Cannot read ${where} as "seed" must be a non-negative integer: current value is ${
            JSON.stringify(seed)
          }`,
        );
      }
      const rel = normalize(file);
      if (isAbsolute(file) || rel.startsWith("..")) {
        throw new TypeError(
          `Cannot read ${where} as "file" must be a path inside ${dir}: current value is '${file}'`,
        );
      }
      if (listed.has(rel)) throw new TypeError(`Cannot read ${where} as '${file}' is listed twice`);
      listed.add(rel);
      items.push(fileItem(rel, prompt, typeof seed === "number" ? seed : null));
    });
    for (const f of onDisk) {
      if (!listed.has(f)) {
        problems.push({ source: join(dir, f), why: `${captionsPath} has no line for it` });
      }
    }
  }
  if (items.length === 0) {
    throw new RangeError(`Cannot import from ${dir} as it holds no .png/.jpg/.jpeg image`);
  }
  // Content identity without reading every image twice: names, captions, sizes and mtimes.
  const stats = await Promise.all(items.map(async (it) => {
    const s = await Deno.stat(it.source).catch(() => null);
    return [it.path, it.prompt, it.seed, s?.size ?? -1, s?.mtime?.getTime() ?? -1];
  }));
  return { kind: "folder", path: dir, items, problems, digest: sha256Hex(JSON.stringify(stats)) };
}

async function listParquet(path: string): Promise<ImportListing> {
  const bytes = await Deno.readFile(path);
  const table = await readParquetFile(path);
  const names = table.schema.fields.map((f) => f.name);
  const prompt = table.getChild("prompt");
  const image = table.getChild("image");
  const seed = table.getChild("seed");
  if (prompt === null || image === null) {
    throw new TypeError(
      `Cannot import from ${path} as it needs columns "prompt" and "image" (and optionally ` +
        `"seed"): current value is [${names.join(", ")}]`,
    );
  }
  const items: ImportItem[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const source = `${path}#${i}`;
    const p = prompt.get(i);
    if (typeof p !== "string" || p.trim() === "") {
      throw new TypeError(
        `Cannot import row ${source} as its prompt must be a non-empty string: current value is ${p}`,
      );
    }
    const s = seed?.get(i);
    const n = s === null || s === undefined ? null : Number(s);
    if (n !== null && !(Number.isSafeInteger(n) && n >= 0)) {
      throw new TypeError(
        `Cannot import row ${source} as its seed must be a non-negative integer: current value is ${s}`,
      );
    }
    const cell = image.get(i) as
      | Uint8Array
      | { bytes: Uint8Array | null; path: string | null }
      | null;
    const raw = cell instanceof Uint8Array ? cell : cell?.bytes ?? null;
    const imgPath = cell instanceof Uint8Array ? null : cell?.path ?? null;
    items.push({
      source,
      prompt: p,
      seed: n,
      path: imgPath,
      load: () =>
        raw === null
          ? Promise.reject(new TypeError(`Cannot import image ${source} as its bytes are null`))
          : Promise.resolve(raw),
    });
  }
  if (items.length === 0) throw new RangeError(`Cannot import from ${path} as it has no rows`);
  return { kind: "parquet", path, items, problems: [], digest: sha256Hex(bytes) };
}
