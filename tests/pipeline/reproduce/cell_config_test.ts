import assert from "node:assert/strict";
import { DEFAULTS } from "../../../pipeline/config.ts";
import { baseConfig, cellConfig } from "../../../pipeline/reproduce/cell_config.ts";
import { reproduceCells } from "../../../pipeline/reproduce/cells.ts";

Deno.test("cellConfig() sets the cell's select method, reward and loss over the base config", () => {
  const base = baseConfig("default", "runs/snapA", "runs/reproduce/eps");
  const cells = reproduceCells();
  const single = cellConfig(base, cells.find((c) => c.name === "single-alignment-ipo")!);
  assert.equal(single.name, "single-alignment-ipo");
  assert.equal(single.runs_dir, "runs/reproduce/eps");
  assert.equal(single.select.method, "single");
  assert.equal(single.select.reward, "alignment");
  assert.equal(single.train.loss, "ipo");
  const frs = cellConfig(base, cells.find((c) => c.name === "frs-capo")!);
  assert.deepEqual(frs.select, { ...DEFAULTS.select, method: "frs", reward: null });
  assert.equal(frs.train.loss, "capo");
  assert.equal(frs.train.model, "runs/snapA");
  assert.equal(frs.generate.model, "runs/snapA");
});

Deno.test("cellConfig() gives every run cell of a base the same prompts, generate and score sections", () => {
  const base = baseConfig("small", "m", "out/eps");
  const configs = reproduceCells().flatMap((c) => c.kind === "run" ? [cellConfig(base, c)] : []);
  assert.equal(configs.length, 15);
  const shared = (c: typeof base) => JSON.stringify([c.prompts, c.generate, c.score]);
  for (const c of configs) assert.equal(shared(c), shared(base));
  assert.equal(new Set(configs.map((c) => JSON.stringify([c.select, c.train]))).size, 15);
});

Deno.test("baseConfig() 'default' keeps the default run's sizes; 'small' shrinks only sizes", () => {
  const d = baseConfig("default", "m", "o");
  assert.deepEqual(
    [d.prompts.limit, d.generate.n, d.evaluate.max_prompts, d.evaluate.seeds_per_prompt],
    [DEFAULTS.prompts.limit, DEFAULTS.generate.n, 96, 2],
  );
  const s = baseConfig("small", "m", "o");
  assert.deepEqual(
    [s.prompts.limit, s.generate.n, s.evaluate.max_prompts, s.evaluate.seeds_per_prompt],
    [32, 8, 16, 1],
  );
  assert.deepEqual({ ...s.train, model: "x" }, { ...d.train, model: "x" });
});

Deno.test("cellConfig() refuses a soup cell, which has no run config", () => {
  const soup = reproduceCells().find((c) => c.kind === "soup")!;
  assert.throws(
    () => cellConfig(baseConfig("small", "m", "o"), soup),
    /Cannot make a run config for cell 'soup-dpo' as it is a soup cell/,
  );
});
