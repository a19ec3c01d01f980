/**
 * How well a reward ranks one prompt's own samples, which is what pair selection relies on
 * (docs/method.md §4): over every pair of samples of the same prompt where ShapeEval calls one
 * right and the other wrong, the share the reward ranks correctly.
 *
 * Notation: prompt c with samples x_1..x_N, ok(x) ShapeEval's verdict, r a reward.
 *   pairs(c) = {(i, j) : ok(x_i), not ok(x_j)}                   (right i, wrong j)
 *   hit(i, j) = 1 if r(x_i) > r(x_j), 0.5 if equal, 0 otherwise     (a tie counts half)
 *   accuracy  = sum over prompts and pairs of hit / number of pairs  (pooled: a prompt weighs
 *               by its mixed pairs, as pair selection meets them); 0.5 is chance
 *   per prompt = the mean over the prompts with a mixed pair of each prompt's own accuracy
 * Per category too (GenEval's). Prompts whose samples are all right or all wrong give no pair.
 * The pooled accuracy's 95% interval is a percentile bootstrap over the prompts with a mixed
 * pair (1000 resamples, seeded: a prompt's pairs share its samples, so the prompt is the unit).
 */
import { Rng } from "../../lib/rng.ts";

export interface RankingItem {
  prompt: string;
  /** ShapeEval's category of the prompt (or any stratum). */
  category: string;
  correct: boolean;
  /** Reward name -> score. */
  scores: Readonly<Record<string, number>>;
}

export interface RankingRow {
  /** Mixed pairs (right, wrong) counted, and the prompts that have any. */
  pairs: number;
  prompts: number;
  /** Per reward: pooled accuracy, and the mean of per-prompt accuracies (NaN when no pair). */
  accuracy: Record<string, number>;
  per_prompt: Record<string, number>;
}

export interface RankingAccuracy extends RankingRow {
  rewards: string[];
  /** Per reward, the 95% bootstrap interval of the pooled accuracy over prompts. */
  interval: Record<string, { low: number; high: number }>;
  /** Items and prompts seen, mixed or not. */
  items: number;
  all_prompts: number;
  by_category: Record<string, RankingRow>;
}

/** Per prompt with a mixed pair: its pair count and each reward's hits. */
function promptHits(
  groups: readonly RankingItem[][],
  rewards: readonly string[],
): { n: number; hits: number[] }[] {
  const out: { n: number; hits: number[] }[] = [];
  for (const items of groups) {
    const right = items.filter((x) => x.correct), wrong = items.filter((x) => !x.correct);
    const n = right.length * wrong.length;
    if (n === 0) continue;
    out.push({
      n,
      hits: rewards.map((r) => {
        let h = 0;
        for (const a of right) {
          for (const b of wrong) {
            const sa = a.scores[r]!, sb = b.scores[r]!;
            h += sa > sb ? 1 : sa === sb ? 0.5 : 0;
          }
        }
        return h;
      }),
    });
  }
  return out;
}

function row(groups: readonly RankingItem[][], rewards: readonly string[]): RankingRow {
  const hits = Object.fromEntries(rewards.map((r) => [r, 0]));
  const perPrompt = Object.fromEntries(rewards.map((r) => [r, 0]));
  let pairs = 0, prompts = 0;
  for (const { n, hits: h } of promptHits(groups, rewards)) {
    pairs += n;
    prompts++;
    rewards.forEach((r, k) => {
      hits[r]! += h[k]!;
      perPrompt[r]! += h[k]! / n;
    });
  }
  return {
    pairs,
    prompts,
    accuracy: Object.fromEntries(rewards.map((r) => [r, hits[r]! / pairs])),
    per_prompt: Object.fromEntries(rewards.map((r) => [r, perPrompt[r]! / prompts])),
  };
}

/** The within-prompt ranking accuracy of every reward of `rewards` over `items`. */
export function rankingAccuracy(
  items: readonly RankingItem[],
  rewards: readonly string[],
): RankingAccuracy {
  for (const [i, x] of items.entries()) {
    for (const r of rewards) {
      if (!Number.isFinite(x.scores[r])) {
        throw new RangeError(
          `Cannot measure ranking accuracy as item ${i} has no finite '${r}' score: current ` +
            `value is ${x.scores[r]}`,
        );
      }
    }
  }
  const byPrompt = new Map<string, RankingItem[]>();
  for (const x of items) byPrompt.set(x.prompt, [...(byPrompt.get(x.prompt) ?? []), x]);
  const groups = [...byPrompt.values()];
  const categories = [...new Set(items.map((x) => x.category))];
  // The pooled accuracy's bootstrap over prompts (a ratio: resampled hits / resampled pairs).
  const per = promptHits(groups, rewards);
  const B = 1000, rng = new Rng(0);
  const draws = rewards.map(() => new Float64Array(B));
  for (let b = 0; b < B && per.length > 0; b++) {
    let n = 0;
    const h = rewards.map(() => 0);
    for (let i = 0; i < per.length; i++) {
      const x = per[rng.int(per.length)]!;
      n += x.n;
      x.hits.forEach((v, k) => h[k]! += v);
    }
    h.forEach((v, k) => draws[k]![b] = v / n);
  }
  const q = (a: Float64Array, p: number) => a[Math.min(B - 1, Math.floor(p * B))]!;
  const interval = Object.fromEntries(rewards.map((r, k) => {
    if (per.length === 0) return [r, { low: NaN, high: NaN }];
    const a = draws[k]!.sort();
    return [r, { low: q(a, 0.025), high: q(a, 0.975) }];
  }));
  return {
    rewards: [...rewards],
    interval,
    items: items.length,
    all_prompts: groups.length,
    ...row(groups, rewards),
    by_category: Object.fromEntries(
      categories.map((c) => [c, row(groups.filter((g) => g[0]!.category === c), rewards)]),
    ),
  };
}

/** A markdown table: a row for all prompts, then one per category present. */
export function formatRankingAccuracy(r: RankingAccuracy, order?: readonly string[]): string {
  const pct = (x: number) => (Number.isNaN(x) ? "-" : (100 * x).toFixed(1));
  const cats = order ? order.filter((c) => c in r.by_category) : Object.keys(r.by_category).sort();
  const line = (label: string, x: RankingRow, ci = false) =>
    `| ${label} | ${x.prompts} | ${x.pairs} | ${
      r.rewards.map((k) =>
        `${pct(x.accuracy[k]!)}${
          ci ? ` [${pct(r.interval[k]!.low)}, ${pct(r.interval[k]!.high)}]` : ""
        } | ${pct(x.per_prompt[k]!)}`
      ).join(" | ")
    } |`;
  return [
    `| Prompts | With a right and a wrong sample | Mixed pairs | ${
      r.rewards.map((k) => `${k} % | ${k} % (per prompt)`).join(" | ")
    } |`,
    `|---|---:|---:|${r.rewards.map(() => "---:|---:").join("|")}|`,
    line(`all (${r.all_prompts})`, r, true),
    ...cats.map((c) => line(c, r.by_category[c]!)),
  ].join("\n");
}
