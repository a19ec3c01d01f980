import assert from "node:assert/strict";
import { Rng } from "../../../lib/rng.ts";
import type { Calibrated } from "../../../schemas/calibrated.ts";
import type { Group } from "../../../schemas/group.ts";
import type { Pair } from "../../../schemas/pair.ts";
import {
  dominates,
  extremePairs,
  frontiers,
  FrontierScratch,
  frsSelect,
} from "../../../stages/select/frontier.ts";
import { type SelectPairsOptions, SelectPairsStream } from "../../../stages/select/select_pairs.ts";
import { endlessSource, failingSource } from "../../lib/streams/helpers.ts";
import { calibratedGroup } from "../fixtures.ts";

// The paper's FRS figure in 2-D (reward a, reward b), samples numbered 1..5 as in the figure:
// 1, 2, 3 form the upper frontier; 4 and 5 dominate nobody.
const FIGURE: number[][] = [
  [0.2, 0.9], // 1
  [0.5, 0.6], // 2
  [0.9, 0.3], // 3
  [0.1, 0.5], // 4: dominated by 1 and 2
  [0.4, 0.1], // 5: dominated by 2 and 3
];
const ACCEPTED = ["1,4", "2,4", "2,5", "3,5"];
const REJECTED = ["1,5", "3,4"];

async function select(groups: Group<Calibrated>[], options: SelectPairsOptions) {
  const stream = new SelectPairsStream(options);
  const out = await Array.fromAsync(ReadableStream.from(groups).pipeThrough(stream));
  return { out, stats: stream.stats };
}

Deno.test("dominates() needs >= in every reward and > in at least one", () => {
  assert.equal(dominates([1, 2], [1, 1]), true);
  assert.equal(dominates([1, 1], [1, 1]), false);
  assert.equal(dominates([2, 0], [1, 1]), false);
  assert.equal(dominates([0.5], [0.4]), true);
  assert.throws(() => dominates([1], [1, 2]), /lengths 1 and 2/);
});

Deno.test("frontiers() finds X+ = {1,2,3} and X- = {4,5} in the paper's figure", () => {
  const s = new FrontierScratch(5);
  frontiers(FIGURE.flat(), 0, 5, 2, s);
  assert.deepEqual([...s.plus.subarray(0, s.nPlus)].map((i) => i + 1), [1, 2, 3]);
  assert.deepEqual([...s.minus.subarray(0, s.nMinus)].map((i) => i + 1), [4, 5]);
});

Deno.test("FRS acceptance matches the figure: (1,4),(2,4),(2,5),(3,5) in, (1,5),(3,4) out", () => {
  for (const p of ACCEPTED) {
    const [w, l] = p.split(",").map(Number);
    assert.equal(dominates(FIGURE[w! - 1]!, FIGURE[l! - 1]!), true, p);
  }
  for (const p of REJECTED) {
    const [w, l] = p.split(",").map(Number);
    assert.equal(dominates(FIGURE[w! - 1]!, FIGURE[l! - 1]!), false, p);
  }
});

Deno.test("frontiers() drops points in both sets and the lower frontier is not every dominated point", () => {
  const s = new FrontierScratch(8);
  // An anti-chain: every point is in X+ and X-, so both end up empty.
  frontiers([0, 1, 1, 0, 0.5, 0.5], 0, 3, 2, s);
  assert.equal(s.nPlus, 0);
  assert.equal(s.nMinus, 0);
  // A chain 0 > 1 > 2 > 3: point 1 is dominated but dominates 2, so it is in neither set.
  frontiers([4, 4, 3, 3, 2, 2, 1, 1], 0, 4, 2, s);
  assert.deepEqual([...s.plus.subarray(0, s.nPlus)], [0]);
  assert.deepEqual([...s.minus.subarray(0, s.nMinus)], [3]);
});

