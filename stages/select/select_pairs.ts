/**
 * Frontier sampler stage (docs/method.md §4): per prompt, select (x+, x-) pairs and their
 * regression targets for CaPO training.
 *
 * Methods (a closed set):
 *   "single"          x+ = argmax Rca_k, x- = argmin Rca_k of one reward k (`reward`);
 *   "sum-raw"         best vs worst by sum_k r_k (the SUM baseline on raw rewards);
 *   "sum-calibrated"  best vs worst by sum_k Rca_k;
 *   "frs"             frontier-based rejection sampling (stages/select/frontier.ts).
 * With pairs_per_prompt > 1, single/SUM take the next best vs the next worst (pair p is the
 * p-th best vs the p-th worst), FRS draws further distinct pairs. A prompt may yield fewer
 * pairs than asked, or none (FRS rejected every draw, or all samples tie): those are counted
 * in `stats` and the prompt's group is still emitted, with no rows, so downstream stages and
 * checkpoints see every prompt.
 *
 * Regression target (docs/method.md §4.5): target(x) = sum_k w_k Rca_k(x) / sum_k w_k, with
 * w uniform by default; for "single" the default w is 1 on the chosen reward and 0 elsewhere,
 * so single-reward CaPO regresses onto that reward's Rca as in docs/method.md §3-§5.
 *
 * FRS draws use an Rng derived from (seed, hash of prompt_id), so a prompt's pairs do not
 * depend on the order or sharding of the groups, and a resumed run draws the same pairs.
 */
import { Rng } from "../../lib/rng.ts";
import type { Calibrated } from "../../schemas/calibrated.ts";
import type { Group } from "../../schemas/group.ts";
import type { Pair } from "../../schemas/pair.ts";
import { checkRewardNames } from "../../schemas/reward_columns.ts";
import { defaultsOf, merge } from "../../lib/config_table.ts";
import { extremePairs, FrontierScratch, frsSelect } from "./frontier.ts";
import { SELECT, SELECT_METHODS, type SelectConfig, type SelectMethod } from "./options.ts";

export { SELECT_METHODS, type SelectMethod };

/**
 * The run config's `select` section (stages/select/options.ts) plus the run's reward names
 * (`reward_<k>` and `rca_<k>` are read, `rca_winner_<k>`/`rca_loser_<k>` written); keys left out
 * take the section's defaults.
 */
export type SelectPairsOptions = Partial<SelectConfig> & { rewards: readonly string[] };

export interface SelectPairsStats {
  groups: number;
  pairs: number;
  /** prompts that yielded no pair */
  no_pair: number;
  /** prompts that yielded some, but fewer than pairs_per_prompt, pairs */
  short: number;
}

