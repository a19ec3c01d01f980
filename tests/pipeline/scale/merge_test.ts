import assert from "node:assert/strict";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { main as merge } from "../../../cli/merge.ts";
import { exportStage } from "../../../pipeline/exchange/export_stage.ts";
import { main as run } from "../../../cli/run.ts";
import { type Manifest, parseManifest } from "../../../pipeline/manifest.ts";
import { readManifest } from "../../../pipeline/stage_store.ts";
import { mergeRun } from "../../../pipeline/scale/merge.ts";
import { FIXTURE_METHOD, FIXTURE_STAGES } from "../fixtures/stages.ts";
import { listDir, tempRun } from "../fixtures/util.ts";
import { copyDir, fixtureRun, sortedRows } from "./fixtures/runs.ts";

const PROMPTS = 30;

/** A run dir with the fixture method run as 3 workers, and the same run on one worker. */
async function shardedAndSingle() {
  const { dir, promptsPath } = await tempRun(PROMPTS);
  const sharded = join(dir, "sharded");
  const single = join(dir, "single");
  for (let i = 0; i < 3; i++) await fixtureRun(sharded, promptsPath, "--shard", `${i}/3`);
  await fixtureRun(single, promptsPath);
  return { dir, promptsPath, runDir: join(sharded, "default"), singleDir: join(single, "default") };
}

async function editManifest(path: string, edit: (m: Manifest) => void) {
  const m = parseManifest(await Deno.readTextFile(path), path);
  edit(m);
  await Deno.writeTextFile(path, JSON.stringify(m));
}

Deno.test("capo merge joins three --shard workers into exactly the rows of a one-worker run, and a later run continues from them", async () => {
  const { dir, promptsPath, runDir, singleDir } = await shardedAndSingle();
  assert.equal(await merge(["--run", runDir]), 0);
  for (const stage of FIXTURE_STAGES) {
    const m = (await readManifest(join(runDir, stage), { index: 0, count: 1 }))!;
    assert.equal(m.complete, true, stage);
    assert.equal(m.groups, PROMPTS, stage);
    assert.ok(m.shards.some((s) => s.file.startsWith("part-w2of3-")), stage);
    assert.deepEqual(await sortedRows(runDir, stage), await sortedRows(singleDir, stage), stage);
  }
  // DuckDB reads the workers' shards as one table: all prompts, none twice.
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const r = await con.runAndReadAll(
    `SELECT count(*)::INTEGER AS n, count(DISTINCT prompt_id)::INTEGER AS p, ` +
      `count(DISTINCT sample_id)::INTEGER AS s FROM read_parquet('${runDir}/generate/*.parquet')`,
  );
  const m = (await readManifest(join(runDir, "generate"), { index: 0, count: 1 }))!;
  assert.deepEqual(r.getRowObjects()[0], { n: m.rows, p: PROMPTS, s: m.rows });
  con.closeSync();
  // capo export reads a merged stage like a one-worker one.
  const exported = await exportStage(
    { runDir, stage: "calibrate", format: "jsonl", images: "omit" },
    join(dir, "calibrate.jsonl"),
  );
  const calibrate = (await readManifest(join(runDir, "calibrate"), { index: 0, count: 1 }))!;
  assert.equal(exported.rows, calibrate.rows);
  // A one-worker run reads the merged stages instead of recomputing them.
  const before = await Promise.all(FIXTURE_STAGES.map((s) => listDir(join(runDir, s))));
  assert.equal(
    await run(
      ["--runs-dir", join(dir, "sharded"), "--prompts", promptsPath, "--shard-rows", "8"],
      FIXTURE_METHOD,
    ),
    0,
  );
  const after = await Promise.all(FIXTURE_STAGES.map((s) => listDir(join(runDir, s))));
  assert.deepEqual(after, before);
  // Merging again replaces the previous merge with the same result.
  const again = await mergeRun(runDir);
  assert.ok(again.every((x) => x.replaces));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("capo merge refuses missing, incomplete, inconsistent, overlapping or corrupt workers, naming them, and writes nothing", async (t) => {
  const { dir, runDir } = await shardedAndSingle();
  let n = 0;
  const refuses = async (
    name: string,
    damage: (copy: string) => Promise<void>,
    message: RegExp,
  ) => {
    await t.step(name, async () => {
      const copy = join(dir, `case-${n++}`);
      await copyDir(runDir, copy);
      await damage(copy);
      await assert.rejects(mergeRun(copy), message);
      for (const s of FIXTURE_STAGES) {
        assert.ok(!(await listDir(join(copy, s))).includes("manifest.json"), `${s} was written`);
      }
      assert.equal(await merge(["--run", copy]), 1);
    });
  };
  await refuses(
    "a worker that never ran",
    (c) => Deno.remove(join(c, "score", "manifest.w2of3.json")),
    /stage 'score' .* worker 2\/3 has no manifest .*manifest\.w2of3\.json.*--shard 2\/3/,
  );
  await refuses(
    "a worker still running",
    (c) => editManifest(join(c, "calibrate", "manifest.w1of3.json"), (m) => m.complete = false),
    /stage 'calibrate' .* worker 1\/3 is incomplete/,
  );
  await refuses(
    "a worker with another config",
    (c) =>
      editManifest(
        join(c, "generate", "manifest.w2of3.json"),
        (m) => m.config_hash = "f".repeat(64),
      ),
    /stage 'generate' .* worker 2\/3 has config_hash f{64} but worker 0\/3 has [0-9a-f]{64}/,
  );
  await refuses(
    "two workers with the same prompt",
    async (c) => {
      const w0 = (await readManifest(join(c, "select"), { index: 0, count: 3 }))!;
      const stolen = w0.shards[0]!.prompt_ids[0]!;
      await editManifest(
        join(c, "select", "manifest.w1of3.json"),
        (m) => m.shards[0]!.prompt_ids[0] = stolen,
      );
    },
    /prompt '[0-9a-f]{16}' is in the shards of worker 0\/3 and of worker 1\/3 \(part-w1of3-00000\.parquet\)/,
  );
  await refuses(
    "a corrupt shard file",
    async (c) => {
      const path = join(c, "score", "part-w0of3-00000.parquet");
      const bytes = await Deno.readFile(path);
      bytes[100] = bytes[100]! ^ 0xff;
      await Deno.writeFile(path, bytes);
    },
    /shard .*part-w0of3-00000\.parquet of worker 0\/3 failed its checksum/,
  );
  await refuses(
    "a stray Parquet file",
    (c) => Deno.writeFile(join(c, "prompts", "part-w0of3-00099.parquet"), new Uint8Array(4)),
    /stage 'prompts' .* 1 Parquet file\(s\) in it are listed by no worker manifest \(part-w0of3-00099/,
  );
  await refuses(
    "a stage whose prompts differ from its upstream stage's",
    (c) =>
      editManifest(
        join(c, "score", "manifest.w1of3.json"),
        (m) => m.shards[0]!.prompt_ids[0] = "0000000000000000",
      ),
    /stage 'score' as it holds 30 prompts and its upstream stage 'generate' 30: missing [0-9a-f]{16}; not upstream 0000000000000000/,
  );
  await Deno.remove(dir, { recursive: true });
});
