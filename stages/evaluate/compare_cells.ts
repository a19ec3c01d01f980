/**
 * Paired comparisons of cells (docs/method.md §6.5): a cell is one configuration trained with
 * one or more training seeds (a model each), or the base. Every model is scored on the same
 * prompts and seeds, so image i of any two models was sampled from the same initial noise.
 *
 * Notation: metric m (a reward, or ShapeEval's correctness 1/0), image (p, k) = prompt p, eval
 * seed k; A_s = cell A's model of training seed s; win(X, Y) = 1, 0.5 or 0 as X's score beats,
 * ties or loses to Y's on the same image (eq. 6.1).
 *   1. head-to-head win-rate      x[p, s, t] = mean_k win(A_s, B_t)                 H0: 0.5
 *   2. delta win-rate vs the base x[p, s, t] = mean_k win(A_s, base) - win(B_t, base)   H0: 0
 *   3. delta mean                 x[p, s, t] = mean_k m(A_s) - m(B_t)                    H0: 0
 * each with the paired bootstrap over prompts and both cells' training seeds
 * (paired_bootstrap.ts). The tested family is every declared comparison x every metric (or the
 * metrics a comparison names: 'A vs B on aesthetic'), on
 * the declared statistic; its p-values are Holm-corrected (holm.ts) and a test is rejected
 * when the adjusted p-value is <= alpha. The other two statistics are reported with their
 * intervals and uncorrected p-values, as descriptions.
 */
import { type EvalTable, evalTable } from "../../shapeworld/evaluate.ts";
import type { Interval } from "./bootstrap.ts";
import { holm } from "./holm.ts";
import type { ModelScores } from "./model_scores.ts";
import { pairedBootstrap, type PairedTest } from "./paired_bootstrap.ts";
import {
  designSE,
  minimumDetectable,
  type VarianceComponents,
  varianceComponents,
} from "./power.ts";

/** The cell name of the base model in comparisons. */
export const BASE_CELL = "base";

/** ShapeEval's correctness as a metric. */
export const SHAPEEVAL_METRIC = "shapeeval";

export const STATISTICS = ["win_rate", "delta_win_rate", "delta_mean"] as const;
export type Statistic = typeof STATISTICS[number];

export interface CompareStats {
  /** "A vs B", A and B cell names or 'base'. */
  comparisons: readonly string[];
  /** Metrics tested; null: every reward and ShapeEval (when judged). */
  metrics: readonly string[] | null;
  statistic: Statistic;
  alpha: number;
  resamples: number;
  level: number;
  seed: number;
}

export interface MetricComparison {
  comparison: string;
  a: string;
  b: string;
  metric: string;
  /** Training seeds (models) of each side. */
  seeds: { a: number; b: number };
  win_rate: PairedTest;
  delta_win_rate: PairedTest;
  delta_mean: PairedTest;
  mean_a: number;
  mean_b: number;
  /**
   * The tested statistic's variance components over prompts and each side's training seeds
   * (power.ts), and the smallest difference this design detects with 80% power at alpha / family
   * (Bonferroni: conservative for Holm's first rejection).
   */
  components: VarianceComponents;
  mde: number;
  /** The tested statistic's p-value, Holm-adjusted over the family, and the decision. */
  p_value: number;
  p_holm: number;
  reject: boolean;
}

export interface CellSummary {
  cell: string;
  seeds: number;
  /** Per metric: the mean over the cell's seeds and images. */
  mean: Record<string, number>;
  /** Per metric: win-rate against the base, bootstrap over prompts and seeds (null: the base). */
  win_rate: Record<string, Interval> | null;
  /** ShapeEval's table averaged over the seeds (null when ShapeEval is off). */
  shapeeval: EvalTable | null;
}

export interface CompareResult {
  prompts: number;
  seeds_per_prompt: number;
  images: number;
  metrics: string[];
  statistic: Statistic;
  alpha: number;
  /** The size of the tested family (comparisons x metrics). */
  family: number;
  cells: CellSummary[];
  comparisons: MetricComparison[];
}

/**
 * "A vs B" -> [A, B, null]; "A vs B on m1,m2" -> [A, B, [m1, m2]] (the comparison tested on
 * those metrics only). Throws naming a malformed declaration or an unknown cell.
 */
