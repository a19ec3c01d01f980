import assert from "node:assert/strict";
import { compareCells, parseComparison } from "../../../stages/evaluate/compare_cells.ts";
import { formatCompare } from "../../../stages/evaluate/compare_report.ts";
import { designSE, minimumDetectable } from "../../../stages/evaluate/power.ts";
import type { ModelScores } from "../../../stages/evaluate/model_scores.ts";

// 2 prompts x 2 eval seeds: images 0, 1 of prompt 0 (colors), 2, 3 of prompt 1 (position).
const scores = (r: number[], correct: boolean[]): ModelScores => ({
  prompts: ["a red circle", "a circle above a square"],
  seeds_per_prompt: 2,
  seeds: [10, 11, 12, 13],
  rewards: { r },
  shapeeval: { correct, category: ["colors", "colors", "position", "position"] },
});
const F = false, T = true;
const BASE = scores([0, 0, 0, 0], [F, F, T, T]);
const A = scores([1, 1, 0, 0], [T, F, T, T]);
const B0 = scores([1, 0, 0, 0], [F, F, T, T]);
const B1 = scores([0, 0, 1, 1], [F, F, F, T]);
const OPTS = {
  comparisons: ["a vs base", "a vs b"],
  metrics: ["r"],
  statistic: "win_rate" as const,
  alpha: 0.05,
  resamples: 500,
  level: 0.95,
  seed: 0,
};

const near = (x: number, y: number) => assert.ok(Math.abs(x - y) < 1e-12, `${x} != ${y}`);

Deno.test("compareCells() gives the hand-computed statistics, over both cells' seeds", () => {
  const r = compareCells(BASE, { a: [A], b: [B0, B1] }, OPTS);
  assert.equal(r.family, 2);
  const [aBase, aB] = r.comparisons;
  // a vs base: wins on images 0, 1, ties on 2, 3 -> per prompt 1, 0.5
  near(aBase!.win_rate.estimate, 0.75);
  near(aBase!.delta_win_rate.estimate, 0.25);
  near(aBase!.delta_mean.estimate, 0.5);
  assert.deepEqual(aBase!.seeds, { a: 1, b: 1 });
  // a vs b: against b's seed 0 per prompt 0.75, 0.5; against seed 1: 1, 0 -> 0.5625
  near(aB!.win_rate.estimate, 0.5625);
  // win vs base: a 0.75; b (0.75 + 0.5 + 0.5 + 1) / 4 = 0.6875
  near(aB!.delta_win_rate.estimate, 0.0625);
  // means: a 0.5, b (0.25 + 0.5) / 2
  near(aB!.delta_mean.estimate, 0.125);
  assert.deepEqual([aB!.mean_a, aB!.mean_b], [0.5, 0.375]);
  assert.deepEqual(aB!.seeds, { a: 1, b: 2 });
  // Holm over the two tested win-rates
  const [p1, p2] = [aBase!.p_value, aB!.p_value];
  const lo = Math.min(p1, p2), hi = Math.max(p1, p2);
  const holmLo = Math.min(1, 2 * lo), holmHi = Math.max(holmLo, hi);
  near(p1 <= p2 ? aBase!.p_holm : aB!.p_holm, holmLo);
  near(p1 <= p2 ? aB!.p_holm : aBase!.p_holm, holmHi);
  for (const c of r.comparisons) assert.equal(c.reject, c.p_holm <= 0.05);
  // MDE: (z_{1 - 0.05/4} + z_0.8) x the design's SE from the tested statistic's components
  for (const c of r.comparisons) {
    const se = designSE(c.components, { prompts: 2, seedsA: c.seeds.a, seedsB: c.seeds.b });
    near(c.mde, minimumDetectable(se, 0.05 / 2));
  }
});

