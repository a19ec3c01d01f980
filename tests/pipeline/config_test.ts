import assert from "node:assert/strict";
import { tempDir } from "./fixtures/util.ts";
import { join } from "node:path";
import {
  type ConfigPatch,
  DEFAULTS,
  loadRunConfig,
  mergeConfig,
  parseRunArgs,
} from "../../pipeline/config.ts";

Deno.test("loadRunConfig() with no arguments gives the defaults", async () => {
  assert.deepEqual(await loadRunConfig([]), DEFAULTS);
  assert.equal(DEFAULTS.prompts.path, "data/prompts/train.txt");
});

Deno.test("loadRunConfig() applies defaults < --config file < flags", async () => {
  const dir = await tempDir();
  const file = join(dir, "c.json");
  await Deno.writeTextFile(
    file,
    JSON.stringify({ name: "a", shard_rows: 10, prompts: { max_chars: 50 }, shard: "1/3" }),
  );
  const cfg = await loadRunConfig([
    "--config",
    file,
    "--name=b",
    "--shard",
    "2/3",
    "--from",
    "score",
  ]);
  assert.equal(cfg.name, "b");
  assert.equal(cfg.shard_rows, 10);
  assert.deepEqual(cfg.shard, { index: 2, count: 3 });
  assert.equal(cfg.from, "score");
  assert.equal(cfg.prompts.max_chars, 50);
  assert.equal(cfg.prompts.path, DEFAULTS.prompts.path); // untouched nested keys keep defaults
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mergeConfig() rejects an unknown key, naming it and the known ones", () => {
  assert.throws(
    () => mergeConfig(DEFAULTS, { shard_row: 5 } as ConfigPatch, "--config x.json"),
    /config key 'shard_row' \(--config x\.json\) as it is not a known key \(did you mean 'shard_rows'\?\): known keys are name, /,
  );
  assert.throws(
    () => mergeConfig(DEFAULTS, { prompts: { pth: "x" } } as ConfigPatch, "f"),
    /'prompts\.pth' .* known keys are prompts\.path/,
  );
});

Deno.test("mergeConfig() rejects bad values, naming the key and the value", () => {
  const cases: [unknown, RegExp][] = [
    [{ shard_rows: 0 }, /'shard_rows' .* integer >= 1: current value is 0/],
    [{ shard_rows: "8" }, /'shard_rows' .* current value is "8"/],
    [{ shard: "3/3" }, /'shard' .* 0 <= i < n: current value is "3\/3"/],
    [{ name: "../x" }, /'name' .* current value is "..\/x"/],
    [{ from: "Score!" }, /'from' .* stage name/],
    [{ prompts: { split: "test" } }, /'prompts\.split' .* one of 'auto', 'hash', 'train', 'eval'/],
    [{ prompts: { eval_fraction: 2 } }, /'prompts\.eval_fraction' .* in \[0, 1\]/],
    [[1], /'\(root\)' .* a JSON object/],
    [{ prompts: { limit: 0 } }, /'prompts\.limit' .* integer >= 1: current value is 0/],
    [{ generate: { n: 1 } }, /'generate\.n' .* integer >= 2: current value is 1/],
    [
      { generate: { sed: 1 } },
      /'generate\.sed' .* not a known key \(did you mean 'generate\.seed'\?\): known keys are generate\.model/,
    ],
    [{ score: { rewards: [] } }, /'score\.rewards' .* non-empty list/],
    [{ calibrate: { tau: { alignment: 0 } } }, /'calibrate\.tau\.alignment' .* > 0/],
    [{ select: { method: "best" } }, /'select\.method' .* one of 'single', 'sum-raw'/],
    [{ select: { method: "single" } }, /'select\.reward' .* a reward name when select\.method/],
    [{ train: { beta: 0 } }, /'train\.beta' .* > 0/],
    [{ evaluate: { steps: 0 } }, /'evaluate\.steps' .* integer >= 1/],
  ];
  for (const [raw, re] of cases) {
    assert.throws(() => mergeConfig(DEFAULTS, raw as ConfigPatch, "test"), re);
  }
});

Deno.test("loadRunConfig() rejects an unknown flag and a flag without a value", async () => {
  await assert.rejects(
    loadRunConfig(["--nmae", "x"]),
    /Cannot use '--nmae' as capo run has no such flag: did you mean --name\?/,
  );
  await assert.rejects(loadRunConfig(["--name"]), /--name as it needs a value/);
  await assert.rejects(loadRunConfig(["--shard-rows", "-3"]), /'shard_rows' \(--shard-rows\)/);
  await assert.rejects(loadRunConfig(["--config", "/nonexistent/c.json"]), /Cannot read --config/);
});

Deno.test("loadRunConfig() sets any key as --section.key=value, typed as in a --config file", async () => {
  const cfg = await loadRunConfig([
    "--generate.n=8",
    "--train.loss",
    "dpo",
    "--train.max_steps=null",
    '--calibrate.tau={"aesthetic":0.2}',
    "--score.rewards=a.json,b.json",
    "--train.export_onnx=false",
    "--evaluate.level=0.9",
  ]);
  assert.equal(cfg.generate.n, 8);
  assert.equal(cfg.train.loss, "dpo");
  assert.equal(cfg.train.max_steps, null);
  assert.deepEqual(cfg.calibrate.tau, { aesthetic: 0.2 });
  assert.deepEqual(cfg.score.rewards, ["a.json", "b.json"]);
  assert.equal(cfg.train.export_onnx, false);
  assert.equal(cfg.evaluate.level, 0.9);
  assert.equal(cfg.generate.steps, DEFAULTS.generate.steps);
});

Deno.test("loadRunConfig() checks a flag's value as the key's type, naming the flag", async () => {
  await assert.rejects(
    loadRunConfig(["--generate.n=two"]),
    /config key 'generate\.n' \(--generate\.n\) as it must be an integer >= 2: current value is "two"/,
  );
  await assert.rejects(
    loadRunConfig(["--train.loss=kto"]),
    /'train\.loss' \(--train\.loss\) as it must be one of 'capo', 'dpo', 'ipo'/,
  );
  await assert.rejects(loadRunConfig(["--generate.nn=8"]), /did you mean --generate\.n\?/);
  await assert.rejects(loadRunConfig(["--train=1"]), /names a section, not a key: its keys are/);
  await assert.rejects(loadRunConfig(["stray"]), /argument 'stray' as it is not a flag/);
});

Deno.test("parseRunArgs() keeps flags in order and takes a negative number as a value", () => {
  const a = parseRunArgs(["--shard-rows", "-3", "--name=x", "-h"]);
  assert.equal(a.help, true);
  assert.deepEqual(a.flags.map((f) => f.where), ["--shard-rows", "--name"]);
  assert.deepEqual(a.flags[0]!.patch, { shard_rows: -3 });
});
