/**
 * One writer per run directory. A run holds `<run>/.capo.lock`, which names its host, PID, start
 * time and command; work shard i of n holds `<run>/.capo.lock.w<i>of<n>` instead, so the n
 * shards of one run write side by side while a second writer of the same shard, or an unsharded
 * writer (which owns every shard), is refused.
 *
 * Liveness is the kernel's, not a guess: the holder keeps an advisory lock (flock) on the file
 * for as long as it runs, and the kernel drops it when the process ends, however it ends
 * (SIGKILL, OOM). So:
 *
 *   1. the flock is held         -> a live writer: refused at once (`RunLockedError`, exit 1),
 *                                   naming the holder from the file;
 *   2. free, the file names this host   -> the holder died: taken over with a warning;
 *   3. free, the file names another host -> flock may not reach across a network filesystem, so
 *                                   capo cannot tell: refused unless `breakLock` (--break-lock);
 *   4. free and empty            -> the previous holder released it: taken.
 *
 * The unsharded lock is taken exclusive; a work shard takes it shared (many shards, no unsharded
 * writer) plus its own tag file exclusive. Lock files are emptied on release, never deleted, so
 * two processes can never hold locks on two different files of the same name.
 *
 * On success the run's leftover temp files are removed (pipeline/temp_files.ts): with the lock
 * held, no live writer of this run can own them.
 */
import { join } from "node:path";
import { asDiskFull } from "../lib/disk_full.ts";
import type { Logger } from "../lib/log.ts";
import { logger } from "../lib/log.ts";
import { removeLeftoverTemps } from "./temp_files.ts";
import type { WorkShard } from "./work_shard.ts";

/** The run's lock file; `.w<i>of<n>` is appended for work shard i of n. */
export const LOCK_FILE = ".capo.lock";

export interface RunLockOptions {
  /** This writer's work shard. @default {{index: 0, count: 1}} */
  worker?: WorkShard;
  /**
   * Take over a lock left by another host, whose process capo cannot check (the run config's
   * `break_lock`, `--break-lock`). @default {false}
   */
  breakLock?: boolean;
  /** What the lock file records as the holder's command. @default {"capo run"} */
  command?: string;
  /** @default {logger("lock")} */
  log?: Logger;
}

/** What a lock file records. */
export interface LockHolder {
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  started: string;
  command: string;
  /** "unsharded" or the work shard tag "w<i>of<n>". */
  worker: string;
}

/** Another writer holds the run directory. */
export class RunLockedError extends Error {
  readonly path: string;
  readonly holder: LockHolder | null;

  constructor(message: string, path: string, holder: LockHolder | null) {
    super(message);
    this.name = "RunLockedError";
    this.path = path;
    this.holder = holder;
  }
}

/** A held run lock; `release()` (idempotent) empties and unlocks the file(s). */
export interface RunLock {
  readonly path: string;
  readonly holder: LockHolder;
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** This machine's name as lock files record it (`--allow-sys=hostname`). */
export function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown-host"; // without the permission every writer agrees on this name
  }
}

/** "capo run (PID 12 on host a, started 2026-...)" for messages. */
export function describeHolder(h: LockHolder): string {
  const shard = h.worker === "unsharded" ? "" : ` for work shard ${h.worker}`;
  return `${h.command}${shard} (PID ${h.pid} on host ${h.host}, started ${h.started})`;
}

/**
 * Takes the lock of `runDir` for `options.worker`, creating the directory. Throws a
 * RunLockedError naming the holder when another live writer has it.
 */
