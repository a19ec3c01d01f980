import assert from "node:assert/strict";
import {
  formatRankingAccuracy,
  rankingAccuracy,
} from "../../../models/rewards/ranking_accuracy.ts";

const item = (prompt: string, category: string, correct: boolean, good: number, flat: number) => ({
  prompt,
  category,
  correct,
  scores: { good, flat },
});

// p: 2 right (0.9, 0.4), 1 wrong (0.5) -> 2 mixed pairs; 'good' ranks 1 of them right.
// q: 1 right (0.7), 2 wrong (0.2, 0.1) -> 2 pairs, both ranked right by 'good'.
// r: all wrong -> no pair. 'flat' scores every sample the same: every pair a tie.
const ITEMS = [
  item("p", "counting", true, 0.9, 1),
  item("p", "counting", true, 0.4, 1),
  item("p", "counting", false, 0.5, 1),
  item("q", "position", true, 0.7, 1),
  item("q", "position", false, 0.2, 1),
  item("q", "position", false, 0.1, 1),
  item("r", "position", false, 0.3, 1),
  item("r", "position", false, 0.8, 1),
];

Deno.test("rankingAccuracy() counts one prompt's right-wrong pairs, ties half, as computed by hand", () => {
  const r = rankingAccuracy(ITEMS, ["good", "flat"]);
  assert.deepEqual([r.items, r.all_prompts, r.prompts, r.pairs], [8, 3, 2, 4]);
  assert.equal(r.accuracy.good, 3 / 4); // pooled: (1 + 2) / 4
  assert.equal(r.per_prompt.good, (1 / 2 + 1) / 2);
  assert.equal(r.accuracy.flat, 0.5);
  assert.deepEqual(r.by_category.counting, {
    pairs: 2,
    prompts: 1,
    accuracy: { good: 0.5, flat: 0.5 },
    per_prompt: { good: 0.5, flat: 0.5 },
  });
  assert.equal(r.by_category.position!.accuracy.good, 1);
  assert.equal(r.by_category.position!.prompts, 1);
  const md = formatRankingAccuracy(r, ["counting", "position"]);
  // over the 2 prompts: p twice 2/4, q twice 4/4, one each 3/4
  assert.deepEqual(r.interval, { good: { low: 0.5, high: 1 }, flat: { low: 0.5, high: 0.5 } });
  assert.match(
    md,
    /\| all \(3\) \| 2 \| 4 \| 75\.0 \[50\.0, 100\.0\] \| 75\.0 \| 50\.0 \[50\.0, 50\.0\] \| 50\.0 \|/,
  );
  assert.match(md, /\| counting \| 1 \| 2 \| 50\.0 \|/);
});

Deno.test("rankingAccuracy() with no mixed pair gives NaN, and refuses a missing score", () => {
  const r = rankingAccuracy(ITEMS.slice(6), ["good"]);
  assert.equal(r.pairs, 0);
  assert.ok(Number.isNaN(r.accuracy.good));
  assert.match(formatRankingAccuracy(r), /\| all \(1\) \| 0 \| 0 \| - \[-, -\] \| - \|/);
  assert.throws(
    () => rankingAccuracy(ITEMS, ["good", "other"]),
    /item 0 has no finite 'other' score: current value is undefined/,
  );
});
