/**
 * The reproduce report: per base, the paper's two tables at our scale, from whatever cells are
 * complete, as markdown (`reproduce.md`) and JSON (`reproduce.json`), both written atomically.
 *
 *   Table 1, single reward: a row per (reward trained on, loss);
 *   Table 2, multi-reward:  a row per (SUM | SOUP | FRS, loss);
 * each row: win-rate of the tuned model over the base on every reward (ties half, 95%
 * bootstrap interval over prompts), the mean of every reward, ShapeEval overall, training
 * pairs and time; a 'base' row gives the base model's means. Then ShapeEval's GenEval-style
 * table of the base against CaPO+FRS, and the rerun line of every cell.
 * Pure: the caller gathers the cell results (reproduce/collect.ts).
 */
import { join } from "node:path";
import type { Interval } from "../../stages/evaluate/bootstrap.ts";
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { type EvalTable, formatEvalTable } from "../../shapeworld/evaluate.ts";
import { type Cell, REWARDS, type SumVariant } from "./cells.ts";
import type { CellResult } from "./cell_result.ts";
import type { Size } from "./cell_config.ts";
import type { CompareReport } from "../../stages/evaluate/compare_report.ts";
import {
  type MetricComparison,
  parseComparison,
  type Statistic,
} from "../../stages/evaluate/compare_cells.ts";

/**
 * The verdict on a declared comparison 'A vs B', which claims A better than B (H0: no
 * difference): reproduced when the Holm-corrected test rejects with A ahead, not reproduced
 * when it rejects with B ahead, inconclusive when it does not reject.
 */
export function verdict(
  c: MetricComparison,
  statistic: Statistic,
): "reproduced" | "not reproduced" | "inconclusive" {
  if (!c.reject) return "inconclusive";
  const t = c[statistic];
  return t.estimate > t.null_value ? "reproduced" : "not reproduced";
}

export type Verdict = ReturnType<typeof verdict>;

/**
 * A claim's verdict from its tests' (a claim such as "CaPO beats DPO and IPO on the reward it
 * trains on" holds only if every one of its tests does): not reproduced when any test is not
 * reproduced, reproduced when every test is, inconclusive otherwise.
 */
export function claimVerdict(tests: readonly Verdict[]): Verdict {
  if (tests.length === 0) throw new RangeError("Cannot judge a claim that has no tests");
  if (tests.includes("not reproduced")) return "not reproduced";
  return tests.every((t) => t === "reproduced") ? "reproduced" : "inconclusive";
}

/** The tested rows of a base's comparisons that a claim's declared comparisons name. */
export function claimTests(
  r: CompareReport,
  declared: readonly string[],
  cells: readonly string[],
): MetricComparison[] {
  return declared.flatMap((d) => {
    const [a, b, on] = parseComparison(d, cells);
    return r.comparisons.filter((c) =>
      c.a === a && c.b === b && (on === null || on.includes(c.metric))
    );
  });
}

/** Each claim's tests on a base with comparisons, and their verdicts. */
function claimOutcomes(
  b: BaseReport & { compare: CompareReport },
  claims: Record<string, string[]>,
) {
  const r = b.compare;
  const cells = b.cells.map((s) => s.cell.name);
  return Object.entries(claims).map(([name, declared]) => {
    const tests = claimTests(r, declared, cells);
    return { name, declared, tests, verdicts: tests.map((c) => verdict(c, r.statistic)) };
  });
}