export async function acquireRunLock(
  runDir: string,
  options: RunLockOptions = {},
): Promise<RunLock> {
  const worker = options.worker ?? { index: 0, count: 1 };
  const log = options.log ?? logger("lock");
  const sharded = worker.count > 1;
  const tag = sharded ? `w${worker.index}of${worker.count}` : "unsharded";
  const me: LockHolder = {
    host: hostName(),
    pid: Deno.pid,
    started: new Date().toISOString(),
    command: options.command ?? "capo run",
    worker: tag,
  };
  await Deno.mkdir(runDir, { recursive: true });
  const mainPath = join(runDir, LOCK_FILE);
  const held: LockFile[] = [];
  try {
    // The run lock: exclusive for an unsharded writer, shared for a work shard.
    const main = await LockFile.open(mainPath);
    held.push(main);
    if (!(await main.tryLock(!sharded))) {
      const holder = await main.readHolderSoon();
      throw refused(runDir, mainPath, holder ?? await liveShard(runDir), sharded);
    }
    await takeOver(main, me, options.breakLock ?? false, runDir, log);
    if (sharded) {
      const own = await LockFile.open(`${mainPath}.${tag}`);
      held.push(own);
      if (!(await own.tryLock(true))) {
        throw refused(runDir, own.path, await own.readHolderSoon(), sharded);
      }
      await takeOver(own, me, options.breakLock ?? false, runDir, log);
      await own.write(me);
    } else {
      await checkShardLocks(runDir, me, options.breakLock ?? false, log);
      await main.write(me);
    }
  } catch (err) {
    for (const f of held.reverse()) await f.close(false);
    throw err;
  }
  await removeLeftoverTemps(runDir, worker, log);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    // The tag file (or, unsharded, the run lock) is emptied; a shared run lock is left as is.
    for (const [i, f] of held.reverse().entries()) await f.close(i === 0);
  };
  return {
    path: held.at(-1)!.path,
    holder: me,
    release,
    [Symbol.asyncDispose]: release,
  };
}

/** One lock file, open for reading and writing. */
class LockFile {
  readonly path: string;
  #file: Deno.FsFile;
  /** null: the filesystem has no advisory locks (then only the file's content guards it). */
  #flock: boolean | null = null;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  static async open(path: string): Promise<LockFile> {
    return new LockFile(path, await Deno.open(path, { read: true, write: true, create: true }));
  }

  /** True if taken; false if another process holds it. */
  async tryLock(exclusive: boolean): Promise<boolean> {
    try {
      this.#flock = true;
      return await this.#file.tryLock(exclusive);
    } catch {
      this.#flock = null; // ENOLCK and the like: fall back to the file's content
      return true;
    }
  }

  /** False when the filesystem gave no advisory lock: a holder's liveness is unknown. */
  get kernelLocked(): boolean {
    return this.#flock === true;
  }

  async readHolder(): Promise<LockHolder | null> {
    const text = await Deno.readTextFile(this.path).catch(() => "");
    return parseHolder(text);
  }

  /** The holder, waiting briefly for one that is still writing the file it has just locked. */
  async readHolderSoon(): Promise<LockHolder | null> {
    for (let i = 0; i < 10; i++) {
      const h = await this.readHolder();
      if (h !== null) return h;
      await new Promise((r) => setTimeout(r, 20));
    }
    return null;
  }

  async write(h: LockHolder): Promise<void> {
    try {
      await this.#file.truncate(0);
      await this.#file.seek(0, Deno.SeekMode.Start);
      const bytes = new TextEncoder().encode(JSON.stringify(h) + "\n");
      for (let n = 0; n < bytes.length;) n += await this.#file.write(bytes.subarray(n));
    } catch (err) {
      throw asDiskFull(this.path, err);
    }
  }

  /** Closes (which drops the flock), first emptying the file if `clear`. */
  async close(clear: boolean): Promise<void> {
    try {
      if (clear) await this.#file.truncate(0);
    } catch { /* the holder's record stays; the next writer takes it over */ }
    try {
      this.#file.close();
    } catch { /* already closed */ }
  }
}

/**
 * The holder a lock file's text records, or null when it records none that capo wrote (empty,
 * torn while being written, or not ours). pipeline/live_writer.ts reads lock files with it too.
 */
export function recordedHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.host === "string" && typeof h.pid === "number") {
      return {
        host: h.host,
        pid: h.pid,
        started: String(h.started ?? "at an unknown time"),
        command: String(h.command ?? "capo"),
        worker: String(h.worker ?? "unsharded"),
      };
    }
  } catch { /* not ours, or torn */ }
  return null;
}

