import assert from "node:assert/strict";
import { join } from "node:path";
import { moveAside } from "../../pipeline/stale.ts";

async function stageDir(files: string[]): Promise<string> {
  const run = await Deno.makeTempDir({ prefix: "capo-stale-test-" });
  await Deno.mkdir(join(run, "score"));
  for (const f of files) await Deno.writeTextFile(join(run, "score", f), f);
  return run;
}

const list = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();

Deno.test("moveAside() of a one-worker run moves merged part-w* shards and manifests too", async () => {
  const run = await stageDir([
    "manifest.json",
    "part-00000.parquet",
    "part-w0of2-00000.parquet",
    "part-w1of2-00000.parquet",
    "manifest.w0of2.json",
    "notes.txt",
  ]);
  const target = await moveAside(run, "score", { index: 0, count: 1 }, "abcdef0123456789");
  assert.deepEqual(await list(join(run, "score")), ["notes.txt"]);
  assert.deepEqual(await list(target), [
    "manifest.json",
    "manifest.w0of2.json",
    "part-00000.parquet",
    "part-w0of2-00000.parquet",
    "part-w1of2-00000.parquet",
  ]);
  await Deno.remove(run, { recursive: true });
});

Deno.test("moveAside() of work shard i/n moves only that worker's files", async () => {
  const run = await stageDir([
    "manifest.w0of2.json",
    "manifest.w1of2.json",
    "part-w0of2-00000.parquet",
    "part-w1of2-00000.parquet",
  ]);
  const target = await moveAside(run, "score", { index: 1, count: 2 }, "abcdef0123456789");
  assert.deepEqual(await list(join(run, "score")), [
    "manifest.w0of2.json",
    "part-w0of2-00000.parquet",
  ]);
  assert.deepEqual(await list(target), ["manifest.w1of2.json", "part-w1of2-00000.parquet"]);
  assert.match(target, /\.stale\/score-abcdef012345-w1of2$/);
  await Deno.remove(run, { recursive: true });
});
