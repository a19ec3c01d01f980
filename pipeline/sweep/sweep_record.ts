/**
 * The committed record of a sweep: one JSON line per finished point (config, dev result,
 * training diagnostics, date), appended as each point finishes, so a sweep cut short still
 * records every point it ran and a rerun skips them (by identity: the hash of everything that
 * determines the point's result).
 */
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { readTextIfExists } from "../../lib/read_if_exists.ts";
import type { TrainDiagnostics } from "../reproduce/train_diagnostics.ts";
import type { GridValue } from "./sweep_plan.ts";

export const RECORD_FORMAT = "capo-sweep-point/1";

export interface WinCell {
  win_rate: number;
  low: number;
  high: number;
}

export interface SweepRecord {
  format: typeof RECORD_FORMAT;
  sweep: string;
  plan: string;
  point: Record<string, GridValue>;
  seed: number;
  identity: string;
  finished: string;
  seconds: number;
  dev: {
    prompts: string;
    prompt_count: number;
    seeds_per_prompt: number;
    images: number;
    rewards: Record<string, WinCell & { mean_base: number; mean_tuned: number }>;
    shapeeval: (WinCell & { base: number; tuned: number }) | null;
  };
  training: TrainDiagnostics & { step_seconds: number };
  /** With a curve plan: the dev result of every snapshot and of the final model, by step. */
  curve?: CurvePoint[];
  /** tau per reward as the calibrate stage used it */
  tau: Record<string, number>;
  /** The downstream sections as run (the shared ones are the plan's). */
  config: Record<"calibrate" | "select" | "train" | "evaluate", unknown>;
  rerun: string;
}

export interface CurvePoint {
  step: number;
  rewards: Record<string, WinCell & { mean_tuned: number }>;
  shapeeval: (WinCell & { tuned: number }) | null;
}

/** The record file's lines (none when it does not exist); a bad line is an error naming it. */
export async function readRecords(path: string): Promise<SweepRecord[]> {
  const text = await readTextIfExists(path);
  if (text === null) return [];
  return text.split("\n").filter((l) => l.trim() !== "").map((l, i) => {
    let r: SweepRecord;
    try {
      r = JSON.parse(l);
    } catch (err) {
      throw new SyntaxError(`Cannot read ${path} line ${i + 1} as JSON: ${(err as Error).message}`);
    }
    if (r?.format !== RECORD_FORMAT || typeof r.identity !== "string") {
      throw new TypeError(`Cannot read ${path} line ${i + 1} as it is not a ${RECORD_FORMAT} line`);
    }
    return r;
  });
}

/** Appends one line; the file is rewritten atomically, so a kill leaves the old or the new. */
export async function appendRecord(path: string, r: SweepRecord): Promise<void> {
  const old = (await readTextIfExists(path)) ?? "";
  const sep = old === "" || old.endsWith("\n") ? "" : "\n";
  await writeFileAtomic(path, `${old}${sep}${JSON.stringify(r)}\n`);
}

/** dR_theta / dR_ca at the end of training: the regime (docs/method.md §5.5). */
export const regimeRatio = (r: SweepRecord) => r.training.dr_theta / r.training.dr_ca;

/** The band of the ratio in which a default may be chosen (issue-level rule, docs/method.md §6.5). */
export const REGIME_BAND = [0.5, 2] as const;

/** Mean dev win-rate over the rewards. */
export const meanWin = (r: SweepRecord) => {
  const ws = Object.values(r.dev.rewards).map((w) => w.win_rate);
  return ws.reduce((a, b) => a + b, 0) / ws.length;
};

const pct = (x: number) => (100 * x).toFixed(1);

interface PointGroup {
  rs: SweepRecord[];
  mean: number;
  ratio: number;
}

const avg = (rs: readonly SweepRecord[], f: (r: SweepRecord) => number) =>
  rs.reduce((a, r) => a + f(r), 0) / rs.length;

/** The records grouped by point (its seeds together), in first-seen order. */
function pointGroups(records: readonly SweepRecord[]): PointGroup[] {
  const groups = new Map<string, SweepRecord[]>();
  for (const r of records) {
    const k = JSON.stringify(r.point);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((rs) => ({
    rs,
    mean: avg(rs, meanWin),
    ratio: avg(rs, regimeRatio),
  }));
}

/** The rule (recordTable's): the best mean win-rate among the points in or nearest the band. */
function chooseGroup(rows: readonly PointGroup[]): PointGroup | null {
  // Distance of the ratio from the band in log scale (0 inside it).
  // A gap that moved the wrong way (ratio <= 0) is never in or near the band.
  const off = (ratio: number) =>
    ratio > 0
      ? Math.max(0, Math.log(REGIME_BAND[0] / ratio), Math.log(ratio / REGIME_BAND[1]))
      : Infinity;
  const nearest = Math.min(...rows.map((x) => off(x.ratio)));
  return rows.filter((x) => off(x.ratio) === nearest).reduce<PointGroup | null>(
    (b, x) => (b === null || x.mean > b.mean ? x : b),
    null,
  );
}

/** The point the rule chooses from a record (null for an empty one). */
export function chosenPoint(records: readonly SweepRecord[]): SweepRecord["point"] | null {
  const g = chooseGroup(pointGroups(records));
  return g === null ? null : g.rs[0]!.point;
}

/**
 * The record as a markdown table, points averaged over their seeds, and the point the rule
 * chooses: the highest mean dev win-rate over the rewards among points whose dR_theta / dR_ca
 * is within REGIME_BAND (marked "chosen"); when no point is, among those nearest to the band
 * (in log scale).
 */
export function recordTable(records: readonly SweepRecord[]): string {
  if (records.length === 0) return "No point recorded yet.\n";
  const keys = [...new Set(records.flatMap((r) => Object.keys(r.point)))];
  const rewards = [...new Set(records.flatMap((r) => Object.keys(r.dev.rewards)))];
  const rows = pointGroups(records);
  const chosen = chooseGroup(rows);
  const head = [
    ...keys,
    "seeds",
    ...rewards,
    "mean",
    "ShapeEval",
    "dR_theta / dR_ca",
    "grad norm",
    "chosen",
  ];
  const lines = [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map(({ rs, mean, ratio }) => {
      const r0 = rs[0]!;
      const win = (k: string) => {
        if (rs.length > 1) return pct(avg(rs, (r) => r.dev.rewards[k]!.win_rate));
        const w = r0.dev.rewards[k]!;
        return `${pct(w.win_rate)} [${pct(w.low)}, ${pct(w.high)}]`;
      };
      const se = r0.dev.shapeeval === null
        ? "–"
        : `${avg(rs, (r) => r.dev.shapeeval!.base).toFixed(3)} -> ${
          avg(rs, (r) => r.dev.shapeeval!.tuned).toFixed(3)
        }`;
      const g = rs.every((r) => typeof r.training.grad_norm === "number")
        ? avg(rs, (r) => r.training.grad_norm!).toFixed(1)
        : "–";
      return `| ${keys.map((k) => String(r0.point[k])).join(" | ")} | ${rs.length} | ${
        rewards.map(win).join(" | ")
      } | ${pct(mean)} | ${se} | ${ratio.toFixed(2)} | ${g} | ${
        rs === chosen?.rs ? "**chosen**" : ""
      } |`;
    }),
  ];
  return lines.join("\n") + "\n";
}
