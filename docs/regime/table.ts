/**
 * Collects the regime grid's cells (docs/regime/grid.sh:
 * runs/regime-<base>-<loss>-b<beta>[-slow][-single-alignment]/) into docs/regime/results.md (one
 * table per setting, then the slow setting minus the default, cell by cell), results.json and one
 * plot per setting: win_rate_vs_beta.png, win_rate_vs_beta_slow.png (the 4x lower learning rate,
 * 4x steps setting) and win_rate_vs_beta_single_alignment.png. Diagnostics are means over the last quarter
 * of the steps; the probe's variance and bias^2 are its last reading; the gradient norm's
 * min / median / max and the share of steps clipped (norm > train.grad_clip) are over all steps.
 *
 *     deno run --allow-read=runs,docs --allow-write=docs/regime docs/regime/table.ts
 */
import { join } from "node:path";
import { figurePng, type LinePanel, PALETTE } from "../../pipeline/report/plot.ts";

const LOSSES = ["capo", "capo-k4", "capo-unbiased", "ipo", "ipo-unbiased", "dpo"];
const BETAS = [500, 2500, 10000];
const REWARDS = ["aesthetic", "alignment", "preference"];
const SETTINGS = [
  { name: "default", suffix: "", label: "lr 5e-6, 32 steps" },
  { name: "slow", suffix: "-slow", label: "lr 1.25e-6, 128 steps" },
  {
    name: "single-alignment",
    suffix: "-single-alignment",
    label: "single-reward alignment pairs, lr 5e-6, 32 steps",
  },
];

interface Interval {
  estimate: number;
  low: number;
  high: number;
}
interface Cell {
  setting: string;
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
  grad_norm_min: number;
  grad_norm_median: number;
  grad_norm_max: number;
  clipped: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function readCell(
  setting: typeof SETTINGS[number],
  base: string,
  loss: string,
  beta: number,
): Promise<Cell | null> {
  const dir = join("runs", `regime-${base}-${loss}-b${beta}${setting.suffix}`);
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
  const clip = JSON.parse(await Deno.readTextFile(join(dir, "config.json"))).train.grad_clip;
  const norms = lines.map((l) => l.grad_norm as number);
  return {
    setting: setting.name,
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
    grad_norm_min: Math.min(...norms),
    grad_norm_median: median(norms),
    grad_norm_max: Math.max(...norms),
    clipped: clip > 0 ? norms.filter((n) => n > clip).length / norms.length : 0,
  };
}

const pct = (i: Interval) =>
  `${(100 * i.estimate).toFixed(1)} [${(100 * i.low).toFixed(0)}, ${(100 * i.high).toFixed(0)}]`;
const num = (x: number | null, d = 3) => x === null ? "–" : x.toFixed(d);
const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;

const cells: Cell[] = [];
for (const setting of SETTINGS) {
  for (const base of ["eps", "flow"]) {
    for (const beta of BETAS) {
      for (const loss of LOSSES) {
        const c = await readCell(setting, base, loss, beta);
        if (c) cells.push(c);
      }
    }
  }
}

const sections = SETTINGS.map((setting) => {
  const mine = cells.filter((c) => c.setting === setting.name);
  if (mine.length === 0) return `## ${setting.label}\n\nNo cell has run yet.\n`;
  const ratio = mine.map((c) => c.grad_norm_max / c.grad_norm_median);
  return [
    `## ${setting.label} (${mine.length} cells)`,
    "",
    "| base | loss | beta | aesthetic | alignment | preference | ShapeEval base -> tuned | dR_theta | dR_ca | grad norm | backward | probe var | probe bias² |",
    "|---|---|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|",
    ...mine.map((c) =>
      `| ${c.base} | ${c.loss} | ${c.beta} | ${REWARDS.map((r) => pct(c.win[r]!)).join(" | ")} | ${
        c.shapeeval.base.toFixed(3)
      } -> ${c.shapeeval.tuned.toFixed(3)} | ${num(c.dr_theta)} | ${num(c.dr_ca)} | ${
        num(c.grad_norm, 1)
      } | ${num(c.backward, 2)} | ${num(c.probe_var, 4)} | ${num(c.probe_bias2, 4)} |`
    ),
    "",
    `Gradient norms over every step of these cells: smallest ${
      num(Math.min(...mine.map((c) => c.grad_norm_min)), 2)
    }; share of steps clipped ${num(mean(mine.map((c) => c.clipped)), 2)}; within a cell the ` +
    `largest norm is ${num(median(ratio), 1)}x the cell's median norm (median over cells; at ` +
    `most ${num(Math.max(...ratio), 1)}x).`,
    "",
  ].join("\n");
});
/** Slow (4x lower lr, 4x steps) against the default setting, cell by cell, on the mean win-rate. */
function stepSizeSection(): string {
  const meanWin = (c: Cell) => 100 * mean(REWARDS.map((r) => c.win[r]!.estimate));
  const rows: string[] = [];
  const diffs: number[] = [];
  for (const slow of cells.filter((c) => c.setting === "slow")) {
    const fast = cells.find((c) =>
      c.setting === "default" && c.base === slow.base && c.loss === slow.loss &&
      c.beta === slow.beta
    );
    if (!fast) continue;
    const d = meanWin(slow) - meanWin(fast);
    diffs.push(d);
    const per = REWARDS.map((r) => signed(100 * (slow.win[r]!.estimate - fast.win[r]!.estimate)));
    rows.push(
      `| ${slow.base} | ${slow.loss} | ${slow.beta} | ${meanWin(fast).toFixed(1)} | ${
        meanWin(slow).toFixed(1)
      } | ${signed(d)} | ${per.join(" / ")} |`,
    );
  }
  if (rows.length === 0) return "";
  return [
    `## Step size: slow minus default, cell by cell (${rows.length} pairs of cells)`,
    "",
    "Mean win-rate over the three rewards, %; the last column is the change per reward (aesthetic / alignment / preference).",
    "",
    "| base | loss | beta | default mean | slow mean | slow - default | per reward |",
    "|---|---|---:|---:|---:|---:|---|",
    ...rows,
    "",
    `Slow above default in ${diffs.filter((d) => d > 0).length} of ${diffs.length}; median ` +
    `difference ${median(diffs).toFixed(1)} points.`,
    "",
  ].join("\n");
}

await Deno.writeTextFile(
  "docs/regime/results.md",
  `<!-- written by docs/regime/table.ts from runs/regime-*; ${cells.length} cells -->\n\n${
    [...sections, stepSizeSection()].join("\n")
  }`,
);
await Deno.writeTextFile("docs/regime/results.json", JSON.stringify(cells, null, 2) + "\n");

for (const setting of SETTINGS) {
  const mine = cells.filter((c) => c.setting === setting.name);
  if (mine.length === 0) continue;
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
          const at = BETAS.map((b) =>
            mine.find((c) => c.base === base && c.loss === loss && c.beta === b)
          );
          return {
            label: loss,
            x: BETAS.map((b) => Math.log10(b)),
            y: at.map((c) => c ? 100 * c.win[reward]!.estimate : null),
            colour: PALETTE[i % PALETTE.length]!,
          };
        }),
      });
    }
  }
  const file = `docs/regime/win_rate_vs_beta${setting.suffix.replaceAll("-", "_")}.png`;
  await Deno.writeFile(
    file,
    figurePng({
      columns: 3,
      panels,
      title: `Dev win-rate against beta (${setting.label})`,
    }),
  );
  console.log(`${mine.length} cells (${setting.label}) -> ${file}`);
}
console.log(`${cells.length} cells -> docs/regime/results.md, results.json`);