function claimSection(b: BaseReport, claims: Record<string, string[]>): string[] {
  const r = b.compare;
  if (!r || Object.keys(claims).length === 0) return [];
  const lines = [
    "### Claims",
    "",
    "A claim is reproduced when every one of its tests is, not reproduced when any test is " +
    "not reproduced (Holm-rejected with the baseline ahead), inconclusive otherwise.",
    "",
    "| Claim | Tests | Reproduced | Not reproduced | Inconclusive | Effects (range) | Largest p (Holm) | Verdict |",
    "|---|---:|---:|---:|---:|---|---:|---|",
  ];
  for (const { name, tests, verdicts: v } of claimOutcomes({ ...b, compare: r }, claims)) {
    if (tests.length === 0) {
      lines.push(`| ${cellText(name)} | 0 | - | - | - | - | - | no test ran |`);
      continue;
    }
    const count = (x: Verdict) => v.filter((y) => y === x).length;
    const est = tests.map((c) => c[r.statistic].estimate);
    lines.push(
      `| ${cellText(name)} | ${tests.length} | ${count("reproduced")} | ${
        count("not reproduced")
      } | ${count("inconclusive")} | ${pct(Math.min(...est))} to ${pct(Math.max(...est))} | ${
        Math.max(...tests.map((c) => c.p_holm)).toPrecision(2)
      } | ${claimVerdict(v)} |`,
    );
  }
  return [...lines, ""];
}

function comparisonSection(b: BaseReport): string[] {
  const r = b.compare;
  if (!r) return [];
  const lines = [
    "### Pre-registered comparisons",
    "",
    `Paired over ${r.prompts} prompts x ${r.seeds_per_prompt} seeds and every cell's training ` +
    `seeds; statistic ${r.statistic}, Holm over the family of ${r.family} tests, alpha ${r.alpha}. ` +
    "A comparison 'A vs B' claims A better than B.",
    "",
    "| Comparison | Metric | Seeds (A, B) | Effect (95% CI) | p | p (Holm) | MDE (80%) | Verdict |",
    "|---|---|---|---|---:|---:|---:|---|",
  ];
  for (const c of r.comparisons) {
    const t = c[r.statistic];
    lines.push(
      `| ${c.comparison} | ${c.metric} | ${c.seeds.a}, ${c.seeds.b} | ${pct(t.estimate)} [${
        pct(t.low)
      }, ${pct(t.high)}] | ${c.p_value.toPrecision(2)} | ${c.p_holm.toPrecision(2)} | ${
        pct(c.mde)
      } | ${verdict(c, r.statistic)} |`,
    );
  }
  return [...lines, ""];
}

export interface CellStatus {
  cell: Cell;
  /** done: result.json holds the current identity; stale: it holds an older one. */
  status: "done" | "pending" | "failed" | "stale";
  result?: CellResult;
  error?: string;
  rerun?: string;
  /** Training seeds of the cell when more than one (result is then their aggregate). */
  seeds?: number;
}

export interface BaseReport {
  /** 'eps' or 'flow'. */
  base: string;
  model: string;
  /** Why the base's cells cannot run (no model), or null. */
  missing: string | null;
  /** Seconds of the shared prompts/generate/score stages when computed, if known. */
  sharedSeconds?: number | null;
  cells: CellStatus[];
  /** A frozen plan's declared comparisons, once every cell of the base is done. */
  compare?: CompareReport | null;
}

export interface ReproduceReport {
  size: Size;
  /** The frozen plan file the cells ran, if any. */
  plan?: string | null;
  /** The plan's claims (repro_plan.ts): name -> its declared comparisons. */
  claims?: Record<string, string[]>;
  sum: SumVariant;
  generated: string;
  bases: BaseReport[];
}

const LOSS_LABEL: Record<string, string> = { dpo: "DPO", ipo: "IPO", capo: "CaPO" };
/** A cell's loss column: the paper's loss, or the variant's name marked as ours. */
const trainerLabel = (c: Cell) => LOSS_LABEL[c.trainer] ?? `${c.trainer} (ours)`;
const pct = (x: number) => (100 * x).toFixed(1);
const interval = (i: Interval) => `${pct(i.estimate)} [${pct(i.low)}, ${pct(i.high)}]`;
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));
const cellText = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");

