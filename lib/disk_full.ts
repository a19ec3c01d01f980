/**
 * A full disk is a clean stop: the error names the file that could not be written and tells the
 * user that nothing completed was lost and what to do.
 *
 * Every capo write goes through a temp file that is renamed into place only when whole
 * (lib/atomic_write.ts), so a write that fails for lack of space leaves the previous state of
 * every shard, manifest and checkpoint untouched; the temp file is removed on the way out.
 */

/** errno codes that mean "no room": the disk is full, or the user's quota is. */
const NO_SPACE = new Set(["ENOSPC", "EDQUOT"]);

/** What to do, appended to every disk-full message. */
export const DISK_FULL_ADVICE = "every completed shard and checkpoint is intact (each file is " +
  "written whole to a temp file and renamed into place; the partial temp file was removed). " +
  "Free space on that disk and run the same command again: it resumes where it stopped";

/** The write of `path` failed because the disk (or quota) is full. */
export class DiskFullError extends Error {
  /** The file capo was writing (the target, not its temp file). */
  readonly path: string;

  constructor(path: string, cause: unknown) {
    super(`No space left on device writing ${path}: ${DISK_FULL_ADVICE}`, { cause });
    this.name = "DiskFullError";
    this.path = path;
  }
}

/** True if `err`, or any error in its `cause` chain, is a disk-full error. */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof DiskFullError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NO_SPACE.has(code)) return true;
    if (/\(os error (28|122)\)/.test(e.message)) return true;
  }
  return false;
}

/** `err` as a DiskFullError naming `path` when it is one, else `err` unchanged. */
export function asDiskFull(path: string, err: unknown): unknown {
  return !(err instanceof DiskFullError) && isDiskFull(err) ? new DiskFullError(path, err) : err;
}
