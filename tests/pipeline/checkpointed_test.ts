import assert from "node:assert/strict";
import { join } from "node:path";
import { f, type Group, RecordSchema } from "../../schemas/mod.ts";
import { Checkpointed } from "../../pipeline/checkpointed.ts";
import type { FlowGroup } from "../../schemas/flow.ts";
import { logger } from "../../lib/log.ts";
import { StageError } from "../../pipeline/stage_error.ts";
import { StageStore } from "../../pipeline/stage_store.ts";
import { listDir, tempDir } from "./fixtures/util.ts";

// A tiny record type for these tests: two rows per prompt.
const RowSchema = new RecordSchema("test_row", 1, {
  prompt_id: f("utf8", "group key"),
  prompt: f("utf8", "prompt"),
  k: f("int32", "row index in the group"),
  v: f("float64", "value"),
});
type Row = { prompt_id: string; prompt: string; k: number; v: number };
type In = { prompt_id: string; prompt: string; x: number };

const input = (n: number): FlowGroup<In>[] =>
  Array.from({ length: n }, (_, i) => ({
    prompt_id: `p${i}`,
    prompt: `prompt ${i}`,
    rows: [{ prompt_id: `p${i}`, prompt: `prompt ${i}`, x: i }],
  }));

/** Two rows per group; records which prompts it computed. */
class Doubler extends TransformStream<Group<In>, Group<Row>> {
  constructor(seen: string[] = [], failOn?: string) {
    super({
      transform(g, c) {
        if (g.prompt_id === failOn) throw new Error("boom");
        seen.push(g.prompt_id);
        const x = g.rows[0]!.x;
        c.enqueue({
          prompt_id: g.prompt_id,
          prompt: g.prompt,
          rows: [0, 1].map((k) => ({ prompt_id: g.prompt_id, prompt: g.prompt, k, v: x + k / 2 })),
        });
      },
    });
  }
}

let n = 0;
async function openStore(dir: string): Promise<StageStore<Row>> {
  return await StageStore.open(
    dir,
    { name: "double", config: {}, configHash: "c", upstreamHash: null, stageHash: "h" },
    RowSchema,
    { index: 0, count: 1 },
    logger(`test-${n++}`),
  );
}

async function run(
  dir: string,
  groups: FlowGroup<In>[],
  stage: ReadableWritablePair<Group<Row>, FlowGroup<In>>,
  shardRows = 6,
) {
  const store = await openStore(dir);
  const cp = new Checkpointed("double", stage, store, { shardRows });
  const out = await Array.fromAsync(ReadableStream.from(groups).pipeThrough(cp));
  await cp.done;
  return { out, cp, store };
}

