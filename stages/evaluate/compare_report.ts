/**
 * `capo compare`'s outputs: `compare.json` (the CompareResult plus what was compared) and
 * `compare.md`: the cells against the base (mean of every metric, win-rate over the base with
 * its interval over prompts and training seeds, ShapeEval's table averaged over seeds), then the
 * declared comparisons with the three statistics and the Holm-corrected decisions.
 */
import { formatEvalTable } from "../../shapeworld/evaluate.ts";
import type { Interval } from "./bootstrap.ts";
import type { CompareResult } from "./compare_cells.ts";
import { writeReportFiles } from "./eval_report.ts";

export interface CompareReport extends CompareResult {
  /** The base model and every cell's models, as given. */
  base: string;
  cells_models: Record<string, string[]>;
  sampling: { prompts_file: string; steps: number; guidance: number; seed_base: number };
  resamples: number;
  level: number;
}

const pct = (x: number) => (100 * x).toFixed(1);
const signedPct = (x: number) => `${x >= 0 ? "+" : ""}${pct(x)}`;
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));
const signed = (x: number) => `${x >= 0 ? "+" : ""}${num(x)}`;
const pval = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));
const ci = (i: Interval, f: (x: number) => string) =>
  `${f(i.estimate)} [${f(i.low)}, ${f(i.high)}]`;

export function formatCompare(r: CompareReport): string {
  const lvl = Math.round(100 * r.level);
  const lines = [
    "# Paired comparisons (`capo compare`)",
    "",
    `${r.prompts} prompts of \`${r.sampling.prompts_file}\` x ${r.seeds_per_prompt} seeds ` +
    `(${r.images} images per model, the same initial noise for every model), ` +
    `${r.sampling.steps} sampling steps, guidance ${r.sampling.guidance}. Intervals: ${lvl}% ` +
    `paired bootstrap over prompts and training seeds (${r.resamples} resamples). Base: ` +
    `\`${r.base}\`.`,
    "",
    "## Cells against the base",
    "",
    `| Cell | Seeds | ${r.metrics.map((m) => `Mean ${m}`).join(" | ")} | ${
      r.metrics.map((m) => `Win-rate ${m} % (${lvl}% CI)`).join(" | ")
    } |`,
    `|---|---:|${r.metrics.map(() => "---:").join("|")}|${r.metrics.map(() => "---:").join("|")}|`,
    ...r.cells.map((c) =>
      `| ${c.cell} | ${c.seeds} | ${r.metrics.map((m) => num(c.mean[m]!)).join(" | ")} | ${
        r.metrics.map((m) => (c.win_rate ? ci(c.win_rate[m]!, pct) : "-")).join(" | ")
      } |`
    ),
    "",
  ];
  const tables = r.cells.flatMap((
    c,
  ) => (c.shapeeval ? [{ label: c.cell, table: c.shapeeval }] : []));
  if (tables.length > 0) {
    lines.push(
      "### ShapeEval (GenEval's categories, mean over training seeds)",
      "",
      formatEvalTable(tables),
      "",
    );
  }
  lines.push(
    "## Declared comparisons",
    "",
    `Tested: ${r.statistic.replaceAll("_", " ")} over ${r.family} tests (comparisons x ` +
      `metrics), Holm-corrected, family-wise alpha ${r.alpha}. The other statistics' p-values are ` +
      "uncorrected. MDE: the smallest true difference in the tested statistic this design " +
      `detects with 80% power at alpha / ${r.family} (stages/evaluate/power.ts), in its units.`,
    "",
    `| Comparison | Metric | Seeds | Win-rate A over B % | Δ win-rate vs base (pts) | Δ mean | ` +
      `p (${r.statistic}) | p Holm | Rejected | MDE |`,
    "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ...r.comparisons.map((c) =>
      `| ${c.comparison} | ${c.metric} | ${c.seeds.a} / ${c.seeds.b} | ${ci(c.win_rate, pct)} | ${
        ci(c.delta_win_rate, signedPct)
      } | ${ci(c.delta_mean, signed)} | ${pval(c.p_value)} | ${pval(c.p_holm)} | ${
        c.reject ? "yes" : "no"
      } | ${c.mde === undefined ? "-" : r.statistic === "delta_mean" ? num(c.mde) : pct(c.mde)} |`
    ),
    "",
  );
  return lines.join("\n");
}

/** Writes `<dir>/compare.json` and `<dir>/compare.md` atomically. */
export async function writeCompareReport(dir: string, r: CompareReport): Promise<void> {
  await writeReportFiles(dir, "compare", r, formatCompare);
}