Deno.test("compareCells() summarises every cell against the base, ShapeEval averaged over seeds", () => {
  const r = compareCells(BASE, { a: [A], b: [B0, B1] }, { ...OPTS, metrics: null });
  assert.deepEqual(r.metrics, ["r", "shapeeval"]);
  const [base, a, b] = r.cells;
  assert.equal(base!.cell, "base");
  assert.equal(base!.win_rate, null);
  assert.deepEqual(base!.shapeeval, { colors: 0, position: 1, overall: 0.5 });
  near(a!.win_rate!.r!.estimate, 0.75);
  near(b!.win_rate!.r!.estimate, 0.6875);
  assert.equal(b!.seeds, 2);
  near(b!.mean.shapeeval!, (0.5 + 0.25) / 2);
  // b's seeds: colors 0 and 0, position 1 and 0.5
  assert.deepEqual(b!.shapeeval, { colors: 0, position: 0.75, overall: 0.375 });
  // ShapeEval head to head, a vs base: image 0 a win, the rest ties -> 0.75, 0.5
  const se = r.comparisons.find((c) => c.comparison === "a vs base" && c.metric === "shapeeval");
  near(se!.win_rate.estimate, 0.625);
  assert.equal(r.family, 4);
  const md = formatCompare({
    ...r,
    base: "base-dir",
    cells_models: { a: ["a0"], b: ["b0", "b1"] },
    sampling: { prompts_file: "dev.txt", steps: 20, guidance: 4, seed_base: 10 },
    resamples: 500,
    level: 0.95,
  });
  assert.match(md, /\| a vs b \| r \| 1 \/ 2 \| 56\.3 \[/);
  assert.match(md, /\| b \| 2 \| 0\.3750 \| 0\.3750 \| 68\.8 \[/);
  assert.match(md, /Holm-corrected, family-wise alpha 0\.05/);
});

Deno.test("compareCells() refuses an unknown cell, metric or differently seeded models", () => {
  assert.throws(
    () => compareCells(BASE, { a: [A] }, { ...OPTS, comparisons: ["a vs c"] }),
    /'c' is not a cell: cells are base, a/,
  );
  assert.throws(
    () => compareCells(BASE, { a: [A] }, { ...OPTS, comparisons: ["a vs base"], metrics: ["x"] }),
    /metric 'x' as it is not a reward: rewards are r/,
  );
  const other = { ...A, seeds: [20, 21, 22, 23] };
  assert.throws(
    () => compareCells(BASE, { a: [other] }, { ...OPTS, comparisons: ["a vs base"] }),
    /cell 'a' as its models must be scored on the base's prompts and seeds/,
  );
  assert.throws(() => parseComparison("a versus b", ["a", "b"]), /must be 'A vs B'/);
  assert.throws(() => parseComparison("a vs a", ["a"]), /two different cells/);
});

Deno.test("compareCells() tests a comparison declared 'on' some metrics on those only, the family counting each once", () => {
  const withS = (s: ModelScores) => ({ ...s, rewards: { r: s.rewards.r!, q: s.rewards.r! } });
  const r = compareCells(withS(BASE), { a: [withS(A)], b: [withS(B0)] }, {
    ...OPTS,
    metrics: null,
    comparisons: ["a vs b on r", "a vs base on q,shapeeval", "b vs base"],
  });
  assert.deepEqual(
    r.comparisons.map((c) => `${c.comparison}:${c.metric}`),
    [
      "a vs b:r",
      "a vs base:q",
      "a vs base:shapeeval",
      "b vs base:r",
      "b vs base:q",
      "b vs base:shapeeval",
    ],
  );
  assert.equal(r.family, 6);
  assert.deepEqual(parseComparison("a vs b on r,q", ["a", "b"]), ["a", "b", ["r", "q"]]);
  assert.deepEqual(parseComparison("a vs b", ["a", "b"]), ["a", "b", null]);
  assert.throws(
    () => compareCells(BASE, { a: [A] }, { ...OPTS, comparisons: ["a vs base on zz"] }),
    /Cannot compare 'a vs base on zz' on 'zz' as it is not a compared metric: metrics are r/,
  );
});
