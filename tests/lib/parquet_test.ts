import assert from "node:assert/strict";
import { join } from "node:path";
import {
  calibratedSchema,
  pairSchema,
  PromptSchema,
  SampleSchema,
  SchemaMismatchError,
  scoredSchema,
} from "../../schemas/mod.ts";
import {
  encodeParquet,
  ParquetReadError,
  readParquetFile,
  writeParquetFile,
} from "../../lib/parquet.ts";
import type { RowCodec } from "../../schemas/stage_spec.ts";
import { sha256Hex } from "../../lib/hash.ts";
import { listDir, tempDir } from "../pipeline/fixtures/util.ts";

const rewards = ["aesthetic", "align"];
const base = (i: number) => ({
  prompt_id: `p${i % 2}`,
  prompt: i % 2 ? "a red circle" : "deux carrés verts ✓",
  sample_index: i,
  seed: 2 ** 52 + i, // int64 beyond 32 bits, still a safe integer
});

const CASES: [string, RowCodec<unknown>, Record<string, unknown>[]][] = [
  [
    "prompt",
    PromptSchema,
    [0, 1, 2].map((i) => ({
      prompt_id: `p${i}`,
      prompt: i ? `prompt ${i}` : "",
      split: i % 2 ? "eval" : "train",
      source_index: 2 ** 40 + i,
    })),
  ],
  [
    "sample",
    SampleSchema,
    [0, 1, 2].map((i) => ({
      ...base(i),
      sample_id: `p${i % 2}:${i}`,
      image: { bytes: new Uint8Array([137, 80, 78, 71, i, 0, 255]), path: i ? null : "x.png" },
      model_id: "base@abc",
      sampler: "ddim",
      steps: 20,
      guidance: 4.5, // exact in float32
    })),
  ],
  [
    "scored",
    scoredSchema(rewards),
    [0, 1].map((i) => ({
      ...base(i),
      sample_id: `s${i}`,
      reward_aesthetic: 0.1 * i - 1e-300,
      reward_align: -3.25,
    })),
  ],
  [
    "calibrated",
    calibratedSchema(rewards),
    [0, 1].map((i) => ({
      ...base(i),
      sample_id: `s${i}`,
      reward_aesthetic: i,
      reward_align: 1 - i,
      rca_aesthetic: 1 / 3,
      rca_align: 2 ** -36,
    })),
  ],
  [
    "pair",
    pairSchema(rewards),
    [0, 1].map((i) => ({
      pair_id: `p:${i}`,
      prompt_id: "p",
      prompt: "two blue squares",
      pair_index: i,
      winner_id: "p:3",
      loser_id: "p:1",
      winner_index: 3,
      loser_index: 1,
      target_winner: 0.75,
      target_loser: 0.25,
      delta: 0.5,
      method: "frs",
      rca_winner_aesthetic: 0.8,
      rca_loser_aesthetic: 0.2,
      rca_winner_align: 0.7,
      rca_loser_align: 0.3,
    })),
  ],
];

for (const [name, schema, rows] of CASES) {
  Deno.test(`writeParquetFile() then readParquetFile() round-trips ${name} records exactly`, async () => {
    const dir = await tempDir();
    const path = join(dir, `${name}.parquet`);
    const written = await writeParquetFile(path, schema.toTable(rows));
    const bytes = await Deno.readFile(path);
    assert.equal(written.bytes, bytes.length);
    assert.equal(written.sha256, sha256Hex(bytes));
    const table = await readParquetFile(path, written.sha256);
    assert.equal(table.schema.metadata.get("capo.schema"), name);
    assert.deepEqual(schema.fromTable(table, path), rows);
    assert.deepEqual(await listDir(dir), [`${name}.parquet`]); // no temp file left
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("readParquetFile() names the file when it is truncated", async () => {
  const dir = await tempDir();
  const path = join(dir, "cut.parquet");
  const bytes = await encodeParquet(PromptSchema.toTable(CASES[0]![2] as never));
  await Deno.writeFile(path, bytes.slice(0, bytes.length - 20));
  await assert.rejects(readParquetFile(path), (err: Error) => {
    assert.ok(err instanceof ParquetReadError);
    assert.match(err.message, /cut\.parquet/);
    assert.match(err.message, /not valid Parquet/);
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readParquetFile() names the file when its bytes do not match the expected sha256", async () => {
  const dir = await tempDir();
  const path = join(dir, "flip.parquet");
  const { sha256 } = await writeParquetFile(path, PromptSchema.toTable(CASES[0]![2] as never));
  const bytes = await Deno.readFile(path);
  bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
  await Deno.writeFile(path, bytes);
  await assert.rejects(
    readParquetFile(path, sha256),
    /flip\.parquet as its sha256 .* does not match/,
  );
  await assert.rejects(
    readParquetFile(join(dir, "nope.parquet")),
    /nope\.parquet as it does not exist/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("fromTable() rejects a shard of another record type, naming the file", async () => {
  const dir = await tempDir();
  const path = join(dir, "prompts.parquet");
  await writeParquetFile(path, PromptSchema.toTable(CASES[0]![2] as never));
  const table = await readParquetFile(path);
  assert.throws(
    () => SampleSchema.fromTable(table, path),
    (err: Error) => err instanceof SchemaMismatchError && err.message.includes(path),
  );
  await Deno.remove(dir, { recursive: true });
});