Deno.test("FRS draws over many seeds only accepted pairs, each about equally often", async () => {
  const groups = Array.from(
    { length: 4000 },
    (_, i) => calibratedGroup(`p${i}`, ["a", "b"], FIGURE),
  );
  const { out, stats } = await select(groups, { method: "frs", rewards: ["a", "b"], seed: 11 });
  const counts = new Map<string, number>();
  for (const g of out) {
    for (const p of g.rows) {
      const key = `${p.winner_index + 1},${p.loser_index + 1}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  assert.deepEqual([...counts.keys()].sort(), ACCEPTED);
  for (const k of ACCEPTED) {
    const c = counts.get(k)!;
    assert.ok(c > 850 && c < 1150, `${k}: ${c} of 4000`); // uniform over 4 accepted: 1000 each
  }
  assert.deepEqual(stats, { groups: 4000, pairs: 4000, no_pair: 0, short: 0 });
});

Deno.test("FRS with no retries leaves some prompts without a pair, counted, group still emitted", async () => {
  const groups = Array.from(
    { length: 600 },
    (_, i) => calibratedGroup(`q${i}`, ["a", "b"], FIGURE),
  );
  const { out, stats } = await select(groups, {
    method: "frs",
    rewards: ["a", "b"],
    seed: 5,
    max_retries: 0,
  });
  assert.equal(out.length, 600);
  const empty = out.filter((g) => g.rows.length === 0).length;
  assert.equal(stats.no_pair, empty);
  // P(reject one draw) = 2/6: about 200 of 600
  assert.ok(empty > 140 && empty < 260, `no pair for ${empty}`);
  assert.equal(stats.pairs + stats.no_pair, 600);
});

Deno.test("FRS pairs depend on (seed, prompt_id), not on group order", async () => {
  const groups = Array.from({ length: 50 }, (_, i) => calibratedGroup(`r${i}`, ["a", "b"], FIGURE));
  const opts = { method: "frs", rewards: ["a", "b"], seed: 99, pairs_per_prompt: 2 } as const;
  const fwd = await select(groups, opts);
  const rev = await select([...groups].reverse(), opts);
  const key = (gs: Group<Pair>[]) =>
    Object.fromEntries(
      gs.map((g) => [g.prompt_id, g.rows.map((p) => p.pair_id + p.winner_id + p.loser_id)]),
    );
  assert.deepEqual(key(fwd.out), key(rev.out));
  const other = await select(groups, { ...opts, seed: 100 });
  assert.notDeepEqual(key(other.out), key(fwd.out));
});

Deno.test("FRS pairsPerPrompt draws distinct pairs and counts prompts that fall short", async () => {
  const groups = Array.from({ length: 20 }, (_, i) => calibratedGroup(`s${i}`, ["a", "b"], FIGURE));
  const three = await select(groups, {
    method: "frs",
    rewards: ["a", "b"],
    seed: 1,
    pairs_per_prompt: 3,
  });
  for (const g of three.out) {
    const keys = g.rows.map((p) => `${p.winner_index + 1},${p.loser_index + 1}`);
    assert.equal(new Set(keys).size, 3);
    assert.ok(keys.every((k) => ACCEPTED.includes(k)));
    assert.deepEqual(g.rows.map((p) => p.pair_index), [0, 1, 2]);
  }
  // Only 4 acceptable pairs exist: asking for 5 gives 4 and counts the prompt as short.
  const five = await select(groups, {
    method: "frs",
    rewards: ["a", "b"],
    seed: 1,
    pairs_per_prompt: 5,
  });
  assert.ok(five.out.every((g) => g.rows.length === 4));
  assert.deepEqual(five.stats, { groups: 20, pairs: 80, no_pair: 0, short: 20 });
});

Deno.test("frsSelect() gives up after one draw plus maxRetries retries", () => {
  // A scripted Rng that always draws x+ = 1 and x- = 5, a rejected pair of the figure.
  class AlwaysOneFive extends Rng {
    calls = 0;
    override next(): number {
      return this.calls++ % 2 === 0 ? 0 : 0.99;
    }
  }
  const s = new FrontierScratch(5);
  const w = new Int32Array(1);
  const l = new Int32Array(1);
  for (const maxRetries of [0, 7, 32]) {
    const rng = new AlwaysOneFive(0);
    assert.equal(frsSelect(FIGURE.flat(), 0, 5, 2, rng, 1, maxRetries, w, l, s), 0);
    assert.equal(rng.calls, 2 * (1 + maxRetries));
  }
});

Deno.test("single picks argmax/argmin of one reward's Rca and regresses onto it", async () => {
  const pts = [[0.2, 0.9], [0.7, 0.1], [0.5, 0.5], [0.1, 0.8]];
  const g = calibratedGroup("p", ["a", "b"], pts);
  const { out } = await select([g], {
    method: "single",
    reward: "a",
    rewards: ["a", "b"],
    seed: 0,
  });
  const [p] = out[0]!.rows;
  assert.equal(p!.winner_index, 1);
  assert.equal(p!.loser_index, 3);
  assert.equal(p!.method, "single:a");
  assert.equal(p!.target_winner, 0.7);
  assert.equal(p!.target_loser, 0.1);
  assert.equal(p!.delta, 0.7 - 0.1);
  assert.equal(p!.rca_winner_b, 0.1);
  assert.equal(p!.rca_loser_b, 0.8);
  assert.equal(p!.pair_id, "p:0");
  assert.equal(p!.winner_id, "p:1");
  const two = await select([g], {
    method: "single",
    reward: "b",
    rewards: ["a", "b"],
    seed: 0,
    pairs_per_prompt: 3,
  });
  // order by b: 0 (0.9), 3 (0.8), 2 (0.5), 1 (0.1): pairs (0,1), (3,2); a third would meet
  assert.deepEqual(two.out[0]!.rows.map((r) => [r.winner_index, r.loser_index]), [[0, 1], [3, 2]]);
  assert.equal(two.stats.short, 1);
});

Deno.test("sum-raw and sum-calibrated rank by different sums; targets use weighted Rca", async () => {
  // Raw reward a has a huge scale, so the raw sum follows a; the calibrated sum follows b too.
  const raw = [[100, 0], [0, 1], [50, 0.9], [60, 0.1]];
  const rca = [[0.9, 0.1], [0.1, 0.9], [0.5, 0.7], [0.6, 0.3]];
  const g = calibratedGroup("p", ["a", "b"], rca, raw);
  const sr = await select([g], { method: "sum-raw", rewards: ["a", "b"], seed: 0 });
  assert.deepEqual([sr.out[0]!.rows[0]!.winner_index, sr.out[0]!.rows[0]!.loser_index], [0, 1]);
  assert.equal(sr.out[0]!.rows[0]!.method, "sum-raw");
  const sc = await select([g], { method: "sum-calibrated", rewards: ["a", "b"], seed: 0 });
  // sums: 1.0, 1.0, 1.2, 0.9 -> winner 2, loser 3
  assert.deepEqual([sc.out[0]!.rows[0]!.winner_index, sc.out[0]!.rows[0]!.loser_index], [2, 3]);
  const p = sc.out[0]!.rows[0]!;
  assert.ok(Math.abs(p.target_winner - 0.6) < 1e-15);
  assert.ok(Math.abs(p.target_loser - 0.45) < 1e-15);
  const w = await select([g], {
    method: "sum-calibrated",
    rewards: ["a", "b"],
    seed: 0,
    weights: { a: 3, b: 1 },
  });
  const q = w.out[0]!.rows[0]!;
  assert.ok(Math.abs(q.target_winner - (3 * 0.5 + 0.7) / 4) < 1e-15);
  assert.ok(Math.abs(q.delta - ((3 * 0.5 + 0.7) - (3 * 0.6 + 0.3)) / 4) < 1e-15);
});

Deno.test("a group whose samples all tie yields no pair for every method", async () => {
  const g = calibratedGroup("t", ["a", "b"], [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]);
  for (const method of ["single", "sum-raw", "sum-calibrated", "frs"] as const) {
    const { out, stats } = await select([g], { method, reward: "a", rewards: ["a", "b"], seed: 0 });
    assert.equal(out[0]!.rows.length, 0, method);
    assert.equal(stats.no_pair, 1, method);
  }
});

Deno.test("extremePairs() orders ties by index and stops when the ends meet", () => {
  const w = new Int32Array(4);
  const l = new Int32Array(4);
  assert.equal(extremePairs(Float64Array.of(1, 3, 3, 0, 0), 5, 1, w, l), 1);
  assert.deepEqual([w[0], l[0]], [1, 4]);
  assert.equal(extremePairs(Float64Array.of(1, 3, 3, 0, 0), 5, 4, w, l), 2);
  assert.deepEqual([...w.subarray(0, 2), ...l.subarray(0, 2)], [1, 2, 4, 3]);
});

Deno.test("SelectPairsStream() rejects bad options, listing allowed values", () => {
  const base = { rewards: ["a", "b"], seed: 0 };
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new SelectPairsStream({ ...base, method: "best" as any }),
    /'select\.method' .* one of 'single', 'sum-raw', 'sum-calibrated', 'frs': current value is "best"/,
  );
  assert.throws(
    () => new SelectPairsStream({ ...base, method: "single" }),
    /reward must name one of the rewards \(a, b\)/,
  );
  assert.throws(
    () => new SelectPairsStream({ ...base, method: "frs", pairs_per_prompt: 0 }),
    /'select\.pairs_per_prompt' .* an integer >= 1/,
  );
  assert.throws(
    () => new SelectPairsStream({ ...base, method: "frs", weights: { c: 1 } }),
    /unknown reward/,
  );
  assert.throws(
    () => new SelectPairsStream({ ...base, method: "frs", weights: { a: 0 } }),
    /must not all be 0/,
  );
  assert.throws(
    () => new SelectPairsStream({ ...base, method: "frs", max_retries: -1 }),
    /'select\.max_retries' .* an integer >= 0/,
  );
});

Deno.test("SelectPairsStream() errors on a NaN Rca, naming the sample and column", async () => {
  const g = calibratedGroup("n", ["a"], [[0.2], [NaN], [0.9]]);
  await assert.rejects(
    select([g], { method: "frs", rewards: ["a"], seed: 0 }),
    /sample 'n:1' as 'rca_a' must be a finite number: current value is NaN/,
  );
});

Deno.test("SelectPairsStream() emits nothing for empty input", async () => {
  const { out, stats } = await select([], { method: "frs", rewards: ["a"], seed: 0 });
  assert.deepEqual(out, []);
  assert.equal(stats.groups, 0);
});

Deno.test("SelectPairsStream() propagates an upstream error", async () => {
  const err = new Error("calibrator died");
  const src = failingSource([calibratedGroup("p", ["a"], [[0.1], [0.9]])], err);
  await assert.rejects(
    Array.fromAsync(
      src.pipeThrough(new SelectPairsStream({ method: "frs", rewards: ["a"], seed: 0 })),
    ),
    (e) => e === err,
  );
});

Deno.test("SelectPairsStream() cancels upstream when downstream cancels", async () => {
  const { stream, cancelled } = endlessSource((i) => calibratedGroup(`p${i}`, ["a", "b"], FIGURE));
  const reader = stream
    .pipeThrough(new SelectPairsStream({ method: "frs", rewards: ["a", "b"], seed: 0 }))
    .getReader();
  assert.equal((await reader.read()).value?.prompt_id, "p0");
  await reader.cancel("stop");
  assert.equal(await cancelled, "stop");
});