function parseHolder(text: string): LockHolder | null {
  if (text.trim() === "") return null;
  return recordedHolder(text) ?? {
    host: "unknown",
    pid: -1,
    started: "unknown",
    command: "an unknown writer",
    worker: "?",
  };
}

/** A free lock file's previous holder: taken over (same host) or refused (another host). */
async function takeOver(
  f: LockFile,
  me: LockHolder,
  breakLock: boolean,
  runDir: string,
  log: Logger,
): Promise<void> {
  const old = await f.readHolder();
  if (old === null) return;
  const who = describeHolder(old);
  if (old.host === me.host && f.kernelLocked) {
    log.warn(
      `taking over the lock ${f.path} of ${who}: that process is no longer running ` +
        `(it stopped without releasing the lock, e.g. killed)`,
    );
  } else if (breakLock) {
    log.warn(`breaking the lock ${f.path} of ${who} (--break-lock)`);
  } else {
    const why = old.host !== me.host
      ? `capo cannot check a process on another host`
      : `this filesystem has no file locks, so capo cannot check whether it is running`;
    throw new RunLockedError(
      `Cannot write to run directory ${runDir} as it is locked by ${who} (${f.path}): ${why}. ` +
        `If that process is no longer running, run again with --break-lock`,
      f.path,
      old,
    );
  }
  // A shared holder does not own the run lock's record: it only clears a dead one.
  if (me.worker !== "unsharded" && f.path.endsWith(LOCK_FILE)) {
    await Deno.writeTextFile(f.path, "");
  }
}

/** Work-shard lock files that still name a holder: live ones refuse an unsharded writer. */
async function checkShardLocks(
  runDir: string,
  me: LockHolder,
  breakLock: boolean,
  log: Logger,
): Promise<void> {
  for (const path of await shardLockPaths(runDir)) {
    const f = await LockFile.open(path);
    try {
      const free = await f.tryLock(true);
      const h = await f.readHolder();
      if (!free) throw refused(runDir, path, h, false);
      if (h === null) continue;
      // Free and naming a holder: a shard that died (same host), or one capo cannot check.
      if (h.host === me.host && f.kernelLocked) {
        log.warn(`work shard lock ${path} of ${describeHolder(h)} is stale: that process is gone`);
        await Deno.writeTextFile(path, "");
      } else if (breakLock) {
        log.warn(`breaking the lock ${path} of ${describeHolder(h)} (--break-lock)`);
        await Deno.writeTextFile(path, "");
      } else {
        throw new RunLockedError(
          `Cannot write to run directory ${runDir} unsharded as ${describeHolder(h)} holds ` +
            `${path} and capo cannot check a process on another host. If it is no longer ` +
            `running, run again with --break-lock`,
          path,
          h,
        );
      }
    } finally {
      await f.close(false);
    }
  }
}

async function shardLockPaths(runDir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(runDir)) {
    if (e.isFile && /^\.capo\.lock\.w\d+of\d+$/.test(e.name)) out.push(join(runDir, e.name));
  }
  return out.sort();
}

/** The holder of a live work shard (an unsharded writer was refused by a shared run lock). */
async function liveShard(runDir: string): Promise<LockHolder | null> {
  for (const path of await shardLockPaths(runDir)) {
    const h = parseHolder(await Deno.readTextFile(path).catch(() => ""));
    if (h !== null) return h;
  }
  return null;
}

function refused(
  runDir: string,
  path: string,
  holder: LockHolder | null,
  sharded: boolean,
): RunLockedError {
  const who = holder === null ? "another capo process" : describeHolder(holder);
  const what = holder !== null && holder.worker !== "unsharded" && !sharded
    ? "a work shard of this run is running; merge after every shard is done"
    : "two writers would overwrite each other's shards";
  return new RunLockedError(
    `Cannot write to run directory ${runDir} as ${who} is writing to it (lock ${path}): ` +
      `${what}. Wait for it to finish or stop it`,
    path,
    holder,
  );
}
