import assert from "node:assert/strict";
import type { CompareReport } from "../../../stages/evaluate/compare_report.ts";
import { type Cell, reproduceCells, REWARDS } from "../../../pipeline/reproduce/cells.ts";
import type { CellResult } from "../../../pipeline/reproduce/cell_result.ts";
import {
  type BaseReport,
  type CellStatus,
  formatReport,
  reportJson,
} from "../../../pipeline/reproduce/report.ts";

const iv = (estimate: number) => ({
  estimate,
  low: estimate - 0.1,
  high: estimate + 0.1,
  level: 0.95,
  resamples: 1000,
});

/** A synthetic result: win-rate `w` on every reward, tuned means base + 1, ShapeEval 0.25. */
function result(cell: string, w: number, baseMean = 5): CellResult {
  return {
    format: 1,
    base: "eps",
    cell,
    identity: "id",
    seconds: 61.4,
    pairs: 32,
    steps: 4,
    rerun: `rerun ${cell}`,
    finished: "2026-01-01T00:00:00Z",
    eval: {
      base: "m",
      tuned: `${cell}/train`,
      prompts: 16,
      seeds_per_prompt: 1,
      images: 16,
      sampling: { steps: 20, guidance: 4, seed_base: 1_000_000 },
      rewards: REWARDS.map((reward) => ({
        reward,
        win_rate: iv(w),
        wins: 8,
        ties: 0,
        losses: 8,
        mean_base: baseMean,
        mean_tuned: baseMean + 1,
      })),
      shapeeval: {
        base: { overall: 0.125, single_object: 0.5 },
        tuned: { overall: 0.25, single_object: 0.75 },
        win_rate: iv(0.6),
      },
      seconds: 10,
    },
  };
}

function eps(statuses: (c: Cell) => CellStatus): BaseReport {
  return { base: "eps", model: "runs/snapA", missing: null, cells: reproduceCells().map(statuses) };
}

const flowMissing: BaseReport = {
  base: "flow",
  model: "data/models/base-flow",
  missing: "no flow base model at data/models/base-flow (no model.safetensors)",
  cells: reproduceCells().map((cell) => ({ cell, status: "pending" })),
};

