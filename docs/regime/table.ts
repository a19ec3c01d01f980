/**
 * Collects the regime grid's cells (docs/regime/grid.sh: runs/regime-<base>-<loss>-b<beta>/) into
 * docs/regime/results.md, results.json and win_rate_vs_beta.png. Diagnostics are means over the
 * last quarter of the steps; the probe's variance and bias^2 are its last reading.
 *
 *     deno run --allow-read=runs,docs --allow-write=docs/regime docs/regime/table.ts
 */
import { join } from "node:path";
import { figurePng, type LinePanel, PALETTE } from "../../pipeline/report/plot.ts";

const LOSSES = ["capo", "capo-k4", "capo-unbiased", "ipo", "ipo-unbiased", "dpo"];
const BETAS = [500, 2500, 10000];
const REWARDS = ["aesthetic", "alignment", "preference"];

interface Interval {
  estimate: number;
  low: number;
  high: number;
}
interface Cell {
  base: string;
  loss: string;
  beta: number;
  win: Record<string, Interval>;
  shapeeval: { base: number; tuned: number };
  dr_theta: number;
  dr_ca: number;
  grad_norm: number;
  backward: number;
  probe_var: number | null;
  probe_bias2: number | null;
  step_seconds: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function readCell(base: string, loss: string, beta: number): Promise<Cell | null> {
  const dir = join("runs", `regime-${base}-${loss}-b${beta}`);
  let evalJson;
  try {
    evalJson = JSON.parse(await Deno.readTextFile(join(dir, "eval", "eval.json")));
  } catch {
    return null;
  }
  const lines = (await Deno.readTextFile(join(dir, "train", "log.jsonl"))).trim().split("\n")
    .map((l) => JSON.parse(l));
  const last = lines.slice(Math.floor(lines.length * 0.75));
  const probed = lines.filter((l) => typeof l.probe_var === "number");
  const lastProbe = probed.at(-1);
  const win: Record<string, Interval> = {};
  for (const r of evalJson.rewards) win[r.reward] = r.win_rate;
  return {
    base,
    loss,
    beta,
    win,
    shapeeval: { base: evalJson.shapeeval.base.overall, tuned: evalJson.shapeeval.tuned.overall },
    dr_theta: mean(last.map((l) => l.dr_theta)),
    dr_ca: mean(last.map((l) => l.dr_ca)),
    grad_norm: mean(last.map((l) => l.grad_norm)),
    backward: mean(last.map((l) => l.backward ?? 0)),
    probe_var: lastProbe?.probe_var ?? null,
    probe_bias2: lastProbe?.probe_bias2 ?? null,
    step_seconds: mean(lines.map((l) => l.seconds)),
  };
}

const pct = (i: Interval) =>
  `${(100 * i.estimate).toFixed(1)} [${(100 * i.low).toFixed(0)}, ${(100 * i.high).toFixed(0)}]`;
const num = (x: number | null, d = 3) => x === null ? "–" : x.toFixed(d);

const cells: Cell[] = [];
for (const base of ["eps", "flow"]) {
  for (const beta of BETAS) {
    for (const loss of LOSSES) {
      const c = await readCell(base, loss, beta);
      if (c) cells.push(c);
    }
  }
}

const rows = [
  "| base | loss | beta | aesthetic | alignment | preference | ShapeEval base -> tuned | dR_theta | dR_ca | grad norm | backward | probe var | probe bias² |",
  "|---|---|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|",
  ...cells.map((c) =>
    `| ${c.base} | ${c.loss} | ${c.beta} | ${REWARDS.map((r) => pct(c.win[r]!)).join(" | ")} | ${
      c.shapeeval.base.toFixed(3)
    } -> ${c.shapeeval.tuned.toFixed(3)} | ${num(c.dr_theta)} | ${num(c.dr_ca)} | ${
      num(c.grad_norm, 1)
    } | ${num(c.backward, 2)} | ${num(c.probe_var, 4)} | ${num(c.probe_bias2, 4)} |`
  ),
];
await Deno.writeTextFile(
  "docs/regime/results.md",
  `<!-- written by docs/regime/table.ts from runs/regime-*; ${cells.length} cells -->\n\n${
    rows.join("\n")
  }\n`,
);
await Deno.writeTextFile("docs/regime/results.json", JSON.stringify(cells, null, 2) + "\n");

const panels: LinePanel[] = [];
for (const base of ["eps", "flow"]) {
  for (const reward of REWARDS) {
    panels.push({
      kind: "lines",
      title: `${base}: ${reward}`,
      xLabel: "log10 beta",
      yLabel: "dev win-rate vs base (%)",
      refLine: { y: 50 },
      legend: "below",
      series: LOSSES.map((loss, i) => {
        const mine = BETAS.map((b) =>
          cells.find((c) => c.base === base && c.loss === loss && c.beta === b)
        );
        return {
          label: loss,
          x: BETAS.map((b) => Math.log10(b)),
          y: mine.map((c) => c ? 100 * c.win[reward]!.estimate : null),
          colour: PALETTE[i % PALETTE.length]!,
        };
      }),
    });
  }
}
await Deno.writeFile(
  "docs/regime/win_rate_vs_beta.png",
  figurePng({ columns: 3, panels, title: "Dev win-rate against beta, one line per loss" }),
);
console.log(`${cells.length} cells -> docs/regime/results.md, results.json, win_rate_vs_beta.png`);
