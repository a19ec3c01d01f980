/**
 * Reading a file that may not be there yet (a manifest, a checkpoint, a result): absent is
 * null, any other failure (permissions, a directory in the way) still throws.
 */

/** The file's bytes, or null if there is no such file. */
export async function readFileIfExists(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** The file's text (UTF-8), or null if there is no such file. */
export async function readTextIfExists(path: string): Promise<string | null> {
  const bytes = await readFileIfExists(path);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** True if `path` exists (a missing `--allow-read` is an error, not a missing file). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
