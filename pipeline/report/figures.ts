/**
 * The run report's figures, as `Figure` specs (pipeline/report/plot.ts) built from a run's data:
 *
 *   - rewardHistograms: per reward, the distribution of base and tuned scores on the
 *     evaluation images (eval.json `per_image`);
 *   - paretoFronts: for a few prompts, the N samples in two calibrated rewards (the third as
 *     marker colour), the upper frontier X+ outlined, the selected pairs joined
 *     (docs/method.md §4);
 *   - winRates: per reward (and ShapeEval) the win-rate of tuned over base with its interval;
 *   - trainingCurves: loss, implicit accuracy, corr(dR_theta, dR_ca) and lr per step.
 */
import { frontiers, FrontierScratch } from "../../stages/select/frontier.ts";
import type { StepMetrics } from "../../stages/train/preference_trainer.ts";
import type { Rgb } from "./canvas.ts";
import { colourMap, type Figure, PALETTE, type Panel } from "./plot.ts";
import type { PromptFront, StoredEval } from "./run_data.ts";

export const BASE_COLOUR: Rgb = PALETTE[0]!;
export const TUNED_COLOUR: Rgb = PALETTE[1]!;
const WINNER: Rgb = [30, 160, 60];
const LOSER: Rgb = [215, 40, 40];

const pct = (v: number) => `${Math.round(100 * v)}`;

/** One histogram panel per reward; null when eval.json keeps no per-image scores. */
export function rewardHistograms(r: StoredEval): Figure | null {
  const per = r.per_image;
  if (per === undefined || r.rewards.length === 0) return null;
  return {
    title: `reward distributions on ${r.images} evaluation images per model`,
    columns: Math.min(3, r.rewards.length),
    panels: r.rewards.map((c): Panel => ({
      kind: "histogram",
      title: c.reward,
      xLabel: `${c.reward} reward`,
      yLabel: "images",
      legend: "below",
      series: [
        { label: "base", values: per.base[c.reward] ?? [], colour: BASE_COLOUR },
        { label: "tuned", values: per.tuned[c.reward] ?? [], colour: TUNED_COLOUR },
      ],
    })),
  };
}

/** [min, max] of `xs` widened by `pad` of the span (at least 0.01 each side). */
function padded(xs: readonly number[], pad = 0.08): [number, number] {
  const lo = Math.min(...xs), hi = Math.max(...xs);
  const m = Math.max((hi - lo) * pad, pad > 0 ? 0.01 : 0);
  return [lo - m, hi + m];
}

/** Up to `count` prompts with a pair, evenly spaced over the run's prompt order. */
export function pickFronts(fronts: readonly PromptFront[], count: number): PromptFront[] {
  const withPair = fronts.filter((f) => f.pairs.length > 0 && f.rca.length >= 2);
  if (withPair.length <= count) return withPair;
  return Array.from(
    { length: count },
    (_, i) => withPair[Math.floor(i * withPair.length / count)]!,
  );
}

/**
 * Scatter of each picked prompt's samples: x = Rca of rewards[0], y = Rca of rewards[1],
 * colour = Rca of rewards[2] (when there is a third). Samples on the upper frontier X+ (in all
 * K rewards) are drawn as squares; each pair's winner (triangle) and loser (diamond) are
 * joined by a line.
 */
export function paretoFronts(
  rewards: readonly string[],
  picked: readonly PromptFront[],
): Figure | null {
  if (picked.length === 0 || rewards.length < 2) return null;
  const K = rewards.length;
  const third = K >= 3;
  const panels = picked.map((f): Panel => {
    const n = f.rca.length;
    const flat = f.rca.flatMap((v) => v);
    const s = new FrontierScratch(n);
    frontiers(flat, 0, n, K, s);
    const upper = new Set(Array.from(s.plus.subarray(0, s.nPlus)));
    const [lo3, hi3] = third ? padded(f.rca.map((v) => v[2]!), 0) : [0, 1];
    const colourOf = (i: number): Rgb =>
      third ? colourMap((f.rca[i]![2]! - lo3) / (hi3 - lo3 || 1)) : [120, 120, 120];
    const idx = (keep: (i: number) => boolean) =>
      Array.from({ length: n }, (_, i) => i).filter(keep);
    const series = (label: string, ids: number[], marker: "circle" | "square", size: number) => ({
      label,
      x: ids.map((i) => f.rca[i]![0]!),
      y: ids.map((i) => f.rca[i]![1]!),
      colour: ids.map(colourOf),
      legendColour: [150, 150, 150] as Rgb,
      marker,
      size,
      stroke: [40, 40, 40] as Rgb,
    });
    // The selected pairs' winners or losers: one colour, outlined in black.
    const pairEnds = (
      label: string,
      ids: number[],
      colour: Rgb,
      marker: "triangle" | "diamond",
      size: number,
    ) => ({
      label,
      x: ids.map((i) => f.rca[i]![0]!),
      y: ids.map((i) => f.rca[i]![1]!),
      colour,
      marker,
      size,
      stroke: [0, 0, 0] as Rgb,
    });
    const winners = f.pairs.map((p) => p.winner), losers = f.pairs.map((p) => p.loser);
    return {
      kind: "scatter",
      title: f.prompt,
      xLabel: `rca ${rewards[0]}`,
      yLabel: `rca ${rewards[1]}`,
      // Ranges from the data: with tau = 1 a prompt's Rca values often sit close to 0.5.
      xRange: padded(f.rca.map((v) => v[0]!)),
      yRange: padded(f.rca.map((v) => v[1]!)),
      legend: "below",
      segments: f.pairs.map((p) => ({
        x0: f.rca[p.winner]![0]!,
        y0: f.rca[p.winner]![1]!,
        x1: f.rca[p.loser]![0]!,
        y1: f.rca[p.loser]![1]!,
        colour: [30, 30, 30] as Rgb,
      })),
      series: [
        series("sample", idx((i) => !upper.has(i)), "circle", 11),
        series("frontier X+", idx((i) => upper.has(i)), "square", 12),
        pairEnds("winner x+", winners, WINNER, "triangle", 20),
        pairEnds("loser x-", losers, LOSER, "diamond", 18),
      ],
      ...(third ? { colourBar: { label: `rca ${rewards[2]}`, min: lo3, max: hi3 } } : {}),
    };
  });
  return {
    title: "calibrated rewards of each prompt's samples and the selected pair",
    columns: Math.min(2, panels.length),
    panelWidth: 600,
    panelHeight: 500,
    panels,
  };
}

