import assert from "node:assert/strict";
import { join } from "node:path";
import { baseConfig, cellConfig, seedName } from "../../../pipeline/reproduce/cell_config.ts";
import { reproduceCells, REWARDS } from "../../../pipeline/reproduce/cells.ts";
import type { CellResult } from "../../../pipeline/reproduce/cell_result.ts";
import { parseReproduceArgs } from "../../../pipeline/reproduce/options.ts";
import { baseReport, planBase } from "../../../pipeline/reproduce/plan_base.ts";
import {
  aggregateSeeds,
  seedInterval,
  winPerPrompt,
} from "../../../pipeline/reproduce/seed_aggregate.ts";
import type { SoupConfig } from "../../../pipeline/reproduce/plan_base.ts";

Deno.test("cellConfig() with training seed s offsets select.seed and train.seed; seed 0 is the cell as before", () => {
  const base = baseConfig("small", "m", "out/eps");
  const frs = reproduceCells().find((c) => c.name === "frs-capo")!;
  const s0 = cellConfig(base, frs), s2 = cellConfig(base, frs, 2);
  assert.deepEqual(cellConfig(base, frs, 0), s0);
  assert.equal(s0.name, "frs-capo");
  assert.equal(s2.name, "frs-capo-seed2");
  assert.deepEqual([s2.select.seed, s2.train.seed], [base.select.seed + 2, base.train.seed + 2]);
  // only the seeds (and the name) differ; the shared stages are the same
  assert.deepEqual(
    { ...s2, name: s0.name, select: s0.select, train: s0.train },
    s0,
  );
  assert.deepEqual({ ...s2.train, seed: 0 }, { ...s0.train, seed: 0 });
  assert.throws(() => seedName("x", -1), /seed -1 of cell 'x'/);
});

Deno.test("planBase() with 2 seeds plans every cell twice, each seed's soup averaging that seed's models", async () => {
  const out = await Deno.makeTempDir();
  try {
    const p = await planBase({
      base: "eps",
      model: join(out, "none"),
      out,
      size: "small",
      sum: "sum-raw",
      seeds: 2,
    });
    assert.equal(p.cells.length, 36);
    assert.deepEqual(p.cells.slice(0, 18).map((c) => c.seed), Array(18).fill(0));
    const soup1 = p.cells.find((c) => c.name === "soup-capo-seed1")!;
    assert.equal(soup1.dir, join(out, "eps", "soup-capo-seed1"));
    assert.deepEqual(
      (soup1.config as SoupConfig).inputs,
      REWARDS.map((r) => join(out, "eps", `single-${r}-capo-seed1`, "train")),
    );
    const ids = new Set(p.cells.map((c) => c.identity));
    assert.equal(ids.size, 36, "every seed of every cell has its own identity");
    // the report shows each cell once, with its seeds
    const report = baseReport(p);
    assert.equal(report.cells.length, 18);
    assert.equal(report.cells[0]!.seeds, 2);
    assert.equal(report.cells[0]!.status, "pending");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("parseReproduceArgs() reads --seeds, an integer >= 1", () => {
  const o = parseReproduceArgs(["--seeds", "3"]);
  assert.ok(o !== "help");
  assert.equal(o.seeds, 3);
  const d = parseReproduceArgs([]);
  assert.ok(d !== "help");
  assert.equal(d.seeds, 1);
  assert.throws(() => parseReproduceArgs(["--seeds", "0"]), /--seeds .*an integer >= 1.*"0"/);
  assert.throws(() => parseReproduceArgs(["--seeds", "1.5"]), /--seeds/);
});

const iv = (estimate: number) => ({ estimate, low: 0, high: 1, level: 0.95, resamples: 2000 });

function seedResult(seed: number, wins: number[], meanTuned: number, overall: number): CellResult {
  return {
    format: 2,
    base: "eps",
    cell: seedName("frs-capo", seed),
    identity: `id${seed}`,
    seconds: 10,
    pairs: 32,
    steps: 4,
    rerun: "x",
    finished: "now",
    eval: {
      base: "m",
      tuned: "t",
      prompts: 2,
      seeds_per_prompt: 1,
      images: 2,
      sampling: { steps: 20, guidance: 4, seed_base: 0 },
      rewards: [{
        reward: "aesthetic",
        win_rate: iv(wins.reduce((a, b) => a + b) / wins.length),
        wins: 1,
        ties: 0,
        losses: 1,
        mean_base: 1,
        mean_tuned: meanTuned,
      }],
      shapeeval: {
        base: { overall: 0.5 },
        tuned: { overall, counting: overall },
        win_rate: iv(0.5),
      },
      seconds: 1,
    },
    win_per_prompt: { aesthetic: wins, shapeeval: [0.5, 0.5] },
  };
}

Deno.test("aggregateSeeds() averages the seeds; the interval is over prompts and training seeds", () => {
  // seed 0 wins every prompt, seed 1 loses every one: within a seed no spread at all
  const r = aggregateSeeds([seedResult(0, [1, 1], 3, 0.5), seedResult(1, [0, 0], 5, 0.25)]);
  const a = r.eval.rewards[0]!;
  assert.equal(r.seeds, 2);
  assert.equal(a.win_rate.estimate, 0.5);
  // the seed draws give 0, 0.5 or 1 w.p. 1/4, 1/2, 1/4: the interval spans [0, 1]
  assert.deepEqual([a.win_rate.low, a.win_rate.high], [0, 1]);
  assert.equal(a.mean_tuned, 4);
  assert.deepEqual([a.wins, a.losses], [2, 2]);
  assert.deepEqual(r.eval.shapeeval!.tuned, { overall: 0.375, counting: 0.375 });
  assert.equal(r.seconds, 20);
  // one seed: as it is
  const one = seedResult(0, [1, 0], 3, 0.5);
  assert.equal(aggregateSeeds([one]), one);
  // a seed without per-prompt wins cannot be aggregated
  const { win_per_prompt: _w, ...old } = seedResult(1, [0, 0], 5, 0.25);
  assert.throws(() => aggregateSeeds([one, old]), /has no per-prompt 'aesthetic' wins/);
  assert.throws(
    () => seedInterval([[1, 0], [1]], { resamples: 10, level: 0.95 }),
    /the same prompts/,
  );
});

Deno.test("winPerPrompt() averages each prompt's win scores over its eval seeds, ShapeEval too", () => {
  const report = {
    seeds_per_prompt: 2,
    per_image: {
      prompts: ["p", "q"],
      seeds: [0, 1, 2, 3],
      base: { r: [1, 1, 0, 5] },
      tuned: { r: [2, 1, 0, 0] },
      correct: { base: [false, true, true, true], tuned: [true, true, false, true] },
    },
  } as unknown as Parameters<typeof winPerPrompt>[0];
  // r: win, tie | tie, loss -> 0.75, 0.25; shapeeval: win, tie | loss, tie -> 0.75, 0.25
  assert.deepEqual(winPerPrompt(report), { r: [0.75, 0.25], shapeeval: [0.75, 0.25] });
});
