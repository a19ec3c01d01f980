import assert from "node:assert/strict";
import { groupMeans, tally, winScores } from "../../../stages/evaluate/win_rate.ts";

// base  [0.2, 0.5, 0.9, 0.4, 0.4, 0.1]
// tuned [0.3, 0.5, 0.7, 0.4, 0.6, 0.1]
// win   [1,   .5,  0,   .5,  1,   .5 ]  -> 3.5 / 6 = 0.58333...
Deno.test("win-rate counts a tie as half a win (hand-made example: 3.5 / 6)", () => {
  const w = winScores([0.2, 0.5, 0.9, 0.4, 0.4, 0.1], [0.3, 0.5, 0.7, 0.4, 0.6, 0.1]);
  assert.deepEqual([...w], [1, 0.5, 0, 0.5, 1, 0.5]);
  assert.equal(w.reduce((a, x) => a + x, 0) / w.length, 3.5 / 6);
  assert.deepEqual(tally(w), { wins: 2, ties: 3, losses: 1 });
});

Deno.test("an unchanged model wins exactly half, a strictly better one all", () => {
  const r = [0.1, 0.7, 0.3];
  assert.deepEqual([...winScores(r, r)], [0.5, 0.5, 0.5]);
  assert.deepEqual([...winScores(r, r.map((x) => x + 1e-9))], [1, 1, 1]);
  assert.deepEqual([...winScores(r, r.map((x) => x + 1e-9), 1e-6)], [0.5, 0.5, 0.5]);
});

Deno.test("winScores() rejects unequal lengths and non-finite scores", () => {
  assert.throws(() => winScores([1, 2], [1]), /current lengths are 2 and 1/);
  assert.throws(() => winScores([NaN], [1]), /item 0 as both must be finite/);
});

Deno.test("groupMeans() averages the seeds of each prompt", () => {
  assert.deepEqual([...groupMeans([1, 0, 0.5, 0.5, 0, 0], 2)], [0.5, 0.5, 0]);
  assert.throws(() => groupMeans([1, 2, 3], 2), /groups of 2/);
});
