/**
 * One writer per run directory through real `capo run` processes (the fixture stage list,
 * fixtures/run_fixture.ts): concurrent runs, two work shards side by side, a SIGKILLed holder.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { mergeRun } from "../../pipeline/scale/merge.ts";
import { LOCK_FILE } from "../../pipeline/run_lock.ts";
import { FIXTURE_STAGES } from "./fixtures/stages.ts";
import { tempRun } from "./fixtures/util.ts";
import { fixtureRun, sortedRows } from "./scale/fixtures/runs.ts";

const SCRIPT = new URL("./fixtures/run_fixture.ts", import.meta.url).pathname;

interface Finished {
  code: number;
  signal: string | null;
  out: string;
  err: string;
  /** Seconds from spawn to exit. */
  secs: number;
  pid: number;
}

function spawnRun(dir: string, delayMs: number, ...args: string[]) {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", `--allow-write=${dir}`, "--allow-env", SCRIPT, ...args],
    env: { CAPO_TEST_DELAY_MS: String(delayMs), CAPO_LOG: "warn", CAPO_LOG_FORMAT: "text" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const finished = Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]).then(([s, out, err]): Finished => ({
    code: s.code,
    signal: s.signal,
    out,
    err,
    secs: (performance.now() - t0) / 1000,
    pid: child.pid,
  }));
  return { child, finished };
}

Deno.test("two capo runs started at the same moment on one run: one runs, the other exits 1 at once naming it", async () => {
  const { dir, promptsPath } = await tempRun(40);
  const args = ["--runs-dir", dir, "--name", "twin", "--prompts", promptsPath, "--shard-rows", "8"];
  const a = spawnRun(dir, 40, ...args);
  const b = spawnRun(dir, 40, ...args);
  const loser = await Promise.race([a.finished, b.finished]);
  const winner = await (loser.pid === a.child.pid ? b : a).finished;
  assert.equal(winner.code, 0, winner.err);
  assert.equal(loser.code, 1, loser.err);
  assert.match(
    loser.err,
    new RegExp(
      `capo run: Cannot write to run directory ${dir}/twin as capo run \\(PID ${winner.pid} ` +
        `on host [^,]+, started [0-9T:.Z-]+\\) is writing to it \\(lock ${dir}/twin/\\.capo\\.lock\\)`,
    ),
  );
  // Refused at start: the winner needs >= 40 prompts x 40 ms in its generator alone.
  assert.ok(loser.secs < winner.secs - 1, `loser ${loser.secs} s, winner ${winner.secs} s`);
  assert.equal(await Deno.readTextFile(join(dir, "twin", LOCK_FILE)), "", "released on exit");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a run SIGKILLed while holding the lock is taken over by the next run, with a warning", async () => {
  const { dir, promptsPath } = await tempRun(40);
  const args = ["--runs-dir", dir, "--prompts", promptsPath, "--shard-rows", "8"];
  const first = spawnRun(dir, 40, ...args);
  const lock = join(dir, "default", LOCK_FILE);
  for (let i = 0; i < 500; i++) {
    if ((await Deno.readTextFile(lock).catch(() => "")) !== "") break;
    await new Promise((r) => setTimeout(r, 10));
  }
  first.child.kill("SIGKILL");
  const killed = await first.finished;
  assert.equal(killed.signal, "SIGKILL");
  assert.match(await Deno.readTextFile(lock), new RegExp(`"pid":${killed.pid}`));
  const next = await spawnRun(dir, 0, ...args).finished;
  assert.equal(next.code, 0, next.err);
  assert.match(
    next.err,
    new RegExp(
      `taking over the lock .*\\.capo\\.lock of capo run \\(PID ${killed.pid} on host .*\\): ` +
        `that process is no longer running`,
    ),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("two work shards of one run write side by side, and their merge equals a one-worker run", async () => {
  const { dir, promptsPath } = await tempRun(40);
  const args = ["--runs-dir", join(dir, "sharded"), "--prompts", promptsPath, "--shard-rows", "8"];
  const outs = await Promise.all([
    spawnRun(dir, 20, ...args, "--shard", "0/2").finished,
    spawnRun(dir, 20, ...args, "--shard", "1/2").finished,
  ]);
  for (const o of outs) assert.equal(o.code, 0, o.err);
  for (const o of outs) assert.doesNotMatch(o.err, /lock/, "no lock warnings between shards");
  const runDir = join(dir, "sharded", "default");
  await mergeRun(runDir);
  await fixtureRun(join(dir, "single"), promptsPath);
  for (const stage of FIXTURE_STAGES) {
    assert.deepEqual(
      await sortedRows(runDir, stage),
      await sortedRows(join(dir, "single", "default"), stage),
      stage,
    );
  }
  await Deno.remove(dir, { recursive: true });
});
