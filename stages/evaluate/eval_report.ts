/**
 * The evaluation's outputs: `eval.json` (the ComparisonResult plus what was compared) and
 * `eval.md`, a markdown section for a run report: the win-rate table (percent, 95% interval,
 * wins/ties/losses, mean reward of each model) and ShapeEval's GenEval-style table.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { formatEvalTable } from "../../shapeworld/evaluate.ts";
import type { Interval } from "./bootstrap.ts";
import type { ComparisonResult } from "./compare_models.ts";

export interface EvalReport extends ComparisonResult {
  /** What was compared (paths or names). */
  base: string;
  tuned: string;
  /** Identifies the inputs and options, so an unchanged evaluation need not be redone. */
  identity?: string;
}

const pct = (x: number) => (100 * x).toFixed(1);
const interval = (i: Interval) => `${pct(i.estimate)} [${pct(i.low)}, ${pct(i.high)}]`;
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));

/** The markdown section. */
export function formatEvalSection(
  r: Omit<EvalReport, "per_image">,
  title = "Evaluation: fine-tuned vs base",
): string {
  const lvl = Math.round(
    100 * (r.rewards[0]?.win_rate.level ?? r.shapeeval?.win_rate.level ?? 0.95),
  );
  const lines = [
    `## ${title}`,
    "",
    `Tuned \`${r.tuned}\` against base \`${r.base}\` on ${r.prompts} prompts x ` +
    `${r.seeds_per_prompt} seeds (${r.images} images per model, the same initial noise for ` +
    `both), ${r.sampling.steps} sampling steps, guidance ${r.sampling.guidance}. Win-rate in %, ` +
    `ties count half, ${lvl}% bootstrap interval over prompts.`,
    "",
  ];
  if (r.rewards.length > 0) {
    lines.push(
      `| Reward | Win-rate of tuned (${lvl}% CI) | Wins / ties / losses | Mean base | Mean tuned |`,
      "|---|---:|---:|---:|---:|",
      ...r.rewards.map((c) =>
        `| ${c.reward} | ${interval(c.win_rate)} | ${c.wins} / ${c.ties} / ${c.losses} | ` +
        `${num(c.mean_base)} | ${num(c.mean_tuned)} |`
      ),
      "",
    );
  }
  if (r.shapeeval) {
    lines.push(
      "### ShapeEval (GenEval's categories)",
      "",
      formatEvalTable([
        { label: "base", table: r.shapeeval.base },
        { label: "tuned", table: r.shapeeval.tuned },
      ]),
      "",
      `Win-rate of tuned on ShapeEval correctness: ${interval(r.shapeeval.win_rate)}.`,
      "",
    );
  }
  return lines.join("\n");
}

/** Writes `<dir>/eval.json` and `<dir>/eval.md` atomically. */
export async function writeEvalReport(dir: string, r: EvalReport): Promise<void> {
  await writeReportFiles(dir, "eval", r, formatEvalSection);
}

/**
 * Writes report `r` atomically as `<dir>/<name>.json` (indented) and then as
 * `<dir>/<name>.md` (`format(r)`), making `dir` if needed; stages/evaluate/compare_report.ts
 * writes its report with it too.
 */
export async function writeReportFiles<R>(
  dir: string,
  name: string,
  r: R,
  format: (r: R) => string,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, `${name}.json`), JSON.stringify(r, null, 2) + "\n");
  await writeFileAtomic(join(dir, `${name}.md`), format(r));
}
