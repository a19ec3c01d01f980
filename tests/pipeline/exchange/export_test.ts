import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { DuckDBInstance } from "@duckdb/node-api";
import { exportStage } from "../../../pipeline/exchange/export_stage.ts";
import { readParquetFile } from "../../../lib/parquet.ts";
import { type Pair, type Sample, SampleSchema } from "../../../schemas/mod.ts";
import { decodePng } from "../../../lib/png.ts";
import { tempDir, tempRun } from "../fixtures/util.ts";
import { fixtureRun, sortedRows } from "../scale/fixtures/runs.ts";
import { importedRunWithPairs } from "./fixtures/images.ts";
import { acquireRunLock } from "../../../pipeline/run_lock.ts";
import { commandRuns } from "../fixtures/apt.ts";
import { copyDir } from "../scale/fixtures/runs.ts";

const CAPO = new URL("../../../cli/capo.ts", import.meta.url).pathname;

/** One imported run with pairs, shared by the tests of this file. */
let shared: Promise<{ dir: string; runDir: string }> | null = null;
function run() {
  shared ??= (async () => {
    const dir = await tempDir();
    const { runDir } = await importedRunWithPairs(dir, 8, 4);
    return { dir, runDir };
  })();
  return shared;
}

async function capoExport(...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write=/tmp", "--allow-env", CAPO, "export", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, stdout, err: new TextDecoder().decode(stderr) };
}

/** `capo export --run RUN --stage STAGE --format FORMAT --out OUT`. */
const exportTo = (run: string, stage: string, format: string, out: string) =>
  capoExport("--run", run, "--stage", stage, "--format", format, "--out", out);

Deno.test("capo export writes a stage to stdout as an Arrow IPC stream with its rows and Hugging Face Image features", async () => {
  const { runDir } = await run();
  const r = await capoExport("--run", runDir, "--stage", "generate");
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /exported 32 rows of stage 'generate' \(\d+ shards\) as arrow/);
  const table = arrow.tableFromIPC(r.stdout);
  assert.deepEqual(table.schema.fields.map((f) => f.name), SampleSchema.columns);
  const rows = SampleSchema.fromTable(table, "stdout");
  const stored = await sortedRows(runDir, "generate") as Sample[];
  const byId = (a: Sample, b: Sample) => (a.sample_id < b.sample_id ? -1 : 1);
  assert.deepEqual(rows.sort(byId), stored.sort(byId));
  const hf = JSON.parse(table.schema.metadata.get("huggingface")!);
  assert.deepEqual(hf.info.features.image, { _type: "Image" });
  assert.deepEqual(hf.info.features.seed, { _type: "Value", dtype: "int64" });
  assert.deepEqual(hf.info.features.prompt, { _type: "Value", dtype: "string" });
});

