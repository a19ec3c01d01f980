/**
 * Atomic file writes: write a temp file in the same directory, then rename over the target.
 *
 * A reader (or a run restarted after SIGKILL) sees either the old file or the whole new one,
 * never a torn write; a crash leaves at most a `*.tmp` file, which stage stores delete on open.
 */
import { basename, dirname, join } from "node:path";

let counter = 0;

/** The temp name used for `path`: same directory, so the rename never crosses filesystems. */
export function tempPathFor(path: string): string {
  counter = (counter + 1) % 1_000_000;
  return join(dirname(path), `.${basename(path)}.${Deno.pid}-${counter}.tmp`);
}

/** True if `name` is a temp file left by `writeFileAtomic`. */
export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}

/** Writes `data` to `path` atomically (temp file + rename); the temp file is removed on failure. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}
