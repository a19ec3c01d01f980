import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunConfig } from "../../pipeline/config.ts";
import { buildPlan, type Method } from "../../pipeline/method.ts";
import { type RunOptions, runPipeline } from "../../pipeline/runner.ts";
import { readManifest } from "../../pipeline/stage_store.ts";
import { promptId } from "../../stages/prompts/normalize.ts";
import {
  FIXTURE_METHOD,
  FIXTURE_SCHEMAS,
  FIXTURE_STAGES,
  fixtureScore,
  REWARDS,
} from "./fixtures/stages.ts";
import { listDir, stageRows, tempRunConfig } from "./fixtures/util.ts";

async function setup(prompts = 30) {
  const { dir, cfg } = await tempRunConfig(prompts, 16);
  return { dir, cfg, runDir: join(dir, "default") };
}

/** setup() run to the end once, with every stage's rows as that run left them. */
async function finishedRun() {
  const { dir, cfg, runDir } = await setup();
  await go(cfg);
  return { dir, cfg, runDir, before: await allRows(runDir) };
}

/** The fixture method with a sink stage ("train", no config) that calls `write` on each group. */
function withSink(write: (g: { prompt: string }) => void): Method {
  return {
    ...FIXTURE_METHOD,
    train: () =>
      Promise.resolve({
        name: "train",
        config: {},
        create: () => new WritableStream<{ prompt: string }>({ write }),
      }),
  };
}

async function go(cfg: RunConfig, method = FIXTURE_METHOD, extra: Partial<RunOptions> = {}) {
  const { plan } = await buildPlan(cfg, method);
  return await runPipeline(plan, {
    runDir: join(cfg.runs_dir, cfg.name),
    shardRows: cfg.shard_rows,
    from: cfg.from,
    ...extra,
  });
}

async function allRows(runDir: string) {
  const out: Record<string, unknown[]> = {};
  for (const s of FIXTURE_STAGES) out[s] = await stageRows(runDir, s, FIXTURE_SCHEMAS[s]!);
  return out;
}

const byStage = (r: Awaited<ReturnType<typeof go>>) =>
  Object.fromEntries(r.stages.map((s) => [s.stage, s]));