export function parseComparison(
  text: string,
  cells: readonly string[],
): [string, string, string[] | null] {
  const m = /^\s*(\S+)\s+vs\s+(\S+)(?:\s+on\s+(\S+))?\s*$/.exec(text);
  if (m === null || m[1] === m[2]) {
    throw new TypeError(
      `Cannot compare '${text}' as a comparison must be 'A vs B' (or 'A vs B on metric,...') ` +
        "with two different cells",
    );
  }
  for (const c of [m[1]!, m[2]!]) {
    if (c !== BASE_CELL && !cells.includes(c)) {
      throw new RangeError(
        `Cannot compare '${text}' as '${c}' is not a cell: cells are ${
          [BASE_CELL, ...cells].join(", ")
        }`,
      );
    }
  }
  const on = m[3] === undefined ? null : m[3].split(",").filter((x) => x !== "");
  if (on !== null && on.length === 0) {
    throw new TypeError(`Cannot compare '${text}' as 'on' names no metric`);
  }
  return [m[1]!, m[2]!, on];
}

/** A metric's per-image values. */
function metricValues(s: ModelScores, metric: string): number[] {
  if (metric === SHAPEEVAL_METRIC) {
    if (s.shapeeval === null) throw new RangeError("Cannot compare ShapeEval as it is off");
    return s.shapeeval.correct.map((c) => (c ? 1 : 0));
  }
  const v = s.rewards[metric];
  if (v === undefined) {
    throw new RangeError(
      `Cannot compare metric '${metric}' as it is not a reward: rewards are ${
        Object.keys(s.rewards).join(", ")
      }`,
    );
  }
  return v;
}

const winOf = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);

/** Per prompt: the mean over its eval seeds of f(image index). */
function perPrompt(P: number, K: number, f: (i: number) => number): Float64Array {
  const out = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += f(p * K + k);
    out[p] = s / K;
  }
  return out;
}

/** x[p, s, t] of f(p, s, t), in the row-major order pairedBootstrap reads. */
function crossed(
  P: number,
  SA: number,
  SB: number,
  f: (p: number, s: number, t: number) => number,
) {
  const values = new Float64Array(P * SA * SB);
  for (let p = 0; p < P; p++) {
    for (let s = 0; s < SA; s++) {
      for (let t = 0; t < SB; t++) values[(p * SA + s) * SB + t] = f(p, s, t);
    }
  }
  return { values, prompts: P, seedsA: SA, seedsB: SB };
}

