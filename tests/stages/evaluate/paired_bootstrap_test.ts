import assert from "node:assert/strict";
import { pairedBootstrap } from "../../../stages/evaluate/paired_bootstrap.ts";

const one = (values: number[]) => ({ values, prompts: values.length, seedsA: 1, seedsB: 1 });

Deno.test("pairedBootstrap() of a constant difference: a point interval and the smallest p", () => {
  const r = pairedBootstrap(one([0.25, 0.25, 0.25, 0.25]), 0, { resamples: 99 });
  assert.deepEqual([r.low, r.estimate, r.high], [0.25, 0.25, 0.25]);
  assert.equal(r.p_value, 1 / 100); // no resample is as far from 0.25 as 0 is
  // at the null itself, every resample is as extreme: p = 1
  assert.equal(pairedBootstrap(one([0.5, 0.5, 0.5]), 0.5, { resamples: 99 }).p_value, 1);
});

Deno.test("pairedBootstrap() of two prompts {0, 1} has the known distribution 0, 0.5, 1 w.p. 1/4, 1/2, 1/4", () => {
  const B = 4000;
  // H0 0.25: |theta* - 0.5| >= 0.25 iff theta* in {0, 1}: p = 1/2 (SE 0.008 at B = 4000)
  const r = pairedBootstrap(one([0, 1]), 0.25, { resamples: B, seed: 3 });
  assert.equal(r.estimate, 0.5);
  assert.ok(Math.abs(r.p_value - 0.5) < 0.03, `p ${r.p_value}`);
  assert.deepEqual([r.low, r.high], [0, 1]); // 2.5% and 97.5% quantiles
  // H0 0: only theta* in {0, 1} is 0.5 away from 0.5, so the same p
  assert.ok(Math.abs(pairedBootstrap(one([0, 1]), 0, { resamples: B }).p_value - 0.5) < 0.03);
});

Deno.test("pairedBootstrap() resamples training seeds: seed variance widens the interval", () => {
  // three prompts; A's seed 0 scores 0 on every prompt, seed 1 scores 1: per prompt there is no
  // spread, all of it is between the seeds (x[p, s, t] = s)
  const values = [0, 1, 0, 1, 0, 1];
  const seeds = pairedBootstrap({ values, prompts: 3, seedsA: 2, seedsB: 1 }, 0.5, {
    resamples: 4000,
    seed: 1,
  });
  assert.equal(seeds.estimate, 0.5);
  // theta* = share of seed 1 in the two seed draws: 0, 0.5, 1 w.p. 1/4, 1/2, 1/4
  assert.deepEqual([seeds.low, seeds.high], [0, 1]);
  // averaged over the seeds first, the prompts alone show no spread at all
  const promptsOnly = pairedBootstrap(one([0.5, 0.5, 0.5]), 0.5, { resamples: 100 });
  assert.deepEqual([promptsOnly.low, promptsOnly.high], [0.5, 0.5]);
  // B's seeds are drawn independently of A's: x[p, s, t] = t is the same case mirrored
  const b = pairedBootstrap({ values: [0, 1], prompts: 1, seedsA: 1, seedsB: 2 }, 0.5, {
    resamples: 4000,
  });
  assert.deepEqual([b.low, b.high], [0, 1]);
});

Deno.test("pairedBootstrap() is reproducible from its seed and refuses bad shapes", () => {
  const x = one([0.1, 0.7, 0.4, 0.9, 0.3]);
  assert.deepEqual(pairedBootstrap(x, 0.5, { seed: 7 }), pairedBootstrap(x, 0.5, { seed: 7 }));
  assert.throws(
    () => pairedBootstrap({ values: [1, 2, 3], prompts: 2, seedsA: 1, seedsB: 1 }, 0),
    /must hold prompts x seedsA x seedsB = 2 numbers: current length is 3/,
  );
  assert.throws(
    () => pairedBootstrap({ values: [], prompts: 0, seedsA: 1, seedsB: 1 }, 0),
    /prompts must be a positive integer: current value is 0/,
  );
  assert.throws(() => pairedBootstrap(one([NaN]), 0), /value 0 is not finite/);
});
