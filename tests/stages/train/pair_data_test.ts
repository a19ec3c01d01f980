import assert from "node:assert/strict";
import { PairData } from "../../../stages/train/pair_data.ts";
import { tinyConfig } from "../../models/_tiny.ts";
import { pairGroups, squareImage } from "./_pairs.ts";

const cfg = tinyConfig("eps");
const V = 16 * 16 * 3;

Deno.test("PairData decodes each pair's images and lays out winners then losers", () => {
  const d = new PairData(cfg);
  for (const g of pairGroups(2, 1, 16)) d.add(g);
  assert.equal(d.size, 2);
  const b = d.batch([1, 0]);
  assert.equal(b.size, 2);
  assert.equal(b.x0.length, 4 * V);
  // row 0 = winner of pair 1 (group p001's sample 0), row 2 = its loser (sample 1)
  const w = squareImage(16, 1000 + 10), l = squareImage(16, 1000 + 11);
  assert.ok(b.x0.subarray(0, V).every((v, i) => v === Math.fround(w[i]! / 127.5 - 1)));
  assert.ok(b.x0.subarray(2 * V, 3 * V).every((v, i) => v === Math.fround(l[i]! / 127.5 - 1)));
  // both rows of a pair carry its prompt's tokens
  assert.deepEqual(b.tokens.subarray(0, 8), b.tokens.subarray(16, 24));
  const groups = pairGroups(2, 1, 16);
  assert.ok(Math.abs(b.dRca[0]! - groups[1]!.rows[0]!.delta) < 1e-7);
});

Deno.test("PairData's fingerprint and order do not depend on the order groups arrive in", () => {
  const groups = pairGroups(5, 2, 16);
  const a = new PairData(cfg), b = new PairData(cfg);
  for (const g of groups) a.add(g);
  for (const g of [...groups].reverse()) b.add(g);
  assert.equal(a.fingerprint(), b.fingerprint());
  assert.deepEqual(a.batch([0, 3, 7]), b.batch([0, 3, 7]));
  const c = new PairData(cfg);
  for (const g of pairGroups(5, 2, 16, 2)) c.add(g);
  assert.notEqual(c.fingerprint(), a.fingerprint());
});

Deno.test("PairData recomputes dR_ca from the Rca columns with reward_weights", () => {
  const [g] = pairGroups(1, 1, 16);
  const r = g!.rows[0]!;
  const d = new PairData(cfg, { a: 3, b: 1 });
  d.add(g!);
  const want = (3 * (r.rca_winner_a! - r.rca_loser_a!) + (r.rca_winner_b! - r.rca_loser_b!)) / 4;
  assert.ok(Math.abs(d.batch([0]).dRca[0]! - want) < 1e-7);
  assert.throws(
    () => new PairData(cfg, { c: 1 }).add(g!),
    /no 'rca_winner_c'.*selected upstream: a, b/,
  );
});

Deno.test("PairData names the pair whose image is missing or has the wrong size", () => {
  const [g] = pairGroups(1, 1, 16);
  assert.throws(
    () => new PairData(cfg).add({ ...g!, images: new Map() }),
    /pair 'p000:0' as the image of its winner 'p000:0' is not in the group/,
  );
  const [big] = pairGroups(1, 1, 8);
  assert.throws(
    () => new PairData(cfg).add(big!),
    /takes 16x16 images: the winner 'p000:0' is 8x8/,
  );
});

Deno.test("PairData counts groups without pairs and stays empty", () => {
  const d = new PairData(cfg);
  for (const g of pairGroups(3, 0, 16)) d.add(g);
  assert.equal(d.size, 0);
  assert.equal(d.groups, 3);
});

Deno.test("PairData with epoch_pairs 'redraw' trains one pair per prompt, the next each epoch", () => {
  // 3 prompts x 3 pairs; in pair_id order prompt g's pair p is index 3g + p
  const d = new PairData(cfg, null, "redraw");
  for (const g of pairGroups(3, 3, 16)) d.add(g);
  assert.equal(d.size, 9);
  assert.equal(d.perEpoch, 3);
  assert.deepEqual(d.epochPairs(0), [0, 3, 6]);
  assert.deepEqual(d.epochPairs(1), [1, 4, 7]);
  assert.deepEqual(d.epochPairs(5), [2, 5, 8]); // 5 mod 3 = 2
  // a prompt with fewer pairs cycles through its own
  d.add(pairGroups(4, 1, 16)[3]!);
  assert.equal(d.perEpoch, 4);
  assert.deepEqual(d.epochPairs(2), [2, 5, 8, 9]);
  // 'all' (the default) trains every pair every epoch
  const all = new PairData(cfg);
  for (const g of pairGroups(3, 3, 16)) all.add(g);
  assert.equal(all.perEpoch, 9);
  assert.deepEqual(all.epochPairs(3), [...Array(9).keys()]);
  // the fingerprint is the pairs', whatever the mode
  const redraw = new PairData(cfg, null, "redraw");
  for (const g of pairGroups(3, 3, 16)) redraw.add(g);
  assert.equal(redraw.fingerprint(), all.fingerprint());
});
