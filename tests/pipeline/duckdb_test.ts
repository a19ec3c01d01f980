import assert from "node:assert/strict";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { readManifest } from "../../pipeline/stage_store.ts";
import { main } from "../../cli/run.ts";
import { FIXTURE_METHOD, FIXTURE_SCHEMAS } from "./fixtures/stages.ts";
import { tempRun } from "./fixtures/util.ts";

Deno.test("DuckDB reads every stage's Parquet shards with the schema's columns and the manifest's row counts", async () => {
  const { dir, promptsPath } = await tempRun(30);
  assert.equal(
    await main(["--runs-dir", dir, "--prompts", promptsPath, "--shard-rows", "16"], FIXTURE_METHOD),
    0,
  );
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  for (const [stage, schema] of Object.entries(FIXTURE_SCHEMAS)) {
    const glob = join(dir, "default", stage, "*.parquet");
    const m = (await readManifest(join(dir, "default", stage), { index: 0, count: 1 }))!;
    assert.ok(m.shards.length > 1, `${stage} has several shards`);
    const count = await con.runAndReadAll(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${glob}')`,
    );
    assert.equal(count.getRowObjects()[0]!.n, m.rows, stage);
    const cols = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${glob}')`);
    assert.deepEqual(cols.getRowObjects().map((r) => r.column_name), schema.columns, stage);
    const codecs = await con.runAndReadAll(
      `SELECT DISTINCT compression FROM parquet_metadata('${glob}')`,
    );
    assert.deepEqual(codecs.getRowObjects().map((r) => r.compression), ["ZSTD"], stage);
    const groups = await con.runAndReadAll(
      `SELECT count(DISTINCT prompt_id)::INTEGER AS g FROM read_parquet('${glob}')`,
    );
    const nonEmpty = m.shards.flatMap((s) => s.group_rows).filter((r) => r > 0).length;
    assert.equal(groups.getRowObjects()[0]!.g, nonEmpty, stage);
  }
  // The Sample image column is Hugging Face's Image layout, readable as a struct.
  const img = await con.runAndReadAll(
    `SELECT min(octet_length(image.bytes))::INTEGER AS lo, max(octet_length(image.bytes))::INTEGER AS hi ` +
      `FROM read_parquet('${join(dir, "default", "generate", "*.parquet")}')`,
  );
  assert.deepEqual(img.getRowObjects()[0], { lo: 8, hi: 8 });
  con.closeSync();
  await Deno.remove(dir, { recursive: true });
});