export function compareCells(
  base: ModelScores,
  cells: Readonly<Record<string, readonly ModelScores[]>>,
  o: CompareStats,
): CompareResult {
  const names = Object.keys(cells);
  if (names.includes(BASE_CELL)) {
    throw new RangeError(`Cannot name a cell '${BASE_CELL}': it names the base model`);
  }
  const all = new Map<string, readonly ModelScores[]>([
    [BASE_CELL, [base]],
    ...Object.entries(cells),
  ]);
  for (const [name, models] of all) {
    if (models.length === 0) throw new RangeError(`Cannot compare cell '${name}' with no models`);
    for (const m of models) {
      const same = m.seeds.length === base.seeds.length &&
        m.seeds.every((x, i) => x === base.seeds[i]) &&
        m.prompts.every((x, i) => x === base.prompts[i]);
      if (!same) {
        throw new RangeError(
          `Cannot compare cell '${name}' as its models must be scored on the base's prompts and seeds`,
        );
      }
    }
  }
  const metrics = o.metrics !== null
    ? [...o.metrics]
    : [...Object.keys(base.rewards), ...(base.shapeeval !== null ? [SHAPEEVAL_METRIC] : [])];
  if (metrics.length === 0) throw new RangeError("Cannot compare on no metric");
  const P = base.prompts.length, K = base.seeds_per_prompt;
  const boot = { resamples: o.resamples, level: o.level, seed: o.seed };
  // Per cell, seed and metric: the values, the per-prompt means and the per-prompt win vs base.
  const values = new Map<string, number[][][]>(); // cell -> seed -> metric -> values
  for (const [name, models] of all) {
    values.set(name, models.map((m) => metrics.map((k) => metricValues(m, k))));
  }
  const baseValues = values.get(BASE_CELL)![0]!;
  const meanPP = (cell: string, s: number, j: number) => {
    const v = values.get(cell)![s]![j]!;
    return perPrompt(P, K, (i) => v[i]!);
  };
  const winVsBase = (cell: string, s: number, j: number) => {
    const v = values.get(cell)![s]![j]!, b = baseValues[j]!;
    return perPrompt(P, K, (i) => winOf(v[i]!, b[i]!));
  };
  const mean = (xs: ArrayLike<number>) => {
    let t = 0;
    for (let i = 0; i < xs.length; i++) t += xs[i]!;
    return t / xs.length;
  };
  // The cells, each against the base.
  const summaries: CellSummary[] = [...all].map(([name, models]) => {
    const S = models.length;
    const tables = models.map((m) =>
      m.shapeeval === null ? null : evalTable(
        m.shapeeval.correct.map((correct, i) => ({ correct, category: m.shapeeval!.category[i]! })),
      )
    );
    return {
      cell: name,
      seeds: S,
      mean: Object.fromEntries(metrics.map((k, j) => [
        k,
        mean(Array.from({ length: S }, (_, s) => mean(values.get(name)![s]![j]!))),
      ])),
      win_rate: name === BASE_CELL ? null : Object.fromEntries(metrics.map((k, j) => {
        const w = Array.from({ length: S }, (_, s) => winVsBase(name, s, j));
        const { p_value: _p, null_value: _n, ...interval } = pairedBootstrap(
          crossed(P, S, 1, (p, s) => w[s]![p]!),
          0.5,
          boot,
        );
        return [k, interval];
      })),
      shapeeval: tables.every((t) => t !== null) ? averageTables(tables as EvalTable[]) : null,
    };
  });
  // The declared comparisons.
  const rows: Omit<MetricComparison, "p_holm" | "reject" | "mde">[] = [];
  for (const text of o.comparisons) {
    const [a, b, on] = parseComparison(text, names);
    for (const k of on ?? []) {
      if (!metrics.includes(k)) {
        throw new RangeError(
          `Cannot compare '${text}' on '${k}' as it is not a compared metric: metrics are ${
            metrics.join(", ")
          }`,
        );
      }
    }
    const SA = all.get(a)!.length, SB = all.get(b)!.length;
    metrics.forEach((metric, j) => {
      if (on !== null && !on.includes(metric)) return;
      const va = values.get(a)!.map((seed) => seed[j]!),
        vb = values.get(b)!.map((seed) => seed[j]!);
      const h = Array.from(
        { length: SA },
        (_, s) =>
          Array.from(
            { length: SB },
            (_, t) => perPrompt(P, K, (i) => winOf(va[s]![i]!, vb[t]![i]!)),
          ),
      );
      const wa = Array.from({ length: SA }, (_, s) => winVsBase(a, s, j));
      const wb = Array.from({ length: SB }, (_, t) => winVsBase(b, t, j));
      const ma = Array.from({ length: SA }, (_, s) => meanPP(a, s, j));
      const mb = Array.from({ length: SB }, (_, t) => meanPP(b, t, j));
      const xs = {
        win_rate: crossed(P, SA, SB, (p, s, t) => h[s]![t]![p]!),
        delta_win_rate: crossed(P, SA, SB, (p, s, t) => wa[s]![p]! - wb[t]![p]!),
        delta_mean: crossed(P, SA, SB, (p, s, t) => ma[s]![p]! - mb[t]![p]!),
      };
      const tests = {
        win_rate: pairedBootstrap(xs.win_rate, 0.5, boot),
        delta_win_rate: pairedBootstrap(xs.delta_win_rate, 0, boot),
        delta_mean: pairedBootstrap(xs.delta_mean, 0, boot),
      };
      const design = { prompts: P, seedsA: SA, seedsB: SB };
      rows.push({
        comparison: `${a} vs ${b}`,
        a,
        b,
        metric,
        seeds: { a: SA, b: SB },
        ...tests,
        mean_a: mean(ma.map(mean)),
        mean_b: mean(mb.map(mean)),
        p_value: tests[o.statistic].p_value,
        components: P > 1
          ? varianceComponents(xs[o.statistic].values, design)
          : { prompt: 0, seedA: 0, seedB: 0, residual: 0 },
      });
    });
  }
  const adjusted = holm(rows.map((r) => r.p_value));
  return {
    prompts: P,
    seeds_per_prompt: K,
    images: base.seeds.length,
    metrics,
    statistic: o.statistic,
    alpha: o.alpha,
    family: rows.length,
    cells: summaries,
    comparisons: rows.map((r, i) => ({
      ...r,
      mde: minimumDetectable(
        designSE(r.components, { prompts: P, seedsA: r.seeds.a, seedsB: r.seeds.b }),
        o.alpha / rows.length,
      ),
      p_holm: adjusted[i]!,
      reject: adjusted[i]! <= o.alpha,
    })),
  };
}

/** The mean of tables category by category (every table has the same categories). */
function averageTables(tables: readonly EvalTable[]): EvalTable {
  const out: Record<string, number> = {};
  for (const t of tables) {
    for (const [k, v] of Object.entries(t)) out[k] = (out[k] ?? 0) + (v as number) / tables.length;
  }
  return out as EvalTable;
}