function methodLabel(cell: Cell, sum: SumVariant): string {
  if (cell.table === "single") return cell.method;
  if (cell.method === "sum") return sum === "sum-raw" ? "SUM (raw)" : "SUM (calibrated)";
  return cell.method.toUpperCase();
}

function rewardOf(r: CellResult, name: string) {
  return r.eval.rewards.find((x) => x.reward === name);
}

const HEAD = [
  ...REWARDS.map((r) => `Win-rate ${r} (95% CI)`),
  ...REWARDS.map((r) => `Mean ${r}`),
  "ShapeEval overall",
  "Pairs",
  "Time (s)",
];

function row(name: string, loss: string, s: CellStatus): string {
  const r = s.result;
  const label = s.seeds === undefined ? name : `${name} (${s.seeds} seeds)`;
  if (s.status !== "done" || r === undefined) {
    const why = s.status === "failed" ? `failed: ${cellText(s.error ?? "")}` : s.status;
    return `| ${label} | ${loss} | ${why} |${" - |".repeat(HEAD.length - 1)}`;
  }
  const wins = REWARDS.map((k) => {
    const c = rewardOf(r, k);
    return c ? interval(c.win_rate) : "-";
  });
  const means = REWARDS.map((k) => {
    const c = rewardOf(r, k);
    return c ? num(c.mean_tuned) : "-";
  });
  const se = r.eval.shapeeval ? r.eval.shapeeval.tuned.overall.toFixed(2) : "-";
  return `| ${label} | ${loss} | ${
    [...wins, ...means, se, r.pairs ?? "-", r.seconds.toFixed(0)].join(" | ")
  } |`;
}

/** The base model's means from the first finished cell (every cell samples it identically). */
function baseRow(done: CellResult[]): { line: string; note: string | null } {
  const first = done[0];
  if (first === undefined) return { line: "", note: null };
  const means = REWARDS.map((k) => {
    const c = rewardOf(first, k);
    return c ? num(c.mean_base) : "-";
  });
  const se = first.eval.shapeeval ? first.eval.shapeeval.base.overall.toFixed(2) : "-";
  const differ = done.filter((r) =>
    REWARDS.some((k) => {
      const a = rewardOf(r, k)?.mean_base, b = rewardOf(first, k)?.mean_base;
      return a !== undefined && b !== undefined && Math.abs(a - b) > 1e-9 * (1 + Math.abs(b));
    })
  ).map((r) => r.cell);
  return {
    line: `| base | - | ${REWARDS.map(() => "-").join(" | ")} | ${
      means.join(" | ")
    } | ${se} | - | - |`,
    note: differ.length === 0
      ? null
      : `Base means differ from ${first.cell}'s in: ${
        differ.join(", ")
      } (their evaluations are not comparable).`,
  };
}

function table(title: string, first: string, rows: string[], base: string): string[] {
  return [
    `### ${title}`,
    "",
    `| ${first} | Loss | ${HEAD.join(" | ")} |`,
    `|---|---|${HEAD.map(() => "---:").join("|")}|`,
    ...(base === "" ? [] : [base]),
    ...rows,
    "",
  ];
}

const opt = (x: number | null | undefined) => (typeof x === "number" ? num(x) : "-");

