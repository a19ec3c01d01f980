import assert from "node:assert/strict";
import { join } from "node:path";
import { readManifest } from "../../pipeline/stage_store.ts";
import { capoIn, listDir, tempDir, tempRun } from "./fixtures/util.ts";

/** A base model path that does not exist, so that these runs stop before generating. */
const noModel = (dir: string) => ({ generate: { model: join(dir, "no-model") } });

async function capoRun(dir: string, ...args: string[]) {
  if (!args.includes("--config")) {
    const cfg = join(dir, "no-model.json");
    await Deno.writeTextFile(cfg, JSON.stringify(noModel(dir)));
    args = ["--config", cfg, ...args];
  }
  return await capoIn(dir, ["run", "--runs-dir", dir, ...args]);
}

Deno.test("capo run writes the prompt shards and stops, naming the stage that is not available yet", async () => {
  const { dir, promptsPath } = await tempRun(25);
  const r = await capoRun(dir, "--prompts", promptsPath, "--shard-rows", "10", "--name", "t");
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    "run done, 25 groups out; prompts 25 groups in 3 shards [25 computed, 0 reused]\n",
  );
  assert.match(
    r.err,
    /stopped after stage 'prompts': stage 'generate' is not available yet \(no base model at .*no-model: run deno task pretrain .* or set generate\.model\)/,
  );
  const m = await readManifest(join(dir, "t", "prompts"), { index: 0, count: 1 });
  assert.deepEqual([m?.rows, m?.complete], [25, true]);
  const stored = JSON.parse(await Deno.readTextFile(join(dir, "t", "config.json")));
  assert.deepEqual([stored.name, stored.shard_rows, stored.prompts.path], ["t", 10, promptsPath]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("capo run logs which stages a config change invalidates and moves their outputs aside", async () => {
  const { dir, promptsPath } = await tempRun(12);
  assert.equal((await capoRun(dir, "--prompts", promptsPath)).code, 0);
  const cfg = join(dir, "c.json");
  await Deno.writeTextFile(cfg, JSON.stringify({ ...noModel(dir), prompts: { max_chars: 200 } }));
  const r = await capoRun(dir, "--prompts", promptsPath, "--config", cfg);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.err,
    /stage prompts config changed \([0-9a-f]{12} -> [0-9a-f]{12}\): invalidating prompts \(old outputs moved to /,
  );
  const stale = await listDir(join(dir, "default", ".stale"));
  assert.equal(stale.length, 1);
  assert.deepEqual(await listDir(join(dir, "default", ".stale", stale[0]!)), [
    "manifest.json",
    "part-00000.parquet",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("capo run rejects a bad flag value with exit 2, naming the key", async () => {
  const dir = await tempDir();
  const r = await capoRun(dir, "--shard", "4/4");
  assert.equal(r.code, 2);
  assert.match(r.err, /config key 'shard' \(--shard\) as it must be 'i\/n'/);
  const missing = await capoRun(dir, "--prompts", join(dir, "none.txt"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /none\.txt/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("capo run reports a config error before opening anything: exit 2, the key named, nothing written", async () => {
  const dir = await tempDir();
  // The prompt file does not exist: opening it would be exit 1 naming it, not the config error.
  const none = join(dir, "none.txt");
  const cases: [string[], RegExp][] = [
    [["--from", "bogus"], /--from 'bogus' as the method has no such stage: stages are prompts, /],
    [
      ["--calibrate.tau", '{"nope": 2}'],
      /config key 'calibrate\.tau' as it names 'nope', which the run does not score: its rewards are /,
    ],
    [["--select.method=single", "--select.reward=nope"], /'select\.reward' as it names 'nope'/],
    [["--generate.n=1"], /'generate\.n' \(--generate\.n\) as it must be an integer >= 2/],
  ];
  for (const [args, re] of cases) {
    const r = await capoRun(dir, "--prompts", none, "--name", "x", ...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.split("\n").filter((l) => l !== "").length, 2, r.err); // no usage dump
    assert.deepEqual(await listDir(dir), ["no-model.json"], args.join(" "));
  }
  await Deno.remove(dir, { recursive: true });
});