/** FNV-1a, 32 bits: the prompt_id key of the per-prompt Rng. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class SelectPairsStream extends TransformStream<Group<Calibrated>, Group<Pair>> {
  readonly stats: SelectPairsStats = { groups: 0, pairs: 0, no_pair: 0, short: 0 };

  constructor(options: SelectPairsOptions) {
    const o = checkOptions(options);
    const { rewards, K, pairs } = o;
    const rcaKeys = rewards.map((k) => `rca_${k}`);
    const rawKeys = rewards.map((k) => `reward_${k}`);
    const winKeys = rewards.map((k) => `rca_winner_${k}`);
    const loseKeys = rewards.map((k) => `rca_loser_${k}`);
    // Scratch reused across groups (grown on demand): no typed-array allocation per group.
    let scratch = new FrontierScratch(16);
    let rca = new Float64Array(16 * K);
    let raw = new Float64Array(o.method === "sum-raw" ? 16 * K : 0);
    let score = new Float64Array(16);
    const winners = new Int32Array(pairs);
    const losers = new Int32Array(pairs);
    super({
      transform: (group, controller) => {
        const n = group.rows.length;
        if (n > scratch.maxN) {
          scratch = new FrontierScratch(Math.max(n, 2 * scratch.maxN));
          rca = new Float64Array(scratch.maxN * K);
          raw = new Float64Array(o.method === "sum-raw" ? scratch.maxN * K : 0);
          score = new Float64Array(scratch.maxN);
        }
        // 1. pack the calibrated vectors [n x K] (and raw ones for sum-raw), checked finite
        pack(group, rcaKeys, rca);
        let found: number;
        if (o.method === "frs") {
          const rng = Rng.derive(o.seed, hashString(group.prompt_id));
          found = frsSelect(rca, 0, n, K, rng, pairs, o.maxRetries, winners, losers, scratch);
        } else {
          const src = o.method === "sum-raw" ? pack(group, rawKeys, raw) : rca;
          for (let i = 0; i < n; i++) {
            if (o.method === "single") {
              score[i] = src[i * K + o.single]!;
            } else {
              let t = 0;
              for (let k = 0; k < K; k++) t += src[i * K + k]!;
              score[i] = t;
            }
          }
          found = extremePairs(score, n, pairs, winners, losers);
        }
        // 2. pair records with targets sum_k w_k Rca_k / sum_k w_k
        const rows: Pair[] = [];
        for (let p = 0; p < found; p++) {
          const w = winners[p]!;
          const l = losers[p]!;
          const rw = group.rows[w]!;
          const rl = group.rows[l]!;
          let tw = 0;
          let tl = 0;
          for (let k = 0; k < K; k++) {
            tw += o.weights[k]! * rca[w * K + k]!;
            tl += o.weights[k]! * rca[l * K + k]!;
          }
          const pair: Record<string, unknown> = {
            pair_id: `${group.prompt_id}:${p}`,
            prompt_id: group.prompt_id,
            prompt: group.prompt,
            pair_index: p,
            winner_id: rw.sample_id,
            loser_id: rl.sample_id,
            winner_index: rw.sample_index,
            loser_index: rl.sample_index,
            target_winner: tw,
            target_loser: tl,
            delta: tw - tl,
            method: o.label,
          };
          for (let k = 0; k < K; k++) {
            pair[winKeys[k]!] = rca[w * K + k]!;
            pair[loseKeys[k]!] = rca[l * K + k]!;
          }
          rows.push(pair as Pair);
        }
        this.stats.groups++;
        this.stats.pairs += found;
        if (found === 0) this.stats.no_pair++;
        else if (found < pairs) this.stats.short++;
        controller.enqueue({ prompt_id: group.prompt_id, prompt: group.prompt, rows });
      },
    });
  }
}

interface Checked {
  method: SelectMethod;
  label: string;
  rewards: string[];
  K: number;
  single: number;
  /** normalised to sum 1, in `rewards` order */
  weights: Float64Array;
  pairs: number;
  maxRetries: number;
  seed: number;
}

function checkOptions(options: SelectPairsOptions): Checked {
  const bad = (what: string, v: unknown) =>
    new RangeError(`Cannot construct SelectPairsStream as ${what}: current value is ${v}`);
  const { rewards: names, ...section } = options;
  let o: SelectConfig;
  try {
    o = merge(SELECT, defaultsOf(SELECT), section, "SelectPairsStream options", "select.");
  } catch (err) {
    throw new TypeError(`Cannot construct SelectPairsStream: ${(err as Error).message}`);
  }
  const { method } = o;
  const rewards = [...names];
  checkRewardNames(rewards);
  let single = -1;
  if (method === "single") {
    single = o.reward === null ? -1 : rewards.indexOf(o.reward);
    if (single === -1) {
      throw bad(
        `reward must name one of the rewards (${rewards.join(", ")}) for method 'single'`,
        o.reward,
      );
    }
  }
  for (const key of Object.keys(o.weights ?? {})) {
    if (!rewards.includes(key)) {
      throw bad(`weights names an unknown reward (rewards are ${rewards.join(", ")})`, key);
    }
  }
  const raw = rewards.map((k, i) =>
    o.weights ? (o.weights[k] ?? 0) : method === "single" ? (i === single ? 1 : 0) : 1
  );
  raw.forEach((w, i) => {
    if (!(Number.isFinite(w) && w >= 0)) {
      throw bad(`the weight of '${rewards[i]}' must be finite and >= 0`, w);
    }
  });
  const total = raw.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw bad("the weights must not all be 0", JSON.stringify(o.weights));
  return {
    method,
    label: method === "single" ? `single:${rewards[single]}` : method,
    rewards,
    K: rewards.length,
    single,
    weights: new Float64Array(raw.map((w) => w / total)),
    pairs: o.pairs_per_prompt,
    maxRetries: o.max_retries,
    seed: o.seed,
  };
}

/**
 * Fills `out` with the row-major [n x K] matrix of the columns `keys` (`rca_<k>` or
 * `reward_<k>`, built once per stream: a key built per access would cost a string
 * concatenation and an uncached property lookup per value); errors name the sample and column.
 */
function pack(group: Group<Calibrated>, keys: readonly string[], out: Float64Array): Float64Array {
  const K = keys.length;
  const rows = group.rows;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as unknown as Record<string, unknown>;
    for (let k = 0; k < K; k++) {
      const v = row[keys[k]!];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new RangeError(
          `Cannot select pairs with sample '${rows[i]!.sample_id}' as '${
            keys[k]
          }' must be a finite number: current value is ${v}`,
        );
      }
      out[i * K + k] = v;
    }
  }
  return out;
}