Deno.test("formatReport() writes both tables with a row per cell, intervals and means", () => {
  const md = formatReport({
    size: "small",
    sum: "sum-raw",
    generated: "now",
    bases: [{
      ...eps((cell) => ({ cell, status: "done", result: result(cell.name, 0.625), rerun: "x" })),
      sharedSeconds: 57.2,
    }],
  });
  assert.match(md, /### Table 1: single reward/);
  assert.match(md, /### Table 2: multi-reward/);
  assert.match(md, /A demonstration, not a result\./, "the small size says so");
  assert.match(
    md,
    /\| alignment \| IPO \| 62\.5 \[52\.5, 72\.5\] \| 62\.5 .* \| 6\.000 \| 6\.000 \| 6\.000 \| 0\.25 \| 32 \| 61 \|/,
  );
  assert.match(md, /\| SUM \(raw\) \| DPO \| 62\.5/);
  assert.match(md, /\| SOUP \| CaPO \|/);
  assert.match(md, /\| FRS \| CaPO \|/);
  // the base row: means of the base model, no win-rate
  assert.match(
    md,
    /\| base \| - \| - \| - \| - \| 5\.000 \| 5\.000 \| 5\.000 \| 0\.13 \| - \| - \|/,
  );
  assert.match(md, /\| CaPO\+FRS \| 0\.25 \| 0\.75 /);
  assert.match(md, /Win-rate of CaPO\+FRS on ShapeEval correctness: 60\.0 \[50\.0, 70\.0\]/);
  assert.match(md, /18 of 18 cells complete/);
  assert.match(md, /Time of the complete cells: 1105 s, plus 57 s for the shared/);
  assert.equal(md.match(/^\| (aesthetic|alignment|preference) \|/gm)?.length, 9);
  assert.equal(md.match(/^\| (SUM \(raw\)|SOUP|FRS) \|/gm)?.length, 9);
});

Deno.test("formatReport() shows pending and failed cells without numbers", () => {
  const md = formatReport({
    size: "default",
    sum: "sum-calibrated",
    generated: "now",
    bases: [
      eps((cell) =>
        cell.name === "frs-capo"
          ? { cell, status: "failed", error: "no pairs | none" }
          : { cell, status: "pending" }
      ),
    ],
  });
  assert.match(md, /\| FRS \| CaPO \| failed: no pairs \\\| none \| - \|/);
  assert.match(md, /\| SUM \(calibrated\) \| DPO \| pending \| - \|/);
  assert.match(md, /0 of 18 cells complete\. No cell is complete yet\./);
  assert.match(md, /Cell frs-capo is not complete/);
});

Deno.test("formatReport() reports a missing base in its section instead of numbers", () => {
  const md = formatReport({
    size: "small",
    sum: "sum-raw",
    generated: "now",
    bases: [eps((cell) => ({ cell, status: "pending" })), flowMissing],
  });
  assert.match(
    md,
    /## flow base \(`data\/models\/base-flow`\)\n\n\*\*Not run:\*\* no flow base model/,
  );
  const flow = md.slice(md.indexOf("## flow base"));
  assert.doesNotMatch(flow, /Table 1/);
  const json = reportJson({
    size: "small",
    sum: "sum-raw",
    generated: "now",
    bases: [flowMissing],
  });
  assert.match(JSON.stringify(json), /"missing":"no flow base model/);
});

Deno.test("formatReport() flags cells whose base means differ (evaluations not comparable)", () => {
  const md = formatReport({
    size: "small",
    sum: "sum-raw",
    generated: "now",
    bases: [eps((cell) => ({
      cell,
      status: "done",
      result: result(cell.name, 0.5, cell.name === "frs-dpo" ? 4 : 5),
    }))],
  });
  assert.match(md, /Base means differ from single-aesthetic-dpo's in: frs-dpo/);
});

Deno.test("reportJson() carries every cell's win-rates, means and status", () => {
  const json = reportJson({
    size: "small",
    sum: "sum-raw",
    generated: "now",
    bases: [
      eps((cell) =>
        cell.name === "soup-ipo"
          ? { cell, status: "done", result: result(cell.name, 0.75) }
          : { cell, status: "pending" }
      ),
    ],
  }) as { bases: { cells: Record<string, unknown>[]; base_means: unknown }[] };
  const cells = json.bases[0]!.cells;
  assert.equal(cells.length, 18);
  const soup = cells.find((c) => c.cell === "soup-ipo")!;
  assert.equal(soup.status, "done");
  assert.equal((soup.win_rate as Record<string, { estimate: number }>).preference?.estimate, 0.75);
  assert.deepEqual(soup.mean, { aesthetic: 6, alignment: 6, preference: 6 });
  assert.deepEqual(json.bases[0]!.base_means, { aesthetic: 5, alignment: 5, preference: 5 });
  assert.equal(cells.find((c) => c.cell === "frs-capo")!.win_rate, null);
});

Deno.test("formatReport() adds training diagnostics for trained cells only", () => {
  const training = {
    beta: 500,
    steps: 32,
    window: 8,
    loss: 0.0123,
    accuracy: 0.625,
    correlation: 0.4,
    dr_theta: 0.002,
    dr_ca: 0.25,
  };
  const md = formatReport({
    size: "default",
    sum: "sum-raw",
    generated: "now",
    bases: [eps((cell) => ({
      cell,
      status: "done",
      result: { ...result(cell.name, 0.5), training: cell.kind === "run" ? training : null },
    }))],
  });
  assert.match(md, /### Training diagnostics/);
  assert.match(
    md,
    /\| single aesthetic \| CaPO \| 500\.0 \| 32 \| 0\.01230 \| 62\.5 \| 0\.40 \| 0\.002000 \| 0\.2500 \|/,
  );
  assert.match(md, /\| FRS \| DPO \| 500\.0 \|/);
  // soups train nothing: no diagnostics rows
  assert.doesNotMatch(md.slice(md.indexOf("### Training diagnostics")), /\| SOUP \|.*500\.0/);
  // older results without diagnostics: no section
  const old = formatReport({
    size: "default",
    sum: "sum-raw",
    generated: "now",
    bases: [eps((cell) => ({ cell, status: "done", result: result(cell.name, 0.5) }))],
  });
  assert.doesNotMatch(old, /Training diagnostics/);
});

Deno.test("formatReport() gives each plan claim its tests' counts and one verdict per base", () => {
  const test = (b: string, metric: string, estimate: number, reject: boolean, p_holm: number) => ({
    comparison: `frs-capo vs ${b}`,
    a: "frs-capo",
    b,
    metric,
    seeds: { a: 3, b: b === "base" ? 1 : 3 },
    win_rate: { ...iv(estimate), null_value: 0.5, p_value: p_holm / 2 },
    p_value: p_holm / 2,
    reject,
    p_holm,
    mde: 0.09,
  });
  const compare = {
    statistic: "win_rate",
    family: 3,
    alpha: 0.05,
    prompts: 515,
    seeds_per_prompt: 2,
    comparisons: [
      test("sum-capo", "aesthetic", 0.6, true, 0.01),
      test("sum-capo", "alignment", 0.55, false, 0.2),
      test("base", "shapeeval", 0.45, true, 0.03),
    ],
  };
  const base = {
    ...eps((cell) => ({ cell, status: "done", result: result(cell.name, 0.6) })),
    compare: compare as unknown as CompareReport,
  };
  const md = formatReport({
    size: "default",
    plan: "plan.json",
    claims: {
      "(b) FRS beats SUM": ["frs-capo vs sum-capo on aesthetic,alignment"],
      "ShapeEval": ["frs-capo vs base on shapeeval"],
    },
    sum: "sum-raw",
    generated: "now",
    bases: [base],
  });
  assert.match(
    md,
    /\| \(b\) FRS beats SUM \| 2 \| 1 \| 0 \| 1 \| 55\.0 to 60\.0 \| 0\.20 \| inconclusive \|/,
  );
  assert.match(
    md,
    /\| ShapeEval \| 1 \| 0 \| 1 \| 0 \| 45\.0 to 45\.0 \| 0\.030 \| not reproduced \|/,
  );
});
