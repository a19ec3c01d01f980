import assert from "node:assert/strict";
import { parseReproducePlan, PLAN_FORMAT } from "../../../pipeline/reproduce/repro_plan.ts";
import { planBase } from "../../../pipeline/reproduce/plan_base.ts";
import { claimTests, claimVerdict, verdict } from "../../../pipeline/reproduce/report.ts";
import type { CompareReport } from "../../../stages/evaluate/compare_report.ts";
import type { RunConfig } from "../../../pipeline/config.ts";
import type { MetricComparison } from "../../../stages/evaluate/compare_cells.ts";

const trainers = {
  dpo: { beta: 2500 },
  ipo: { beta: 10000, lr: 2e-5 },
  capo: { beta: 40000, max_steps: 128 },
  "capo-k4": { loss: "capo", beta: 10000, draws_per_pair: 4 },
};
const PLAN = {
  format: PLAN_FORMAT,
  seeds: 3,
  config: { evaluate: { max_prompts: null, seeds_per_prompt: 4 } },
  trainers: { eps: trainers, flow: trainers },
  compare: { comparisons: ["frs-capo vs base on shapeeval"], statistic: "win_rate", alpha: 0.05 },
};

Deno.test("a frozen plan gives every cell its loss's tuned settings, its seeds and evaluation, and a labelled FRS cell per variant", async () => {
  const plan = parseReproducePlan(PLAN, "plan.json");
  const p = await planBase({
    base: "eps",
    model: "/nonexistent/base-eps",
    out: "/tmp/capo-plan-test",
    size: "default",
    sum: "sum-raw",
    seeds: plan.seeds,
    plan,
  });
  assert.equal(p.cells.length, 3 * 19, "18 paper cells + frs-capo-k4, x 3 seeds");
  const cfg = (name: string) => p.cells.find((c) => c.name === name)!.config as RunConfig;
  assert.deepEqual(
    [
      cfg("single-aesthetic-dpo").train.beta,
      cfg("sum-ipo").train.lr,
      cfg("frs-capo").train.max_steps,
    ],
    [2500, 2e-5, 128],
  );
  const k4 = cfg("frs-capo-k4-seed2");
  assert.deepEqual([k4.train.loss, k4.train.draws_per_pair, k4.train.beta, k4.train.seed], [
    "capo",
    4,
    10000,
    2,
  ]);
  assert.equal(k4.select.method, "frs");
  assert.deepEqual([k4.evaluate.max_prompts, k4.evaluate.seeds_per_prompt], [null, 4]);
  assert.equal(p.cells.find((c) => c.name === "frs-capo-k4")!.cell.trainer, "capo-k4");
});

Deno.test("a plan is refused naming the key when it is incomplete or sets what reproduce sets", () => {
  const bad = (over: Record<string, unknown>, msg: RegExp) =>
    assert.throws(() => parseReproducePlan({ ...PLAN, ...over }, "plan.json"), msg);
  bad({ format: "x" }, /format must be 'capo-reproduce-plan\/1'/);
  bad({ seeds: 0 }, /seeds must be an integer >= 1/);
  bad({ trainers: { eps: { dpo: {}, ipo: {} }, flow: trainers } }, /trainers\.eps has no 'capo'/);
  bad(
    { trainers: { eps: { ...trainers, "capo-k4": { beta: 1 } }, flow: trainers } },
    /trainers\.eps\.capo-k4\.loss must be one of/,
  );
  bad(
    { trainers: { eps: { ...trainers, dpo: { loss: "ipo" } }, flow: trainers } },
    /trainers\.eps\.dpo\.loss must be 'dpo' or absent/,
  );
  bad(
    { trainers: { eps: { ...trainers, dpo: { seed: 3 } }, flow: trainers } },
    /trainers\.eps\.dpo\.seed is set by reproduce/,
  );
  bad({ trainers: { eps: { ...trainers, dpo: { beta: -1 } }, flow: trainers } }, /train\.beta/);
  bad({ config: { generate: { model: "x" } } }, /config\.generate\.model is set by reproduce/);
  bad(
    { compare: { comparisons: [], alpha: 0.05 } },
    /compare\.comparisons must be a non-empty list/,
  );
  bad({ compare: { comparisons: ["a vs b"], alpha: 1 } }, /compare\.alpha must be in \(0, 1\)/);
  bad({ claims: { b: [] } }, /claims\.b must be a non-empty list/);
  bad(
    { claims: { b: ["frs-capo vs base on aesthetic"] } },
    /claims\.b names 'frs-capo vs base on aesthetic', which is not in compare\.comparisons/,
  );
});

Deno.test("a plan's claims are read with it, and an absent claims key is none", () => {
  const claims = { "ShapeEval": ["frs-capo vs base on shapeeval"] };
  assert.deepEqual(parseReproducePlan({ ...PLAN, claims }, "plan.json").claims, claims);
  assert.deepEqual(parseReproducePlan(PLAN, "plan.json").claims, {});
});

Deno.test("claimVerdict: every test reproduced, else any not reproduced, else inconclusive", () => {
  assert.equal(claimVerdict(["reproduced", "reproduced"]), "reproduced");
  assert.equal(claimVerdict(["reproduced", "inconclusive"]), "inconclusive");
  assert.equal(claimVerdict(["reproduced", "not reproduced", "inconclusive"]), "not reproduced");
  assert.throws(() => claimVerdict([]), /no tests/);
});

Deno.test("claimTests picks the rows of a declared comparison and only its metrics", () => {
  const row = (a: string, b: string, metric: string) => ({ a, b, metric }) as MetricComparison;
  const r = {
    comparisons: [
      row("x", "y", "aesthetic"),
      row("x", "y", "preference"),
      row("x", "base", "aesthetic"),
      row("y", "x", "aesthetic"),
    ],
  } as unknown as CompareReport;
  const pick = (d: string[]) =>
    claimTests(r, d, ["x", "y"]).map((c) => `${c.a}-${c.b}-${c.metric}`);
  assert.deepEqual(pick(["x vs y on preference"]), ["x-y-preference"]);
  assert.deepEqual(pick(["x vs y", "x vs base on aesthetic"]), [
    "x-y-aesthetic",
    "x-y-preference",
    "x-base-aesthetic",
  ]);
});

Deno.test("verdict: reproduced when Holm rejects with A ahead, not reproduced when with B ahead, else inconclusive", () => {
  const c = (estimate: number, reject: boolean) =>
    ({
      reject,
      win_rate: {
        estimate,
        low: 0,
        high: 1,
        level: 0.95,
        resamples: 1,
        null_value: 0.5,
        p_value: 0,
      },
    }) as unknown as MetricComparison;
  assert.equal(verdict(c(0.6, true), "win_rate"), "reproduced");
  assert.equal(verdict(c(0.4, true), "win_rate"), "not reproduced");
  assert.equal(verdict(c(0.6, false), "win_rate"), "inconclusive");
});