/** Win-rate of tuned over base per reward and on ShapeEval correctness, with intervals. */
export function winRates(r: StoredEval): Figure | null {
  const bars = r.rewards.map((c, i) => ({
    label: c.reward,
    value: c.win_rate.estimate,
    low: c.win_rate.low,
    high: c.win_rate.high,
    colour: PALETTE[(i + 2) % PALETTE.length]!,
  }));
  if (r.shapeeval) {
    const w = r.shapeeval.win_rate;
    bars.push({
      label: "shapeeval",
      value: w.estimate,
      low: w.low,
      high: w.high,
      colour: [110, 110, 110],
    });
  }
  if (bars.length === 0) return null;
  const level = Math.round(
    100 * (r.rewards[0]?.win_rate.level ?? r.shapeeval?.win_rate.level ?? 0.95),
  );
  return {
    columns: 1,
    panelWidth: Math.max(520, 150 * bars.length + 140),
    panelHeight: 420,
    panels: [{
      kind: "bars",
      title: `win-rate of tuned vs base (${level}% interval)`,
      yLabel: "win-rate (%)",
      yRange: [0, 1],
      yFormat: pct,
      refLine: { y: 0.5, label: "50%" },
      bars,
    }],
  };
}

/** Trailing moving average over `k` steps (ignoring nulls). */
export function movingAverage(ys: readonly (number | null)[], k: number): (number | null)[] {
  return ys.map((_, i) => {
    const w = ys.slice(Math.max(0, i - k + 1), i + 1).filter((v): v is number =>
      v !== null && Number.isFinite(v)
    );
    return w.length === 0 ? null : w.reduce((a, b) => a + b, 0) / w.length;
  });
}

/** Four panels over the steps of train/log.jsonl: raw values faint, a moving average bold. */
export function trainingCurves(log: readonly StepMetrics[]): Figure | null {
  if (log.length === 0) return null;
  const steps = log.map((m) => m.step);
  const k = Math.max(1, Math.min(20, Math.round(log.length / 10)));
  const panel = (title: string, ys: (number | null)[], colour: Rgb, ref?: number): Panel => ({
    kind: "lines",
    title,
    xLabel: "step",
    xMinStep: 1,
    legend: "below",
    ...(ref === undefined ? {} : { refLine: { y: ref } }),
    series: [
      // the raw values pre-mixed with white (not translucent) so the legend swatch matches
      { label: "per step", x: steps, y: ys, colour: light(colour) },
      ...(k > 1
        ? [{ label: `mean of ${k} steps`, x: steps, y: movingAverage(ys, k), colour, width: 3 }]
        : []),
    ],
  });
  return {
    title: `training: ${log.length} steps`,
    columns: 2,
    panels: [
      panel("loss", log.map((m) => m.loss), PALETTE[0]!),
      panel("implicit accuracy (dR_theta > 0)", log.map((m) => m.accuracy), PALETTE[2]!, 0.5),
      panel("corr(dR_theta, dR_ca)", log.map((m) => m.correlation), PALETTE[3]!, 0),
      {
        kind: "lines",
        title: "learning rate",
        xLabel: "step",
        xMinStep: 1,
        legend: "below",
        series: [{ label: "lr", x: steps, y: log.map((m) => m.lr), colour: PALETTE[4]! }],
      },
    ],
  };
}

/** `c` mixed 60% with white. */
function light(c: Rgb): Rgb {
  return [0, 1, 2].map((i) => Math.round(c[i]! + (255 - c[i]!) * 0.6)) as unknown as Rgb;
}
