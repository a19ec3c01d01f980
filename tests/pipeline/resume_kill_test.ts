/**
 * Crash and cancel tests on a real subprocess: `capo run` with the fixture stage list
 * (fixtures/run_fixture.ts), SIGKILLed or signalled at several points, then restarted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readManifest } from "../../pipeline/stage_store.ts";
import { main } from "../../cli/run.ts";
import { FIXTURE_METHOD, FIXTURE_SCHEMAS, FIXTURE_STAGES } from "./fixtures/stages.ts";
import { listDir, stageRows, tempRun } from "./fixtures/util.ts";

const SCRIPT = new URL("./fixtures/run_fixture.ts", import.meta.url).pathname;
const PROMPTS = 40;

function spawn(dir: string, promptsPath: string, delayMs: number): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `--allow-write=${dir}`,
      "--allow-env",
      SCRIPT,
      "--runs-dir",
      dir,
      "--prompts",
      promptsPath,
      "--shard-rows",
      "16",
    ],
    env: { CAPO_TEST_DELAY_MS: String(delayMs), CAPO_LOG: "warn", CAPO_LOG_FORMAT: "json" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Resolves once `stage` of the run has at least `shards` completed shards. */
async function waitForShards(
  runDir: string,
  stage: string,
  shards: number,
  child: Deno.ChildProcess,
) {
  let exited = false;
  child.status.then(() => exited = true);
  for (;;) {
    const m = await readManifest(join(runDir, stage), { index: 0, count: 1 }).catch(() => null);
    if (m && m.shards.length >= shards) return;
    if (exited) throw new Error(`the run ended before ${stage} had ${shards} shards`);
    await new Promise((r) => setTimeout(r, 3));
  }
}

async function allRows(runDir: string) {
  const out: Record<string, unknown[]> = {};
  for (const s of FIXTURE_STAGES) out[s] = await stageRows(runDir, s, FIXTURE_SCHEMAS[s]!);
  return out;
}

/**
 * No prompt twice in any manifest, and no Parquet file the manifest does not list. Right after
 * a SIGKILL (`afterKill`), one unlisted file per stage is allowed: a kill between a shard's
 * rename and its manifest update leaves it, and the next run deletes it on open (checked by
 * the strict call after the resume).
 */
async function assertConsistent(runDir: string, afterKill = false) {
  for (const s of FIXTURE_STAGES) {
    const m = await readManifest(join(runDir, s), { index: 0, count: 1 });
    if (m === null) continue;
    const ids = m.shards.flatMap((x) => x.prompt_ids);
    assert.equal(new Set(ids).size, ids.length, `${s}: a prompt appears twice`);
    const files = (await listDir(join(runDir, s))).filter((f) => f.endsWith(".parquet"));
    const listed = m.shards.map((x) => x.file).sort();
    if (afterKill) {
      const unlisted = files.filter((f) => !listed.includes(f));
      assert.ok(unlisted.length <= 1, `${s}: unlisted shard files ${unlisted.join(", ")}`);
      assert.deepEqual(
        files.filter((f) => listed.includes(f)),
        listed,
        `${s}: a listed shard is missing`,
      );
    } else {
      assert.deepEqual(files, listed, `${s}: unlisted shard files`);
    }
  }
}

async function drain(child: Deno.ChildProcess) {
  const [status, out, err] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { status, out, err };
}

/** The rows of an uninterrupted run, computed once. */
let expected: Record<string, unknown[]> | null = null;
async function expectedRows(): Promise<Record<string, unknown[]>> {
  if (expected) return expected;
  const { dir, promptsPath } = await tempRun(PROMPTS);
  const code = await main(
    ["--runs-dir", dir, "--prompts", promptsPath, "--shard-rows", "16"],
    FIXTURE_METHOD,
  );
  assert.equal(code, 0);
  expected = await allRows(join(dir, "default"));
  assert.equal(expected.prompts!.length, PROMPTS);
  await Deno.remove(dir, { recursive: true });
  return expected;
}

// Kill points: [stage, completed shards of that stage], one kill after another in each case.
const CASES: [string, number][][] = [
  [["prompts", 1]],
  [["generate", 3]],
  [["score", 7]],
  [["generate", 2], ["calibrate", 6]],
];

for (const kills of CASES) {
  const label = kills.map(([s, n]) => `${s} has ${n} shard(s)`).join(", then when ");
  Deno.test(`a run SIGKILLed when ${label} resumes to the uninterrupted run's rows`, async () => {
    const want = await expectedRows();
    const { dir, promptsPath } = await tempRun(PROMPTS);
    const runDir = join(dir, "default");
    for (const [stage, shards] of kills) {
      const child = spawn(dir, promptsPath, 25);
      const done = drain(child);
      await waitForShards(runDir, stage, shards, child);
      child.kill("SIGKILL");
      const { status } = await done;
      assert.equal(status.signal, "SIGKILL", "the run finished before it could be killed");
      await assertConsistent(runDir, true);
    }
    const { status, out } = await drain(spawn(dir, promptsPath, 0));
    assert.equal(status.code, 0, out);
    assert.match(out, /reused/); // it did resume rather than start over
    await assertConsistent(runDir);
    assert.deepEqual(await allRows(runDir), want);
    await Deno.remove(dir, { recursive: true });
  });
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`${signal} stops a run with exit ${code} and a one-line summary, keeping completed shards`, async () => {
    const want = await expectedRows();
    const { dir, promptsPath } = await tempRun(PROMPTS);
    const runDir = join(dir, "default");
    const child = spawn(dir, promptsPath, 25);
    const done = drain(child);
    await waitForShards(runDir, "generate", 2, child);
    child.kill(signal);
    const { status, out } = await done;
    assert.equal(status.code, code);
    const lines = out.trim().split("\n");
    assert.equal(lines.length, 1, out);
    assert.match(
      lines[0]!,
      new RegExp(`^cancelled by ${signal}: completed shards kept, open shards dropped; prompts `),
    );
    assert.match(lines[0]!, /generate \d+ groups in [2-9] shards \(incomplete\)/);
    for (const s of FIXTURE_STAGES) {
      assert.deepEqual((await listDir(join(runDir, s))).filter((f) => f.endsWith(".tmp")), [], s);
    }
    await assertConsistent(runDir);
    const resumed = await drain(spawn(dir, promptsPath, 0));
    assert.equal(resumed.status.code, 0);
    assert.deepEqual(await allRows(runDir), want);
    await Deno.remove(dir, { recursive: true });
  });
}
