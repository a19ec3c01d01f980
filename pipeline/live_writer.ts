/**
 * Which live capo process, if any, is writing a run directory, asked without writing to it
 * (`capo export` must never change a run). The writers hold the run's lock files
 * (pipeline/run_lock.ts): an unsharded writer `<run>/.capo.lock` exclusively, work shard i of n
 * `<run>/.capo.lock.w<i>of<n>` exclusively. Each existing lock file is opened read-only and a
 * shared lock is asked of the kernel without waiting: refused means a live writer holds it, and
 * the file names it. A granted probe is released at once.
 *
 * The probe holds a shared lock for microseconds; a writer taking the lock in exactly that
 * window is refused as if another writer were running, and can simply be started again.
 */
import { join } from "node:path";
import { LOCK_FILE, type LockHolder, recordedHolder } from "./run_lock.ts";

/** The holder a lock file records, or a stand-in when it is empty or not readable as one. */
function holderIn(text: string): LockHolder {
  return recordedHolder(text) ??
    { host: "?", pid: -1, started: "?", command: "a capo process", worker: "?" };
}

/** True when another process holds `path` locked exclusively. */
async function heldExclusively(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return false; // no lock file: no writer that takes the lock
  }
  try {
    if (!(await file.tryLock(false))) return true;
    await file.unlock();
    return false;
  } catch {
    return false; // no advisory locks on this filesystem: liveness unknown, treat as none
  } finally {
    file.close();
  }
}

/** The live writers of `runDir` (the unsharded one, or every live work shard), or []. */
export async function liveWriters(runDir: string): Promise<LockHolder[]> {
  const paths = [join(runDir, LOCK_FILE)];
  try {
    for await (const e of Deno.readDir(runDir)) {
      if (e.isFile && e.name.startsWith(`${LOCK_FILE}.w`)) paths.push(join(runDir, e.name));
    }
  } catch {
    return []; // no run directory
  }
  const out: LockHolder[] = [];
  for (const path of paths.sort()) {
    if (await heldExclusively(path)) {
      out.push(holderIn(await Deno.readTextFile(path).catch(() => "")));
    }
  }
  return out;
}
