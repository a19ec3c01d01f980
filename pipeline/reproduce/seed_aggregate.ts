/**
 * One cell trained with several training seeds, as one row (docs/method.md §6.5): every number
 * is the mean over the seeds, and every win-rate interval is the paired bootstrap over prompts
 * and training seeds (stages/evaluate/paired_bootstrap.ts, the base being one model), so it
 * includes training variance. Each seed's evaluation is against the same base images (the same
 * prompts, seeds and sampler), which the per-prompt win scores of its result.json carry.
 */
import { pairedBootstrap } from "../../stages/evaluate/paired_bootstrap.ts";
import type { EvalTable } from "../../shapeworld/evaluate.ts";
import type { Interval } from "../../stages/evaluate/bootstrap.ts";
import type { EvalReport } from "../../stages/evaluate/eval_report.ts";
import { groupMeans, winScores } from "../../stages/evaluate/win_rate.ts";
import type { CellResult } from "./cell_result.ts";
import type { TrainDiagnostics } from "./train_diagnostics.ts";

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The interval over prompts x seeds of per-prompt win scores (one array per seed). */
export function seedInterval(
  perSeed: readonly (readonly number[])[],
  o: { resamples: number; level: number; seed?: number },
): Interval {
  const P = perSeed[0]!.length;
  if (perSeed.some((w) => w.length !== P)) {
    throw new RangeError(
      "Cannot aggregate training seeds as their evaluations must cover the same prompts",
    );
  }
  const values = new Float64Array(P * perSeed.length);
  perSeed.forEach((w, s) => w.forEach((x, p) => values[p * perSeed.length + s] = x));
  const { null_value: _n, p_value: _p, ...interval } = pairedBootstrap(
    { values, prompts: P, seedsA: perSeed.length, seedsB: 1 },
    0.5,
    { resamples: o.resamples, level: o.level, seed: o.seed ?? 0 },
  );
  return interval;
}

/** The seeds' results as one (a single result is returned as it is). */
export function aggregateSeeds(results: readonly CellResult[]): CellResult {
  const first = results[0];
  if (first === undefined) throw new RangeError("Cannot aggregate no training seeds");
  if (results.length === 1) return first;
  const wins = (metric: string) =>
    results.map((r) => {
      const w = r.win_per_prompt?.[metric];
      if (w === undefined) {
        throw new RangeError(
          `Cannot aggregate the training seeds of cell '${first.cell}' as ${r.cell}'s result ` +
            `has no per-prompt '${metric}' wins (an older result: rerun it)`,
        );
      }
      return w;
    });
  const rewards = first.eval.rewards.map((c) => {
    const all = results.map((r) => r.eval.rewards.find((x) => x.reward === c.reward)!);
    return {
      ...c,
      win_rate: seedInterval(wins(c.reward), c.win_rate),
      wins: all.reduce((a, x) => a + x.wins, 0),
      ties: all.reduce((a, x) => a + x.ties, 0),
      losses: all.reduce((a, x) => a + x.losses, 0),
      mean_tuned: mean(all.map((x) => x.mean_tuned)),
    };
  });
  const se = first.eval.shapeeval;
  const shapeeval = se === null ? null : {
    base: se.base,
    tuned: averageTables(results.map((r) => r.eval.shapeeval!.tuned)),
    win_rate: seedInterval(wins("shapeeval"), se.win_rate),
  };
  return {
    ...first,
    seconds: results.reduce((a, r) => a + r.seconds, 0),
    pairs: first.pairs === null ? null : mean(results.map((r) => r.pairs ?? 0)),
    eval: { ...first.eval, rewards, shapeeval },
    training: averageDiagnostics(results.map((r) => r.training ?? null)),
    seeds: results.length,
  };
}

function averageTables(tables: readonly EvalTable[]): EvalTable {
  const out: Record<string, number> = {};
  for (const t of tables) {
    for (const [k, v] of Object.entries(t)) out[k] = (out[k] ?? 0) + (v as number) / tables.length;
  }
  return out as EvalTable;
}

/** The mean, or null when any seed lacks the figure (an older log). */
const meanOf = (xs: (number | null | undefined)[]) =>
  xs.every((x) => typeof x === "number") ? mean(xs as number[]) : null;

function averageDiagnostics(ds: readonly (TrainDiagnostics | null)[]): TrainDiagnostics | null {
  if (ds.some((d) => d === null)) return null;
  const all = ds as TrainDiagnostics[];
  const rs = all.flatMap((d) => (d.correlation === null ? [] : [d.correlation]));
  return {
    ...all[0]!,
    loss: mean(all.map((d) => d.loss)),
    accuracy: mean(all.map((d) => d.accuracy)),
    correlation: rs.length === 0 ? null : mean(rs),
    dr_theta: mean(all.map((d) => d.dr_theta)),
    dr_ca: mean(all.map((d) => d.dr_ca)),
    grad_norm: meanOf(all.map((d) => d.grad_norm)),
    backward: meanOf(all.map((d) => d.backward)),
    probe_var: meanOf(all.map((d) => d.probe_var)),
    probe_bias2: meanOf(all.map((d) => d.probe_bias2)),
  };
}

/** Per metric, the tuned model's win score over the base averaged over each prompt's seeds. */
export function winPerPrompt(r: EvalReport): Record<string, number[]> {
  const p = r.per_image;
  const S = r.seeds_per_prompt;
  const out: Record<string, number[]> = {};
  for (const name of Object.keys(p.base)) {
    out[name] = Array.from(groupMeans(winScores(p.base[name]!, p.tuned[name]!), S));
  }
  if (p.correct !== null) {
    const ones = (xs: boolean[]) => xs.map((x) => (x ? 1 : 0));
    out.shapeeval = Array.from(
      groupMeans(winScores(ones(p.correct.base), ones(p.correct.tuned)), S),
    );
  }
  return out;
}