/** The trained cells' diagnostics (pipeline/reproduce/train_diagnostics.ts), to explain the tables. */
function diagnosticsTable(cells: CellStatus[], sum: SumVariant): string[] {
  const rows = cells.flatMap((s) => {
    const d = s.status === "done" ? s.result?.training : undefined;
    if (!d) return [];
    const label = s.cell.table === "single" ? `single ${s.cell.method}` : methodLabel(s.cell, sum);
    const r = d.correlation === null ? "-" : d.correlation.toFixed(2);
    return [
      `| ${label} | ${trainerLabel(s.cell)} | ${num(d.beta)} | ${d.steps} | ${num(d.loss)} | ${
        pct(d.accuracy)
      } | ${r} | ${num(d.dr_theta)} | ${num(d.dr_ca)} | ${opt(d.grad_norm)} | ${
        opt(d.backward)
      } | ${opt(d.probe_var)} | ${opt(d.probe_bias2)} |`,
    ];
  });
  if (rows.length === 0) return [];
  return [
    "### Training diagnostics",
    "",
    "Means over the last quarter of each cell's training steps (train/log.jsonl): the loss, the " +
    "implicit accuracy (share of pairs with dR_theta > 0), Pearson r of dR_theta with the " +
    "calibrated gap dR_ca, the mean gaps themselves, the gradient norm before any clip, the " +
    "share of pairs whose loss weight pushes them backwards, and the last two-draw probe's " +
    "Var(dR) and bias² (docs/method.md §5.5).",
    "",
    "| Cell | Loss | beta | Steps | Final loss | Implicit accuracy % | r(dR_theta, dR_ca) | dR_theta | dR_ca | Grad norm | Backward | Probe var | Probe bias² |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
  ];
}

function baseSection(
  b: BaseReport,
  sum: SumVariant,
  claims: Record<string, string[]>,
): string[] {
  const out = [`## ${b.base} base (\`${b.model}\`)`, ""];
  if (b.missing !== null) {
    return [...out, `**Not run:** ${b.missing}. No numbers are shown for this base.`, ""];
  }
  const done = b.cells.flatMap((s) => (s.status === "done" && s.result ? [s.result] : []));
  const e = done[0]?.eval;
  out.push(
    `${done.length} of ${b.cells.length} cells complete. ` +
      (e
        ? `Evaluation: ${e.prompts} eval prompts x ${e.seeds_per_prompt} seeds (${e.images} images ` +
          `per model, the same initial noise for base and tuned), ${e.sampling.steps} steps, ` +
          `guidance ${e.sampling.guidance}. Win-rate of the tuned model over the base in %, ties ` +
          `half, 95% bootstrap interval over prompts (and over training seeds for a cell ` +
          `with several: its numbers are their means); means are the tuned model's.`
        : "No cell is complete yet."),
    "",
  );
  const base = baseRow(done);
  const single = b.cells.filter((s) => s.cell.table === "single");
  const multi = b.cells.filter((s) => s.cell.table === "multi");
  out.push(
    ...table(
      "Table 1: single reward",
      "Trained on",
      single.map((s) => row(methodLabel(s.cell, sum), trainerLabel(s.cell), s)),
      base.line,
    ),
    ...table(
      "Table 2: multi-reward",
      "Method",
      multi.map((s) => row(methodLabel(s.cell, sum), trainerLabel(s.cell), s)),
      base.line,
    ),
  );
  if (base.note !== null) out.push(`> ${base.note}`, "");
  out.push(...diagnosticsTable(b.cells, sum));
  out.push(...comparisonSection(b), ...claimSection(b, claims));
  out.push("### ShapeEval: base vs CaPO+FRS", "");
  const frs = b.cells.find((s) => s.cell.name === "frs-capo");
  const se = frs?.status === "done" ? frs.result?.eval.shapeeval : undefined;
  if (se) {
    const rows: { label: string; table: EvalTable }[] = [
      { label: "base", table: se.base },
      { label: "CaPO+FRS", table: se.tuned },
    ];
    out.push(
      formatEvalTable(rows),
      "",
      `Win-rate of CaPO+FRS on ShapeEval correctness: ${interval(se.win_rate)}.`,
      "",
    );
  } else {
    out.push("Cell frs-capo is not complete (or ran without ShapeEval).", "");
  }
  out.push("### Cells", "", "| Cell | Status | Time (s) | Rerun alone |", "|---|---|---:|---|");
  for (const s of b.cells) {
    const t = s.status === "done" && s.result ? s.result.seconds.toFixed(0) : "-";
    const status = s.status === "failed" ? `failed: ${cellText(s.error ?? "")}` : s.status;
    out.push(`| ${s.cell.name} | ${status} | ${t} | \`${s.rerun ?? "-"}\` |`);
  }
  const total = done.reduce((a, r) => a + r.seconds, 0);
  const shared = b.sharedSeconds ?? null;
  out.push(
    "",
    `Time of the complete cells: ${total.toFixed(0)} s` +
      (shared === null
        ? "."
        : `, plus ${shared.toFixed(0)} s for the shared prompts/generate/score stages.`),
    "",
    "A cell's time is the wall-clock of the invocation that finished it (calibrate to " +
      "evaluate; a cell finished by a resumed invocation shows only the resumed part).",
    "",
    "Every cell's config.json holds its seeds (generate.seed, select.seed, train.seed, " +
      "evaluate.seed_base and evaluate.seed) and reruns it alone with the line above.",
    "",
  );
  return out;
}

