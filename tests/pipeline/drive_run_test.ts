import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunConfig } from "../../pipeline/config.ts";
import { driveRun } from "../../pipeline/drive_run.ts";
import { type Method, StageUnavailable } from "../../pipeline/method.ts";
import { FIXTURE_METHOD } from "./fixtures/stages.ts";
import { listDir, tempRunConfig } from "./fixtures/util.ts";

async function setup(): Promise<{ dir: string; cfg: RunConfig }> {
  return await tempRunConfig(12, 8, "r");
}

/** The fixture method whose scorer cannot run yet (no reward models). */
const NO_SCORER: Method = {
  ...FIXTURE_METHOD,
  score: () => Promise.reject(new StageUnavailable("no reward models in nowhere/")),
};

Deno.test("driveRun() stores config.json and runs every stage up to `upTo`", async () => {
  const { dir, cfg } = await setup();
  const r = await driveRun(cfg, { method: FIXTURE_METHOD, upTo: "score" });
  assert.equal(r.status, "done", r.summary);
  assert.deepEqual(r.stages.map((s) => s.stage), ["prompts", "generate", "score"]);
  assert.equal(r.stoppedBefore, null);
  const stored = JSON.parse(await Deno.readTextFile(join(dir, "r", "config.json")));
  assert.deepEqual(stored, cfg);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("driveRun() runs the stages before one that cannot run yet ('stop'), or refuses to start ('error')", async () => {
  const { dir, cfg } = await setup();
  await assert.rejects(
    driveRun(cfg, { method: NO_SCORER, unavailable: "error" }),
    /Cannot run .*r as stage 'score' is not available: no reward models in nowhere\//,
  );
  assert.deepEqual(await listDir(join(dir, "r")), []); // nothing written
  const r = await driveRun(cfg, { method: NO_SCORER });
  assert.equal(r.status, "done", r.summary);
  assert.deepEqual(r.stoppedBefore, { name: "score", reason: "no reward models in nowhere/" });
  assert.deepEqual(r.stages.map((s) => s.stage), ["prompts", "generate"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("driveRun() rejects --from a stage the method lacks, or one it stops before, writing nothing", async () => {
  const { dir, cfg } = await setup();
  await assert.rejects(
    driveRun({ ...cfg, from: "bogus" }, { method: FIXTURE_METHOD }),
    /--from 'bogus' as the method has no such stage: stages are prompts, generate, score/,
  );
  await assert.rejects(
    driveRun({ ...cfg, from: "select" }, { method: FIXTURE_METHOD, upTo: "score" }),
    /--from 'select' as the run stops at 'score'/,
  );
  await assert.rejects(
    driveRun({ ...cfg, from: "calibrate" }, { method: NO_SCORER }),
    /--from 'calibrate' as the run stops before it: stage 'score' is not available yet/,
  );
  assert.deepEqual(await listDir(dir), ["train.txt"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("driveRun() refuses an unsharded run over unmerged worker shards, naming capo merge", async () => {
  const { dir, cfg } = await setup();
  for (const index of [0, 1]) {
    const r = await driveRun({ ...cfg, shard: { index, count: 2 } }, {
      method: FIXTURE_METHOD,
      upTo: "select",
    });
    assert.equal(r.status, "done", r.summary);
  }
  await assert.rejects(
    driveRun(cfg, { method: FIXTURE_METHOD }),
    /stage 'prompts' holds worker shards that are not merged \(2 of 2 workers\): run capo merge --run .*r first/,
  );
  const recomputed = await driveRun({ ...cfg, on_unmerged_shards: "recompute" }, {
    method: FIXTURE_METHOD,
  });
  assert.equal(recomputed.status, "done", recomputed.summary);
  await Deno.remove(dir, { recursive: true });
});
