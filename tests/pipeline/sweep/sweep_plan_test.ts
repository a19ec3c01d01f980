import assert from "node:assert/strict";
import {
  parseSweepPlan,
  sharedConfig,
  sweepPoints,
  TEST_PROMPTS,
} from "../../../pipeline/sweep/sweep_plan.ts";

const plan = (over: Record<string, unknown> = {}) => ({
  name: "s",
  record: "docs/search/x.jsonl",
  config: { evaluate: { prompts: "data/prompts/dev.txt" } },
  grid: { "train.beta": [500, 2500], "train.grad_clip": [1, 0] },
  seeds: 2,
  ...over,
});

Deno.test("sweepPoints expands the grid (last key fastest) per training seed, each point a checked run config", () => {
  const p = parseSweepPlan(plan(), "p.json");
  const pts = sweepPoints(p, sharedConfig(p, "runs"));
  assert.deepEqual(pts.map((x) => x.name), [
    "beta-500_grad_clip-1",
    "beta-500_grad_clip-0",
    "beta-2500_grad_clip-1",
    "beta-2500_grad_clip-0",
    "beta-500_grad_clip-1-seed1",
    "beta-500_grad_clip-0-seed1",
    "beta-2500_grad_clip-1-seed1",
    "beta-2500_grad_clip-0-seed1",
  ]);
  const last = pts.at(-1)!.config;
  assert.equal(last.train.beta, 2500);
  assert.equal(last.train.grad_clip, 0);
  assert.equal(last.train.seed, 1, "seed s offsets train.seed");
  assert.equal(last.select.seed, 1, "and select.seed");
  assert.equal(
    last.runs_dir,
    "runs/sweep/s/s",
    "points in <shared>/<name>/; shared defaults to name",
  );
  const two = parseSweepPlan(plan({ name: "eps-dpo", shared: "eps" }), "p.json");
  const up = sharedConfig(two, "runs");
  assert.equal(`${up.runs_dir}/${up.name}`, "runs/sweep/eps/upstream");
  assert.equal(sweepPoints(two, up)[0]!.config.runs_dir, "runs/sweep/eps/eps-dpo");
  assert.equal(pts[0]!.config.train.seed, 0);
});

Deno.test("a sweep refuses the locked test set, upstream keys and bad values before running anything", () => {
  const onTest = parseSweepPlan(
    plan({ config: { evaluate: { prompts: TEST_PROMPTS } } }),
    "p.json",
  );
  assert.throws(
    () => sharedConfig(onTest, "runs"),
    /evaluates on data\/prompts\/eval\.txt, the locked test set/,
  );
  const byDefault = parseSweepPlan(plan({ config: {} }), "p.json");
  assert.throws(
    () => sharedConfig(byDefault, "runs"),
    /locked test set/,
    "the default evaluate.prompts is the test set",
  );
  assert.throws(
    () => parseSweepPlan(plan({ grid: { "generate.n": [8] } }), "p.json"),
    /grid key 'generate\.n' is not one of calibrate, select, train's keys/,
  );
  assert.throws(
    () => parseSweepPlan(plan({ grid: { "train.beta": [] } }), "p.json"),
    /grid\.train\.beta must be a non-empty list/,
  );
  assert.throws(
    () => parseSweepPlan(plan({ seeds: 0 }), "p.json"),
    /seeds must be an integer >= 1/,
  );
  assert.throws(
    () => parseSweepPlan(plan({ record: "x.json" }), "p.json"),
    /record must be a path ending in \.jsonl/,
  );
  assert.throws(() => parseSweepPlan(plan({ extra: 1 }), "p.json"), /'extra' is not a key/);
  assert.throws(
    () => parseSweepPlan(plan({ record: "docs/../x.jsonl" }), "p.json"),
    /record must be under docs\/search\/ or runs\//,
  );
  const badValue = parseSweepPlan(plan({ grid: { "train.beta": [-1] } }), "p.json");
  assert.throws(() => sweepPoints(badValue, sharedConfig(badValue, "runs")), /train\.beta/);
});