Deno.test("DuckDB reads the Parquet and JSONL exports with every row, and the README's one-line query runs", async () => {
  const { dir, runDir } = await run();
  const pq = join(dir, "calibrate.parquet");
  const jsonl = join(dir, "calibrate.jsonl");
  const samplesJsonl = join(dir, "samples.jsonl");
  const pairs = join(dir, "pairs.parquet");
  const r1 = await exportStage({ runDir, stage: "calibrate", format: "parquet" }, pq);
  const r2 = await exportStage({ runDir, stage: "calibrate", format: "jsonl" }, jsonl);
  const r3 = await exportStage({ runDir, stage: "generate", format: "jsonl" }, samplesJsonl);
  await exportStage({ runDir, stage: "select", format: "parquet" }, pairs);
  assert.deepEqual([r1.rows, r2.rows, r3.rows], [32, 32, 32]);
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const one = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjects()[0]!;
  for (const path of [pq, jsonl]) {
    assert.deepEqual(
      await one(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT prompt_id)::INTEGER AS p, ` +
          `round(avg(rca_bright), 6)::DOUBLE AS mean FROM '${path}'`,
      ),
      // per prompt the mean calibrated reward is exactly 1/2 (docs/method.md §3.2)
      { n: 32, p: 8, mean: 0.5 },
    );
  }
  const kv = await one(
    `SELECT decode(value) AS v FROM parquet_kv_metadata('${pq}') WHERE decode(key) = 'huggingface'`,
  );
  assert.match(String(kv.v), /"rca_bright":\{"_type":"Value","dtype":"float64"\}/);
  // JSONL images are base64 in {bytes, path}; they decode to the stored PNG bytes.
  const line = JSON.parse((await Deno.readTextFile(samplesJsonl)).split("\n")[0]!);
  const stored = (await sortedRows(runDir, "generate") as Sample[])
    .find((s) => s.sample_id === line.sample_id)!;
  assert.deepEqual(new Uint8Array(Buffer.from(line.image.bytes, "base64")), stored.image.bytes);
  // The README's one-liner (docs/exchange.md), verbatim apart from the path, on the shards and
  // on the export.
  const want = await sortedRows(runDir, "select") as Pair[];
  const mean = Math.round(want.reduce((a, p) => a + p.delta, 0) / want.length * 1000) / 1000;
  for (const from of [`read_parquet('${runDir}/select/*.parquet')`, `'${pairs}'`]) {
    const readme = await con.runAndReadAll(
      `SELECT method, count(*) AS pairs, round(avg(delta), 3) AS mean_delta FROM ${from} GROUP BY method`,
    );
    assert.deepEqual(
      readme.getRowObjects().map((r) => [r.method, Number(r.pairs), Number(r.mean_delta)]),
      [["frs", want.length, mean]],
    );
  }
  con.closeSync();
});

Deno.test("a diffusers-layout export round-trips: captions, winner and loser images and labels match the Pair and Sample shards", async () => {
  const { dir, runDir } = await run();
  const out = join(dir, "dpo", "train-00000-of-00001.parquet");
  await Deno.mkdir(join(dir, "dpo"));
  const r = await capoExport(
    "--run",
    runDir,
    "--stage",
    "select",
    "--layout",
    "diffusers",
    "--format",
    "parquet",
    "--out",
    out,
  );
  assert.equal(r.code, 0, r.err);
  const table = await readParquetFile(out);
  assert.deepEqual(
    table.schema.fields.map((f) => `${f.name}:${f.type}`),
    [
      "caption:Utf8",
      "jpg_0:Binary",
      "jpg_1:Binary",
      "label_0:Float64",
      "delta:Float64",
      "pair_id:Utf8",
      "prompt_id:Utf8",
      "method:Utf8",
    ],
  );
  const pairs = await sortedRows(runDir, "select") as Pair[];
  const samples = new Map(
    (await sortedRows(runDir, "generate") as Sample[]).map((s) => [s.sample_id, s]),
  );
  assert.ok(pairs.length >= 4, `${pairs.length} pairs`);
  assert.equal(table.numRows, pairs.length);
  const got = table.toArray().map((row) => row.toJSON());
  for (const p of pairs) {
    const row = got.find((g) => g.pair_id === p.pair_id)!;
    assert.equal(row.caption, p.prompt);
    assert.deepEqual(row.jpg_0, samples.get(p.winner_id)!.image.bytes);
    assert.deepEqual(row.jpg_1, samples.get(p.loser_id)!.image.bytes);
    assert.equal(row.label_0, 1);
    assert.equal(row.delta, p.delta);
    assert.ok(p.delta > 0);
    assert.equal(decodePng(row.jpg_0).width, 32); // readable images (PIL opens PNG bytes too)
  }
});

Deno.test("capo export creates a missing --out folder and names one it cannot create, in one line", async () => {
  const { dir, runDir } = await run();
  const nested = join(dir, "new", "deeper", "pairs.jsonl");
  const ok = await exportTo(runDir, "select", "jsonl", nested);
  assert.equal(ok.code, 0, ok.err);
  assert.ok((await Deno.stat(nested)).size > 0);
  await Deno.writeTextFile(join(dir, "a-file"), "not a folder");
  const out = join(dir, "a-file", "sub", "pairs.parquet");
  const bad = await exportTo(runDir, "select", "parquet", out);
  assert.equal(bad.code, 1);
  assert.match(
    bad.err,
    new RegExp(`^capo export: Cannot create the folder ${dir}/a-file/sub for --out ${out}: `),
  );
  assert.equal(bad.err.trim().split("\n").length, 1, bad.err);
  const folder = await exportTo(runDir, "select", "jsonl", join(dir, "new"));
  assert.equal(folder.code, 1);
  assert.match(folder.err, /as it is a folder: give a file path/);
});

Deno.test("capo export refuses a stage that a live run is still writing, naming the run, and exports finished stages meanwhile", async () => {
  const { dir, runDir } = await run();
  const copy = join(dir, "live");
  await copyDir(runDir, copy);
  const manifest = join(copy, "calibrate", "manifest.json");
  const m = JSON.parse(await Deno.readTextFile(manifest));
  await Deno.writeTextFile(manifest, JSON.stringify({ ...m, complete: false }));
  const live =
    /as a live run is still writing it: capo run \(PID \d+ on host [^,]+, started [^)]+\)\. Export it once that run has finished/;
  const lock = await acquireRunLock(copy);
  try {
    await assert.rejects(
      exportStage({ runDir: copy, stage: "calibrate", format: "arrow" }, () => Promise.resolve()),
      live,
    );
    // The same from another process, and for a stage the run has not reached yet.
    const r = await exportTo(copy, "calibrate", "jsonl", join(dir, "c.jsonl"));
    assert.equal(r.code, 1);
    assert.match(r.err, live);
    await Deno.remove(join(copy, "select"), { recursive: true });
    await assert.rejects(
      exportStage({ runDir: copy, stage: "select", format: "arrow" }, () => Promise.resolve()),
      live,
    );
    assert.ok(!(await Deno.stat(join(dir, "c.jsonl")).catch(() => null)), "nothing written");
    // A finished stage of the live run is exported: it no longer changes.
    const done = await exportStage(
      { runDir: copy, stage: "score", format: "jsonl" },
      join(dir, "s.jsonl"),
    );
    assert.equal(done.rows, 32);
  } finally {
    await lock.release();
  }
  // The run has stopped: the stage is only incomplete.
  await assert.rejects(
    exportStage({ runDir: copy, stage: "calibrate", format: "arrow" }, () => Promise.resolve()),
    /stage 'calibrate' of .* as it is incomplete/,
  );
  // Work shards name theirs.
  const shard = await acquireRunLock(copy, { worker: { index: 1, count: 2 } });
  try {
    await assert.rejects(
      exportStage({ runDir: copy, stage: "calibrate", format: "arrow" }, () => Promise.resolve()),
      /still writing it: capo run for work shard w1of2 \(PID \d+/,
    );
  } finally {
    await shard.release();
  }
});

Deno.test({
  name: "capo export refuses to write binary Arrow to a terminal",
  ignore: !(await commandRuns("script", ["--version"])),
  async fn() {
    const { runDir } = await run();
    // script(1) runs the export with a pseudo-terminal as its stdout.
    const cmd = [
      Deno.execPath(),
      "run",
      "--allow-read",
      "--allow-env",
      CAPO,
      "export",
      "--run",
      runDir,
      "--stage",
      "select",
    ]
      .map((a) => `'${a}'`).join(" ");
    const r = await new Deno.Command("script", {
      args: ["-qec", cmd, "/dev/null"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 2, text);
    assert.match(
      text,
      /Cannot write binary Arrow to a terminal: pipe it into a program or pass --out PATH/,
    );
  },
});

Deno.test("capo export refuses an unmerged sharded stage, the diffusers layout on non-pairs, and Parquet without --out", async () => {
  const { runDir } = await run();
  const { dir, promptsPath } = await tempRun(10);
  await fixtureRun(dir, promptsPath, "--shard", "0/2");
  await fixtureRun(dir, promptsPath, "--shard", "1/2");
  await assert.rejects(
    exportStage(
      { runDir: join(dir, "default"), stage: "score", format: "arrow" },
      () => Promise.resolve(),
    ),
    /stage 'score' .* was run in shards \(2 workers\) and not merged: run capo merge --run/,
  );
  await assert.rejects(
    exportStage(
      { runDir, stage: "calibrate", format: "parquet", layout: "diffusers" },
      join(dir, "x.parquet"),
    ),
    /in the diffusers layout as it holds 'calibrated' records: the layout is for a Pair stage/,
  );
  await assert.rejects(
    exportStage({ runDir, stage: "nope", format: "arrow" }, () => Promise.resolve()),
    /no such stage: stages are calibrate, generate, prompts, score, select/,
  );
  const r = await capoExport("--run", runDir, "--stage", "select", "--format", "parquet");
  assert.equal(r.code, 2);
  assert.match(r.err, /Cannot export parquet without --out PATH/);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove((await run()).dir, { recursive: true });
});