Deno.test("Checkpointed() writes a shard every shardRows rows and marks the stage complete", async () => {
  const dir = await tempDir();
  const { out, store } = await run(dir, input(10), new Doubler());
  assert.deepEqual(out.map((g) => g.prompt_id), input(10).map((g) => g.prompt_id));
  const m = store.manifest;
  assert.equal(m.complete, true);
  assert.deepEqual(m.shards.map((s) => s.groups), [3, 3, 3, 1]); // 6 rows = 3 groups per shard
  assert.equal(m.rows, 20);
  assert.deepEqual(await listDir(join(dir, "double")), [
    "manifest.json",
    "part-00000.parquet",
    "part-00001.parquet",
    "part-00002.parquet",
    "part-00003.parquet",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Checkpointed() emits stored groups in order without sending them to the stage", async () => {
  const dir = await tempDir();
  const first = await run(dir, input(10).slice(0, 6), new Doubler());
  const seen: string[] = [];
  const second = await run(dir, input(10), new Doubler(seen));
  assert.deepEqual(seen, ["p6", "p7", "p8", "p9"]);
  assert.deepEqual(second.cp.stats, { computed: 4, reused: 6, dropped: 0 });
  assert.deepEqual(second.out.slice(0, 6), first.out);
  assert.deepEqual(second.out.map((g) => g.prompt_id), input(10).map((g) => g.prompt_id));
  const freshDir = await tempDir();
  const fresh = await run(freshDir, input(10), new Doubler());
  assert.deepEqual(second.out, fresh.out);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(freshDir, { recursive: true });
});

Deno.test("Checkpointed() keeps completed shards and drops the open one when the consumer cancels", async () => {
  const dir = await tempDir();
  const store = await openStore(dir);
  const cp = new Checkpointed("double", new Doubler(), store, { shardRows: 6 });
  const reader = ReadableStream.from(input(10)).pipeThrough(cp).getReader();
  for (let i = 0; i < 7; i++) await reader.read();
  await reader.cancel("stop");
  await cp.done;
  assert.equal(store.manifest.groups, 6);
  assert.equal(store.manifest.complete, false);
  assert.equal(cp.stats.dropped, 1);
  assert.equal((await listDir(join(dir, "double"))).filter((x) => x.endsWith(".tmp")).length, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Checkpointed() with empty input completes with no shards", async () => {
  const dir = await tempDir();
  const { out, store } = await run(dir, [], new Doubler());
  assert.deepEqual(out, []);
  assert.equal(store.manifest.complete, true);
  assert.equal(store.manifest.shards.length, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Checkpointed() names the stage and the prompt when the stage throws", async () => {
  const dir = await tempDir();
  await assert.rejects(run(dir, input(10), new Doubler([], "p7")), (err: Error) => {
    assert.ok(err instanceof StageError);
    assert.equal(err.message, "stage 'double' failed on prompt 'p7': boom");
    assert.equal(err.promptId, "p7");
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Checkpointed() propagates an upstream error and drops the open shard", async () => {
  const dir = await tempDir();
  const store = await openStore(dir);
  const cp = new Checkpointed("double", new Doubler(), store, { shardRows: 6 });
  const source = ReadableStream.from((async function* () {
    yield* input(4);
    throw new Error("source broke");
  })());
  await assert.rejects(Array.fromAsync(source.pipeThrough(cp)), /source broke/);
  await cp.done;
  assert.equal(store.manifest.groups, 3);
  assert.equal(store.manifest.complete, false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Checkpointed() rejects a stage that does not emit one group per input group in order", async () => {
  const dir = await tempDir();
  const swap = new TransformStream<Group<In>, Group<Row>>({
    transform(g, c) {
      c.enqueue({
        prompt_id: g.prompt_id === "p1" ? "p9" : g.prompt_id,
        prompt: g.prompt,
        rows: [],
      });
    },
  });
  await assert.rejects(
    run(dir, input(3), swap),
    /stage 'double' failed on prompt 'p1': the stage emitted prompt 'p9'/,
  );
  const dropAll = new TransformStream<Group<In>, Group<Row>>({ transform() {} });
  const dir2 = await tempDir();
  await assert.rejects(run(dir2, input(3), dropAll), /ended without emitting this group/);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(dir2, { recursive: true });
});

Deno.test("Checkpointed() does not stall on a stage that holds several groups before emitting", async () => {
  const dir = await tempDir();
  const held: Group<In>[] = [];
  const inner = new Doubler();
  // Emits in batches of 4 groups, the rest on flush: like a generator batching prompts.
  const batching = new TransformStream<Group<In>, Group<In>>({
    transform(g, c) {
      held.push(g);
      if (held.length === 4) { for (const h of held.splice(0)) c.enqueue(h); }
    },
    flush(c) {
      for (const h of held.splice(0)) c.enqueue(h);
    },
  });
  const stage = { writable: batching.writable, readable: batching.readable.pipeThrough(inner) };
  const { out } = await run(dir, input(10), stage);
  assert.equal(out.length, 10);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Checkpointed() carries the images of Sample rows to the groups after the stage", async () => {
  const dir = await tempDir();
  const img = (i: number) => ({ bytes: new Uint8Array([i]), path: null });
  const groups = input(2).map((g) => ({
    ...g,
    rows: [{ ...g.rows[0]!, sample_id: `${g.prompt_id}:0`, image: img(g.rows[0]!.x) }],
  }));
  const { out } = await run(dir, groups, new Doubler());
  assert.deepEqual(out[1]!.images, new Map([["p1:0", img(1)]]));
  // Stored groups get them too: a second run reads the groups back from the shards.
  const again = await run(dir, groups, new Doubler());
  assert.deepEqual(again.out[1]!.images, new Map([["p1:0", img(1)]]));
  await Deno.remove(dir, { recursive: true });
});
