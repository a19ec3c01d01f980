import assert from "node:assert/strict";
import { join } from "node:path";
import { f, type Group, RecordSchema } from "../../schemas/mod.ts";
import { logger } from "../../lib/log.ts";
import { parseManifest } from "../../pipeline/manifest.ts";
import { ParquetReadError } from "../../lib/parquet.ts";
import { StageStore } from "../../pipeline/stage_store.ts";
import { listDir, tempDir } from "./fixtures/util.ts";

const Schema = new RecordSchema("test_row", 1, {
  prompt_id: f("utf8", "group key"),
  prompt: f("utf8", "prompt"),
  v: f("float64", "value"),
});
type Row = { prompt_id: string; prompt: string; v: number };
const id = { name: "s", config: { a: 1 }, configHash: "c", upstreamHash: "u", stageHash: "h" };
const group = (i: number, rows = 2): Group<Row> => ({
  prompt_id: `p${i}`,
  prompt: `prompt ${i}`,
  rows: Array.from(
    { length: rows },
    (_, k) => ({ prompt_id: `p${i}`, prompt: `prompt ${i}`, v: i + k }),
  ),
});
const open = (dir: string) =>
  StageStore.open(dir, id, Schema, { index: 0, count: 1 }, logger("test-store"));

/** A store with three shards of two groups each. */
async function filled(dir: string) {
  const store = await open(dir);
  for (let s = 0; s < 3; s++) await store.writeShard([group(2 * s), group(2 * s + 1)]);
  await store.markComplete();
  return store;
}

Deno.test("StageStore.load() returns the stored group, and an empty group keeps its prompt", async () => {
  const dir = await tempDir();
  const store = await open(dir);
  await store.writeShard([group(0), group(1, 0)]);
  const again = await open(dir);
  assert.deepEqual(await again.load("p0"), group(0));
  assert.deepEqual(await again.load("p1"), group(1, 0));
  assert.deepEqual(await Array.fromAsync(again.groups()), [group(0), group(1, 0)]);
  await assert.rejects(again.load("p9"), /prompt 'p9' from stage 's': not stored/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("StageStore.writeShard() refuses a prompt twice and a row of another prompt", async () => {
  const dir = await tempDir();
  const store = await open(dir);
  await store.writeShard([group(0)]);
  await assert.rejects(store.writeShard([group(0)]), /prompt 'p0' to stage 's' twice/);
  const mixed = { ...group(1), rows: [group(2).rows[0]!] };
  await assert.rejects(store.writeShard([mixed]), /prompt_id 'p2' in the group of prompt 'p1'/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("StageStore.verify() quarantines a corrupted shard and forgets its groups", async () => {
  const dir = await tempDir();
  await filled(dir);
  const path = join(dir, "s", "part-00001.parquet");
  const bytes = await Deno.readFile(path);
  bytes[10]! ^= 0x55;
  await Deno.writeFile(path, bytes);
  const store = await open(dir);
  await store.verify();
  assert.equal(store.quarantined, 1);
  assert.equal(store.complete, false);
  assert.deepEqual(["p0", "p1", "p2", "p3", "p4", "p5"].map((p) => store.has(p)), [
    true,
    true,
    false,
    false,
    true,
    true,
  ]);
  assert.deepEqual(await listDir(join(dir, "s")), [
    "manifest.json",
    "part-00000.parquet",
    "part-00002.parquet",
  ]);
  const [moved] = await listDir(join(dir, ".stale", "s-quarantine"));
  assert.match(moved!, /part-00001\.parquet$/);
  // The next shard never reuses the quarantined name.
  const entry = await store.writeShard([group(2), group(3)]);
  assert.equal(entry.file, "part-00003.parquet");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("StageStore.verify() drops a truncated or missing shard", async () => {
  const dir = await tempDir();
  await filled(dir);
  const path = join(dir, "s", "part-00000.parquet");
  await Deno.writeFile(path, (await Deno.readFile(path)).slice(0, 50));
  await Deno.remove(join(dir, "s", "part-00002.parquet"));
  const store = await open(dir);
  await store.verify();
  assert.equal(store.quarantined, 2);
  assert.deepEqual(store.manifest.shards.map((s) => s.file), ["part-00001.parquet"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("StageStore.verify({strict}) throws naming the bad file", async () => {
  const dir = await tempDir();
  await filled(dir);
  const path = join(dir, "s", "part-00002.parquet");
  await Deno.writeFile(path, (await Deno.readFile(path)).slice(0, 50));
  const store = await open(dir);
  await assert.rejects(store.verify({ strict: true }), (err: Error) => {
    assert.ok(err instanceof ParquetReadError);
    assert.equal(err.path, path);
    assert.match(err.message, /has 50 bytes, the manifest says \d+ \(truncated\?\)/);
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("StageStore.open() removes temp files and shards the manifest does not list", async () => {
  const dir = await tempDir();
  await filled(dir);
  const stage = join(dir, "s");
  // A crash after renaming a shard but before rewriting the manifest, and one mid-write.
  await Deno.copyFile(join(stage, "part-00000.parquet"), join(stage, "part-00003.parquet"));
  await Deno.writeTextFile(join(stage, ".part-00004.parquet.123-1.tmp"), "partial");
  await Deno.writeTextFile(join(stage, "notes.txt"), "not ours"); // other files stay
  await open(dir);
  assert.deepEqual(await listDir(stage), [
    "manifest.json",
    "notes.txt",
    "part-00000.parquet",
    "part-00001.parquet",
    "part-00002.parquet",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("StageStore.open() refuses a manifest of another stage hash", async () => {
  const dir = await tempDir();
  await filled(dir);
  await assert.rejects(
    StageStore.open(
      dir,
      { ...id, stageHash: "other" },
      Schema,
      { index: 0, count: 1 },
      logger("t"),
    ),
    /manifest has hash h but the run expects other/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("parseManifest() names the file and the bad field", () => {
  assert.throws(() => parseManifest("{", "m.json"), /manifest m\.json as it is not valid JSON/);
  assert.throws(() => parseManifest('{"format": 2}', "m.json"), /'format' must be 1/);
  const good = {
    format: 1,
    stage: "s",
    schema: { name: "x", version: 1, columns: ["prompt_id"] },
    config: {},
    config_hash: "c",
    upstream_hash: null,
    stage_hash: "h",
    worker: { index: 0, count: 1 },
    shards: [{
      file: "part-00000.parquet",
      rows: 3,
      groups: 2,
      prompt_ids: ["a", "b"],
      group_rows: [1, 2],
      empty_prompts: {},
      bytes: 10,
      sha256: "00",
    }],
    next_shard: 1,
    rows: 3,
    groups: 2,
    complete: false,
    created: "t",
    updated: "t",
    capo_version: "0",
  };
  assert.equal(parseManifest(JSON.stringify(good), "m.json").shards[0]!.rows, 3);
  const bad = structuredClone(good);
  bad.shards[0]!.rows = 4;
  assert.throws(
    () => parseManifest(JSON.stringify(bad), "m.json"),
    /'shards\[0\]\.rows' must be the sum of group_rows \(3\)/,
  );
  const escape = structuredClone(good);
  escape.shards[0]!.file = "../x.parquet";
  assert.throws(
    () => parseManifest(JSON.stringify(escape), "m.json"),
    /'shards\[0\]\.file' must be a plain file name/,
  );
});
