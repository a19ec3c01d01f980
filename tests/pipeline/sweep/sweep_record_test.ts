import assert from "node:assert/strict";
import { join } from "node:path";
import {
  appendRecord,
  chosenPoint,
  readRecords,
  RECORD_FORMAT,
  recordTable,
  type SweepRecord,
} from "../../../pipeline/sweep/sweep_record.ts";

const rec = (beta: number, seed: number, win: number, drTheta: number): SweepRecord => ({
  format: RECORD_FORMAT,
  sweep: "s",
  plan: "p.json",
  point: { "train.beta": beta },
  seed,
  identity: `${beta}-${seed}`,
  finished: "2026-12-04T00:00:00.000Z",
  seconds: 1,
  dev: {
    prompts: "dev.txt",
    prompt_count: 2,
    seeds_per_prompt: 1,
    images: 2,
    rewards: {
      a: { win_rate: win, low: 0, high: 1, mean_base: 0, mean_tuned: 0 },
      b: { win_rate: win, low: 0, high: 1, mean_base: 0, mean_tuned: 0 },
    },
    shapeeval: null,
  },
  training: {
    beta,
    steps: 4,
    window: 1,
    loss: 0,
    accuracy: 0,
    correlation: null,
    dr_theta: drTheta,
    dr_ca: 0.2,
    grad_norm: 2,
    step_seconds: 1,
  },
  tau: {},
  config: { calibrate: {}, select: {}, train: {}, evaluate: {} },
  rerun: "",
});

Deno.test("recordTable averages seeds and chooses the best mean win-rate inside the dR_theta / dR_ca band", () => {
  const t = recordTable([
    rec(500, 0, 0.9, 0.02), // best win-rate, but dR_theta / dR_ca = 0.1: out of the band
    rec(2500, 0, 0.6, 0.1),
    rec(2500, 1, 0.7, 0.1), // mean 0.65, ratio 0.5: in
    rec(10000, 0, 0.55, 0.3), // ratio 1.5: in, lower
    rec(40000, 0, 0.95, -0.1), // the gap moved backwards: never chosen
  ]);
  const rows = t.trim().split("\n").slice(2);
  assert.equal(rows.length, 4);
  assert.match(
    rows[1]!,
    /^\| 2500 \| 2 \| 65\.0 \| 65\.0 \| 65\.0 \| – \| 0\.50 \| 2\.0 \| \*\*chosen\*\* \|$/,
  );
  assert.equal(rows.filter((r) => r.includes("**chosen**")).length, 1);
});

Deno.test("appendRecord keeps every earlier line and readRecords names a bad line", async () => {
  const path = join(await Deno.makeTempDir(), "r.jsonl");
  assert.deepEqual(await readRecords(path), []);
  await appendRecord(path, rec(500, 0, 0.5, 0.1));
  await appendRecord(path, rec(2500, 0, 0.5, 0.1));
  assert.deepEqual((await readRecords(path)).map((r) => r.identity), ["500-0", "2500-0"]);
  await Deno.writeTextFile(path, "{}\n", { append: true });
  await assert.rejects(
    readRecords(path),
    /r\.jsonl line 3 as it is not a capo-sweep-point\/1 line/,
  );
});

Deno.test("recordTable chooses among the points nearest the band when none is inside it", () => {
  const t = recordTable([
    rec(500, 0, 0.9, 0.01), // ratio 0.05
    rec(2500, 0, 0.6, 0.08), // ratio 0.4: nearest
    rec(10000, 0, 0.7, 0.06), // ratio 0.3
  ]);
  const chosen = t.split("\n").filter((l) => l.includes("**chosen**"));
  assert.equal(chosen.length, 1);
  assert.match(chosen[0]!, /^\| 2500 /);
});

Deno.test("chosenPoint is the table's chosen point", () => {
  assert.deepEqual(
    chosenPoint([rec(500, 0, 0.9, 0.02), rec(2500, 0, 0.6, 0.1), rec(10000, 0, 0.55, 0.3)]),
    { "train.beta": 2500 },
  );
  assert.equal(chosenPoint([]), null);
});