Deno.test("runPipeline() runs every stage, and a rerun reads the last complete stage only", async () => {
  const { dir, cfg, runDir } = await setup();
  const first = await go(cfg);
  assert.equal(first.status, "done", first.summary);
  assert.equal(first.groupsOut, 30);
  for (const s of first.stages) assert.deepEqual([s.computed, s.complete], [30, true], s.stage);
  const rows = await allRows(runDir);
  assert.equal(rows.generate!.length, 120); // N = 4 samples per prompt
  const second = await go(cfg);
  assert.equal(second.status, "done");
  assert.deepEqual(second.stages.map((s) => s.role), [
    "untouched",
    "untouched",
    "untouched",
    "untouched",
    "read",
  ]);
  assert.equal(second.groupsOut, 30); // the sink got every group, with images hydrated
  assert.deepEqual(await allRows(runDir), rows);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runPipeline() invalidates a stage whose config changed and every stage after it", async () => {
  const { dir, cfg, runDir, before } = await finishedRun();
  const changed: Method = {
    ...FIXTURE_METHOD,
    score: () =>
      Promise.resolve({ ...fixtureScore(), config: { fixture: "score", rewards: REWARDS, v: 2 } }),
  };
  const r = byStage(await go(cfg, changed));
  assert.deepEqual([r.prompts!.role, r.generate!.role], ["untouched", "read"]);
  for (const s of ["score", "calibrate", "select"]) {
    assert.deepEqual([r[s]!.computed, r[s]!.reused], [30, 0]);
  }
  const stale = await listDir(join(runDir, ".stale"));
  assert.deepEqual(stale.map((x) => x.replace(/-[0-9a-f]{12}$/, "")), [
    "calibrate",
    "score",
    "select",
  ]);
  // Same fixture maths, so the recomputed rows equal the old ones; none were mixed in twice.
  assert.deepEqual(await allRows(runDir), before);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runPipeline() --from recomputes only the stages after it, hydrating images", async () => {
  const { dir, cfg, runDir, before } = await finishedRun();
  const r = await go({ ...cfg, from: "score" });
  assert.equal(r.status, "done", r.summary);
  const s = byStage(r);
  assert.deepEqual(
    [s.prompts!.role, s.generate!.role, s.score!.role, s.calibrate!.computed, s.select!.computed],
    ["untouched", "untouched", "read", 30, 30],
  );
  assert.equal(r.groupsOut, 30); // the fixture sink throws without winner/loser images
  assert.deepEqual(await allRows(runDir), before);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runPipeline() --from refuses an unknown, incomplete or corrupted stage, naming it", async () => {
  const { dir, cfg, runDir } = await setup();
  await assert.rejects(go({ ...cfg, from: "score" }), /--from 'score' as its shards are missing/);
  await assert.rejects(
    go({ ...cfg, from: "nope" }),
    /no such stage: stages are prompts, generate, score, calibrate, select/,
  );
  await go(cfg);
  const path = join(runDir, "score", "part-00001.parquet");
  const bytes = await Deno.readFile(path);
  bytes[bytes.length - 30]! ^= 1;
  await Deno.writeFile(path, bytes);
  await assert.rejects(
    go({ ...cfg, from: "score" }),
    new RegExp(`${path} as it failed its checksum`),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runPipeline() redoes the groups of a corrupted shard and gives the same rows", async () => {
  const { dir, cfg, runDir, before } = await finishedRun();
  const path = join(runDir, "generate", "part-00002.parquet");
  const bytes = await Deno.readFile(path);
  bytes[40]! ^= 0xff;
  await Deno.writeFile(path, bytes);
  const r = await go(cfg);
  assert.equal(r.status, "done", r.summary);
  const g = byStage(r).generate!;
  assert.equal(g.quarantined, 1);
  assert.equal(g.computed, 4); // 16 rows per shard / 4 samples per prompt
  assert.match(
    r.summary,
    /generate 30 groups in 8 shards \[4 computed, 26 reused, 1 bad shard\(s\) quarantined and redone\]/,
  );
  const after = await allRows(runDir);
  const sortById = (rows: unknown[]) =>
    [...rows].sort((
      a,
      b,
    ) => ((a as { sample_id: string }).sample_id < (b as { sample_id: string }).sample_id
      ? -1
      : 1)
    );
  // The redone groups land in a new shard at the end: same rows, another order.
  assert.deepEqual(sortById(after.generate!), sortById(before.generate!));
  for (const s of ["prompts", "score", "calibrate", "select"]) {
    assert.deepEqual(after[s], before[s], s);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runPipeline() stops on a stage error, naming the stage and the prompt, and keeps shards", async () => {
  const { dir, cfg } = await setup();
  const failing = fixtureScore("1 red circles number 12");
  const method: Method = { ...FIXTURE_METHOD, score: () => Promise.resolve(failing) };
  const r = await go(cfg, method);
  assert.equal(r.status, "failed");
  const id = promptId("1 red circles number 12");
  assert.equal(
    r.error?.message,
    `stage 'score' failed on prompt '${id}': fixture scorer told to fail here`,
  );
  assert.match(r.summary, /^failed: stage 'score' failed on prompt/);
  // Completed shards are kept: generate ran ahead of the failing scorer.
  const kept = byStage(r).generate!.shardsKept;
  assert.ok(kept >= 2, `generate kept ${kept} shards`);
  assert.ok(byStage(r).score!.shardsKept >= 2); // 12 groups before the failure = 3 shards
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runPipeline() cancelled by its signal keeps completed shards and resumes to the same rows", async () => {
  const clean = await setup();
  await go(clean.cfg);
  const expected = await allRows(clean.runDir);
  const { dir, cfg, runDir } = await setup();
  const abort = new AbortController();
  let seen = 0;
  const method = withSink(() => {
    if (++seen === 12) abort.abort("SIGTERM");
  });
  const r = await go(cfg, method, { signal: abort.signal });
  assert.equal(r.status, "cancelled");
  assert.equal(r.reason, "SIGTERM");
  assert.match(
    r.summary,
    /^cancelled by SIGTERM: completed shards kept, open shards dropped; prompts /,
  );
  assert.ok(r.stages.every((s) => !s.complete));
  assert.ok(byStage(r).generate!.shardsKept >= 2);
  for (const s of FIXTURE_STAGES) {
    assert.deepEqual((await listDir(join(runDir, s))).filter((x) => x.endsWith(".tmp")), []);
  }
  const resumed = await go(cfg);
  assert.equal(resumed.status, "done");
  assert.ok(byStage(resumed).generate!.reused >= 8);
  assert.deepEqual(await allRows(runDir), expected);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(clean.dir, { recursive: true });
});

Deno.test("runPipeline() names the sink and the prompt when the sink throws", async () => {
  const { dir, cfg } = await setup(10);
  const method = withSink((g) => {
    if (g.prompt.endsWith("number 3")) throw new Error("optimiser diverged");
  });
  const r = await go(cfg, method);
  assert.equal(r.status, "failed");
  assert.equal(
    r.error?.message,
    `stage 'train' failed on prompt '${promptId("4 yellow circles number 3")}': optimiser diverged`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runPipeline() with --shard i/n: workers share stage directories and cover each prompt once", async () => {
  const { dir, cfg, runDir } = await setup(30);
  const ids: string[][] = [];
  for (const index of [0, 1]) {
    const worker = { index, count: 2 };
    const r = await go({ ...cfg, shard: worker }, FIXTURE_METHOD, { worker });
    assert.equal(r.status, "done", r.summary);
    const m = await readManifest(join(runDir, "select"), worker);
    ids.push(m!.shards.flatMap((s) => s.prompt_ids));
  }
  assert.ok(ids[0]!.length > 5 && ids[1]!.length > 5, `split ${ids[0]!.length}/${ids[1]!.length}`);
  assert.equal(new Set([...ids[0]!, ...ids[1]!]).size, 30);
  const files = await listDir(join(runDir, "generate"));
  assert.ok(files.includes("manifest.w0of2.json") && files.includes("manifest.w1of2.json"));
  assert.ok(
    files.filter((f) => f.endsWith(".parquet")).every((f) =>
      /^part-w[01]of2-\d{5}\.parquet$/.test(f)
    ),
  );
  await Deno.remove(dir, { recursive: true });
});