export function formatReport(r: ReproduceReport): string {
  return [
    "# CaPO's tables at ShapeWorld scale (`deno task reproduce`)",
    "",
    `${r.plan ? `Frozen plan \`${r.plan}\`` : `Size preset '${r.size}'`}; SUM selects by ${
      r.sum === "sum-raw" ? "the sum of raw rewards" : "the sum of calibrated rewards"
    }; generated ${r.generated} from the cells' result.json files.`,
    "",
    ...(r.size === "small" && !r.plan
      ? [
        "> **A demonstration, not a result.** The small size (32 prompts x 8 samples, 16 eval " +
        "prompts x 1 seed, one training seed) checks that every cell runs; its win-rates carry " +
        "intervals of tens of points and say nothing about the method.",
        "",
      ]
      : []),
    ...r.bases.flatMap((b) => baseSection(b, r.sum, r.claims ?? {})),
  ].join("\n");
}

/** The numbers of the report, for tools. */
export function reportJson(r: ReproduceReport): unknown {
  return {
    size: r.size,
    sum: r.sum,
    generated: r.generated,
    bases: r.bases.map((b) => {
      const first = b.cells.find((s) => s.status === "done")?.result;
      return {
        base: b.base,
        model: b.model,
        missing: b.missing,
        base_means: first
          ? Object.fromEntries(first.eval.rewards.map((c) => [c.reward, c.mean_base]))
          : null,
        base_shapeeval: first?.eval.shapeeval?.base ?? null,
        comparisons: b.compare
          ? b.compare.comparisons.map((c) => ({ ...c, verdict: verdict(c, b.compare!.statistic) }))
          : null,
        claims: b.compare
          ? claimOutcomes({ ...b, compare: b.compare }, r.claims ?? {}).map((o) => ({
            claim: o.name,
            comparisons: o.declared,
            verdict: o.tests.length === 0 ? null : claimVerdict(o.verdicts),
          }))
          : null,
        cells: b.cells.map((s) => ({
          cell: s.cell.name,
          table: s.cell.table,
          method: s.cell.method,
          loss: s.cell.loss,
          trainer: s.cell.trainer,
          status: s.status,
          error: s.error ?? null,
          rerun: s.rerun ?? null,
          pairs: s.result?.pairs ?? null,
          steps: s.result?.steps ?? null,
          seconds: s.result?.seconds ?? null,
          win_rate: s.result
            ? Object.fromEntries(s.result.eval.rewards.map((c) => [c.reward, c.win_rate]))
            : null,
          mean: s.result
            ? Object.fromEntries(s.result.eval.rewards.map((c) => [c.reward, c.mean_tuned]))
            : null,
          shapeeval: s.result?.eval.shapeeval?.tuned ?? null,
        })),
      };
    }),
  };
}

/** Writes `<dir>/reproduce.md` and `<dir>/reproduce.json` atomically. */
export async function writeReport(dir: string, r: ReproduceReport): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, "reproduce.json"), JSON.stringify(reportJson(r), null, 2) + "\n");
  await writeFileAtomic(join(dir, "reproduce.md"), formatReport(r));
}
