/**
 * One writer per run directory (pipeline/run_lock.ts), in process: the kernel's file lock is per
 * open file, so two acquisitions in one process contend exactly as two processes do. The same
 * rules through `capo run` subprocesses are in run_lock_cli_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Logger } from "../../lib/log.ts";
import {
  acquireRunLock,
  hostName,
  LOCK_FILE,
  type LockHolder,
  RunLockedError,
} from "../../pipeline/run_lock.ts";
import { listDir, tempDir } from "./fixtures/util.ts";

/** A logger that keeps its warnings. */
function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = () => {};
  return { debug: none, info: none, error: none, warn: (m) => warnings.push(m), warnings };
}

const holder = (h: Partial<LockHolder>): string =>
  JSON.stringify({
    host: hostName(),
    pid: 999_999,
    started: "2026-01-01T00:00:00.000Z",
    command: "capo run",
    worker: "unsharded",
    ...h,
  });

Deno.test("acquireRunLock() refuses a second writer at once, naming the holder's host, PID and start", async () => {
  const dir = await tempDir();
  const first = await acquireRunLock(dir, { log: capture() });
  const t0 = performance.now();
  await assert.rejects(acquireRunLock(dir, { log: capture() }), (err: Error) => {
    assert.ok(err instanceof RunLockedError);
    assert.match(
      err.message,
      new RegExp(
        `^Cannot write to run directory ${dir} as capo run \\(PID ${Deno.pid} on host ` +
          `${hostName()}, started ${first.holder.started}\\) is writing to it \\(lock ` +
          `${join(dir, LOCK_FILE)}\\): two writers would overwrite each other's shards`,
      ),
    );
    return true;
  });
  assert.ok(performance.now() - t0 < 1000, "refused at once, not after a wait");
  await first.release();
  // Released: the next writer takes it without a warning.
  const log = capture();
  const next = await acquireRunLock(dir, { log });
  assert.deepEqual(log.warnings, []);
  await next.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireRunLock() takes over a lock left by a dead process on this host, with a warning", async () => {
  const dir = await tempDir();
  // What a SIGKILLed writer leaves: its record, and no kernel lock (that died with it).
  await Deno.writeTextFile(join(dir, LOCK_FILE), holder({ pid: 999_999 }));
  const log = capture();
  const lock = await acquireRunLock(dir, { log });
  assert.equal(log.warnings.length, 1);
  assert.match(
    log.warnings[0]!,
    /taking over the lock .*\.capo\.lock of capo run \(PID 999999 on host .*, started 2026-01-01T00:00:00\.000Z\): that process is no longer running/,
  );
  const stored = JSON.parse(await Deno.readTextFile(join(dir, LOCK_FILE)));
  assert.deepEqual([stored.pid, stored.host], [Deno.pid, hostName()]);
  await lock.release();
  assert.equal(await Deno.readTextFile(join(dir, LOCK_FILE)), "", "released: emptied");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireRunLock() refuses a lock left by another host unless breakLock", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(join(dir, LOCK_FILE), holder({ host: "node-17", pid: 4242 }));
  await assert.rejects(
    acquireRunLock(dir, { log: capture() }),
    /Cannot write to run directory .* as it is locked by capo run \(PID 4242 on host node-17, .*\): capo cannot check a process on another host\. If that process is no longer running, run again with --break-lock/,
  );
  const log = capture();
  const lock = await acquireRunLock(dir, { breakLock: true, log });
  assert.match(log.warnings[0]!, /breaking the lock .* of capo run \(PID 4242 on host node-17/);
  await lock.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("two work shards of one run hold their locks side by side; a second shard 0 and an unsharded writer are refused", async () => {
  const dir = await tempDir();
  const log = capture();
  const w0 = await acquireRunLock(dir, { worker: { index: 0, count: 2 }, log });
  const w1 = await acquireRunLock(dir, { worker: { index: 1, count: 2 }, log });
  assert.deepEqual(log.warnings, []);
  assert.equal(w0.path, join(dir, `${LOCK_FILE}.w0of2`));
  await assert.rejects(
    acquireRunLock(dir, { worker: { index: 0, count: 2 }, log }),
    /as capo run for work shard w0of2 \(PID \d+ .*\) is writing to it \(lock .*\.capo\.lock\.w0of2\)/,
  );
  await assert.rejects(
    acquireRunLock(dir, { log }),
    /as capo run for work shard w0of2 .* is writing to it .*: a work shard of this run is running/,
  );
  await w0.release();
  await w1.release();
  // Both done: an unsharded writer (capo merge, then training) takes the run.
  const whole = await acquireRunLock(dir, { log });
  await assert.rejects(
    acquireRunLock(dir, { worker: { index: 1, count: 2 }, log }),
    /as capo run \(PID \d+ .*\) is writing to it/,
  );
  await whole.release();
  assert.deepEqual(log.warnings, []);
  assert.deepEqual(await listDir(dir), [LOCK_FILE, `${LOCK_FILE}.w0of2`, `${LOCK_FILE}.w1of2`]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a work shard takes over its own stale lock; an unsharded writer clears dead shards' locks", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(
    join(dir, `${LOCK_FILE}.w1of2`),
    holder({ pid: 31337, worker: "w1of2" }),
  );
  const log = capture();
  const w1 = await acquireRunLock(dir, { worker: { index: 1, count: 2 }, log });
  assert.match(
    log.warnings[0]!,
    /taking over the lock .*w1of2 of capo run for work shard w1of2 \(PID 31337/,
  );
  await w1.release();
  await Deno.writeTextFile(
    join(dir, `${LOCK_FILE}.w0of2`),
    holder({ pid: 31338, worker: "w0of2" }),
  );
  const whole = await acquireRunLock(dir, { log });
  assert.match(log.warnings[1]!, /work shard lock .*w0of2 of .*PID 31338.* is stale/);
  await whole.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireRunLock() removes temp files a crashed writer left, a work shard only its own", async () => {
  const dir = await tempDir();
  const files = {
    shard0: join(dir, "generate", ".part-w0of2-00001.parquet.77-1.tmp"),
    shard1: join(dir, "generate", ".part-w1of2-00001.parquet.78-1.tmp"),
    manifest0: join(dir, "score", ".manifest.w0of2.json.77-2.tmp"),
    checkpoint: join(dir, "train", ".tmp-checkpoint.safetensors-0a1b2c3d"), // older writer
    eval: join(dir, "train", "eval", ".eval.json.79-4.tmp"),
    kept: join(dir, ".stale", "generate-abc", ".part-00001.parquet.1-1.tmp"),
  };
  for (const f of Object.values(files)) {
    await Deno.mkdir(join(f, ".."), { recursive: true });
    await Deno.writeTextFile(f, "partial");
  }
  const exists = async (f: string) => await Deno.stat(f).then(() => true, () => false);
  const w0 = await acquireRunLock(dir, { worker: { index: 0, count: 2 }, log: capture() });
  await w0.release();
  assert.deepEqual(
    await Promise.all(Object.values(files).map(exists)),
    [false, true, false, true, true, true],
  );
  const whole = await acquireRunLock(dir, { log: capture() });
  await whole.release();
  assert.deepEqual(
    await Promise.all(Object.values(files).map(exists)),
    [false, false, false, false, false, true],
  );
  await Deno.remove(dir, { recursive: true });
});
