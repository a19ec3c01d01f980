import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULTS } from "../../pipeline/config.ts";
import { promptSourceSpec } from "../../stages/prompts/spec.ts";
import { tempDir } from "./fixtures/util.ts";

async function ids(path: string, limit: number | null, index: number, count: number) {
  const spec = await promptSourceSpec({ ...DEFAULTS.prompts, path, split: "train", limit });
  const groups = await Array.fromAsync(spec.open({
    runDir: "unused",
    stageDir: "unused",
    worker: { index, count },
    signal: new AbortController().signal,
  }));
  return groups.map((g) => g.prompt_id);
}

Deno.test("prompts.limit keeps the first K prompts, then shards them: workers split the same K", async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, "p.txt");
    const lines = Array.from({ length: 20 }, (_, i) => `prompt number ${i}`);
    await Deno.writeTextFile(path, [lines[0], ...lines].join("\n") + "\n"); // one duplicate
    const all = await ids(path, null, 0, 1);
    assert.equal(all.length, 20);
    const first = await ids(path, 7, 0, 1);
    assert.deepEqual(first, all.slice(0, 7));
    const w0 = await ids(path, 7, 0, 3);
    const w1 = await ids(path, 7, 1, 3);
    const w2 = await ids(path, 7, 2, 3);
    assert.deepEqual([...w0, ...w1, ...w2].sort(), [...first].sort());
    assert.ok(w0.length < 7 && w1.length < 7 && w2.length < 7, "each worker has a part");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a prompts.limit the file does not reach hashes as no limit, so checkpoints are shared", async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, "p.txt");
    await Deno.writeTextFile(path, "a\nb\nc\n");
    const config = async (limit: number | null) =>
      (await promptSourceSpec({ ...DEFAULTS.prompts, path, limit })).config;
    assert.deepEqual(await config(3), await config(null));
    assert.deepEqual(await config(256), await config(null));
    assert.notDeepEqual(await config(2), await config(null));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
