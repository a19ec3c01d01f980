import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { pairSchema, PromptSchema, SampleSchema, scoredSchema } from "../../schemas/mod.ts";

const scored = scoredSchema(["aesthetic", "alignment"]);
const row = {
  sample_id: "p:0",
  prompt_id: "p",
  prompt: "a red circle",
  sample_index: 0,
  seed: 2 ** 40 + 3,
  reward_aesthetic: 0.25,
  reward_alignment: -1.5,
};

Deno.test("RecordSchema round-trips rows through an Arrow table, column for column", () => {
  const rows = [row, { ...row, sample_id: "p:1", sample_index: 1, prompt: "ünïcödé ✓ 丸" }];
  const back = scored.fromTable(scored.toTable(rows));
  assert.deepEqual(back, rows);
});

Deno.test("RecordSchema.toTable() names the row and column of a bad value", () => {
  assert.throws(
    () => scored.toTable([row, { ...row, sample_index: 1.5 }]),
    /scored row 1 column 'sample_index' as it must be a 32-bit integer: current value is 1.5/,
  );
  assert.throws(
    () => scored.toTable([{ ...row, seed: 2 ** 60 }]),
    /column 'seed' as it must be a safe integer/,
  );
  assert.throws(
    () => scored.toTable([{ ...row, reward_alignment: undefined } as never]),
    /column 'reward_alignment' as it is not nullable/,
  );
  assert.throws(
    () => SampleSchema.toTable([{ image: { bytes: "png" } } as never]),
    /column 'sample_id'/,
  );
});

Deno.test("RecordSchema.fromTable() decodes dictionary-encoded strings as Parquet readers give them", () => {
  const dict = arrow.vectorFromArray(
    ["b", "a", "b"],
    new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
  );
  const table = new arrow.Table({
    prompt_id: dict,
    prompt: arrow.vectorFromArray(["x", "y", "z"], new arrow.Utf8()),
    split: arrow.vectorFromArray(["train", "eval", "train"], new arrow.Utf8()),
    source_index: arrow.vectorFromArray([0n, 1n, 2n], new arrow.Int64()),
  });
  const rows = PromptSchema.fromTable(table);
  assert.deepEqual(rows.map((r) => r.prompt_id), ["b", "a", "b"]);
  assert.deepEqual(rows.map((r) => r.source_index), [0, 1, 2]);
});

Deno.test("RecordSchema.check() rejects a table of another schema or version, naming the source", () => {
  const t = scored.toTable([row]);
  assert.throws(
    () => PromptSchema.fromTable(t, "x.parquet"),
    /x\.parquet: holds 'scored' records, expected 'prompt'/,
  );
  const pairs = pairSchema(["aesthetic"]);
  assert.throws(() => pairs.fromTable(t, "y.parquet"), /y\.parquet/);
});

Deno.test("scoredSchema() rejects reward names that are not lowercase identifiers or repeat", () => {
  assert.throws(() => scoredSchema(["Aesthetic"]), /reward name 'Aesthetic'/);
  assert.throws(() => scoredSchema(["a", "a"]), /reward name 'a' twice/);
  assert.throws(() => scoredSchema([]), /at least one reward/);
});
