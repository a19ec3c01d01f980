/**
 * Atomic file writes: write a temp file in the same directory, then rename over the target.
 *
 * A reader (or a run restarted after SIGKILL) sees either the old file or the whole new one,
 * never a torn write. A failed write (a full disk included) removes its temp file; a crash
 * leaves at most one, which the next writer of the run removes on start
 * (pipeline/temp_files.ts) and stage stores remove on open.
 */
import { basename, dirname, join } from "node:path";
import { asDiskFull } from "./disk_full.ts";

let counter = 0;

/** The temp name used for `path`: same directory, so the rename never crosses filesystems. */
export function tempPathFor(path: string): string {
  counter = (counter + 1) % 1_000_000;
  return join(dirname(path), `.${basename(path)}.${Deno.pid}-${counter}.tmp`);
}

// `.<target>.<pid>-<n>.tmp` (tempPathFor), and `.tmp-<target>-<8 hex>` that models/safetensors.ts
// wrote before it used tempPathFor (such files may still sit in older runs' train/ folders).
const TEMP = /^\.(.+)\.\d+-\d+\.tmp$/;
const LEGACY_TEMP = /^\.tmp-(.+)-[0-9a-f]{8}$/;

/** The file name a temp file stood in for (`.part-00001.parquet.12-3.tmp` -> `part-00001.parquet`), or null. */
export function tempTargetOf(name: string): string | null {
  return TEMP.exec(name)?.[1] ?? LEGACY_TEMP.exec(name)?.[1] ?? null;
}

/** True if `name` is a temp file left by an atomic write. */
export function isTempName(name: string): boolean {
  return tempTargetOf(name) !== null || (name.startsWith(".") && name.endsWith(".tmp"));
}

/**
 * Writes `data` to `path` atomically (temp file + rename); the temp file is removed on failure.
 * A full disk throws a DiskFullError naming `path` (lib/disk_full.ts).
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw asDiskFull(path, err);
  }
}
