import assert from "node:assert/strict";
import { parseReproduceArgs } from "../../../pipeline/reproduce/options.ts";

Deno.test("parseReproduceArgs() defaults: both bases, default size, runs/reproduce, SUM by raw rewards", () => {
  const o = parseReproduceArgs([]);
  assert.ok(o !== "help");
  assert.deepEqual(o.bases, ["eps", "flow"]);
  assert.equal(o.size, "default");
  assert.equal(o.out, "runs/reproduce");
  assert.equal(o.sum, "sum-raw");
  assert.deepEqual(o.models, { eps: "data/models/base-eps", flow: "data/models/base-flow" });
  assert.equal(o.only, null);
});

Deno.test("parseReproduceArgs() reads the base, size, cells, model and SUM flags", () => {
  const o = parseReproduceArgs([
    "--base=eps",
    "--size",
    "small",
    "--only",
    "frs-capo, soup-dpo",
    "--eps-model",
    "runs/snapA",
    "--sum",
    "calibrated",
  ]);
  assert.ok(o !== "help");
  assert.deepEqual(o.bases, ["eps"]);
  assert.equal(o.out, "runs/reproduce-small");
  assert.deepEqual(o.only, ["frs-capo", "soup-dpo"]);
  assert.equal(o.models.eps, "runs/snapA");
  assert.equal(o.sum, "sum-calibrated");
});

Deno.test("parseReproduceArgs() rejects a bad base, size, cell or stray argument, naming it", () => {
  assert.throws(() => parseReproduceArgs(["--base", "sdxl"]), /--base .*current value is "sdxl"/);
  assert.throws(() => parseReproduceArgs(["--size", "huge"]), /--size .*"huge"/);
  assert.throws(() => parseReproduceArgs(["--only", "frs-kto"]), /cell 'frs-kto' .*frs-capo/);
  assert.throws(() => parseReproduceArgs(["eps"]), /positional/);
  assert.equal(parseReproduceArgs(["-h"]), "help");
});

Deno.test("parseReproduceArgs() takes --plan alone: the plan fixes seeds and sizes", () => {
  const o = parseReproduceArgs(["--plan", "docs/reproduce/plan.json", "--only", "frs-capo-k4"]);
  assert.ok(o !== "help");
  assert.equal(o.planFile, "docs/reproduce/plan.json");
  assert.deepEqual(o.only, ["frs-capo-k4"]);
  assert.throws(
    () => parseReproduceArgs(["--plan", "p.json", "--seeds", "2"]),
    /--plan with --seeds/,
  );
  assert.throws(
    () => parseReproduceArgs(["--plan", "p.json", "--size", "small"]),
    /--plan with --seeds or --size small/,
  );
  assert.throws(
    () => parseReproduceArgs(["--only", "frs-capo-k4"]),
    /'frs-capo-k4' as it is not a cell/,
  );
});
