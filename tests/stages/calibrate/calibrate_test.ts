import assert from "node:assert/strict";
import { Rng } from "../../../lib/rng.ts";
import type { Calibrated } from "../../../schemas/calibrated.ts";
import type { Group } from "../../../schemas/group.ts";
import type { Scored } from "../../../schemas/scored.ts";
import {
  calibrateGroup,
  calibrateGroups,
  CalibrateStream,
  RCA_EPS,
  rcaFromWinMatrix,
} from "../../../stages/calibrate/calibrate.ts";
import { endlessSource, failingSource } from "../../lib/streams/helpers.ts";
import { scoredGroup } from "../fixtures.ts";

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Straight from docs/method.md eq. 3.1, one reward: the independent reference. */
function reference(r: readonly number[], tau = 1): number[] {
  const n = r.length;
  return r.map((ri, i) => {
    let t = 0;
    for (let j = 0; j < n; j++) if (j !== i) t += sigmoid((ri - r[j]!) / tau);
    return t / (n - 1);
  });
}

function calib(r: readonly number[], tau = 1): Float64Array {
  const out = new Float64Array(r.length);
  calibrateGroup(Float64Array.from(r), 0, r.length, 1, Float64Array.of(tau), out);
  return out;
}

async function run(groups: Group<Scored>[], rewards: string[], tau?: Record<string, number>) {
  const opts = tau ? { rewards, tau } : { rewards };
  return await Array.fromAsync(ReadableStream.from(groups).pipeThrough(new CalibrateStream(opts)));
}

Deno.test("rcaFromWinMatrix() reproduces the paper's worked example 0.80, 0.15, 0.55", () => {
  // P[i][j] = P(x_i beats x_j), N = 3, diagonal excluded (docs/method.md §3.3).
  const P = [
    0,
    0.95,
    0.65,
    0.05,
    0,
    0.25,
    0.35,
    0.75,
    0,
  ];
  const rca = rcaFromWinMatrix(P, 3);
  assert.ok(Math.abs(rca[0]! - 0.80) < 1e-15, String(rca[0]));
  assert.ok(Math.abs(rca[1]! - 0.15) < 1e-15, String(rca[1]));
  assert.ok(Math.abs(rca[2]! - 0.55) < 1e-15, String(rca[2]));
});

Deno.test("calibrateGroup() equals the win-matrix average of sigmoid((r_i - r_j) / tau)", () => {
  const r = [0.3, -1.2, 2.5, 0.3, 4.0];
  for (const tau of [1, 0.25, 3]) {
    const P = r.flatMap((ri) => r.map((rj) => sigmoid((ri - rj) / tau)));
    const want = rcaFromWinMatrix(P, r.length);
    const got = calib(r, tau);
    for (let i = 0; i < r.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-14);
  }
  // Hand-computed: r = [0, 1, 3], tau = 1.
  const got = calib([0, 1, 3]);
  const e = Math.exp;
  const want = [
    (1 / (1 + e(1)) + 1 / (1 + e(3))) / 2,
    (1 / (1 + e(-1)) + 1 / (1 + e(2))) / 2,
    (1 / (1 + e(-3)) + 1 / (1 + e(-2))) / 2,
  ];
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-15);
});

Deno.test("calibrateGroup() keeps Rca in (0,1), the mean at 0.5 and order, on random groups", () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + rng.int(30);
    const scale = [0.01, 1, 10, 100][trial % 4]!;
    const r = Array.from({ length: n }, () => scale * rng.normal());
    const tau = 0.1 + rng.next() * 2;
    const got = calib(r, tau);
    const want = reference(r, tau);
    let mean = 0;
    for (let i = 0; i < n; i++) {
      assert.ok(got[i]! > 0 && got[i]! < 1);
      // equals eq. 1.3 except where the clamp at RCA_EPS applies
      assert.ok(Math.abs(got[i]! - want[i]!) < 1e-12 + RCA_EPS, `${got[i]} vs ${want[i]}`);
      mean += got[i]!;
    }
    assert.ok(Math.abs(mean / n - 0.5) < 1e-15, `mean ${mean / n}`);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (r[i]! > r[j]!) assert.ok(got[i]! > got[j]!, "strictly monotone in r");
        if (r[i] === r[j]) assert.equal(got[i], got[j]);
      }
    }
  }
});

Deno.test("calibrateGroup() stays inside (0,1) with exact mean and order on extreme gaps", () => {
  const cases: [number[], number][] = [
    [[-1e300, 0, 1e300], 1],
    [[0, 1e6, 2e6, 3e6], 1],
    [[0, 1, 2], 1e-9],
    [[5, 5, 5, 5], 1],
    [[0, 0, 1e9], 1],
    [[-800, 0, 30, 31, 800], 1], // the per-pair path (range / tau > 600)
  ];
  for (const [r, tau] of cases) {
    const got = calib(r, tau);
    let mean = 0;
    for (let i = 0; i < r.length; i++) {
      assert.ok(got[i]! >= RCA_EPS && got[i]! <= 1 - RCA_EPS, `${r}: ${got}`);
      mean += got[i]!;
    }
    assert.ok(Math.abs(mean / r.length - 0.5) < 1e-15, `${r}: mean ${mean / r.length}`);
    for (let i = 0; i < r.length; i++) {
      for (let j = 0; j < r.length; j++) if (r[i]! > r[j]!) assert.ok(got[i]! > got[j]!, `${r}`);
    }
  }
  const wide = calib([-800, 0, 30, 31, 800]);
  const want = reference([-800, 0, 30, 31, 800]);
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(wide[i]! - want[i]!) < 2 * RCA_EPS);
});

Deno.test("calibrateGroups() on packed groups equals calibrating each group alone", () => {
  const rng = new Rng(3);
  const sizes = [2, 5, 16, 3];
  const K = 3;
  const offsets = Int32Array.from([
    0,
    ...sizes.map((_, g) => sizes.slice(0, g + 1).reduce((a, b) => a + b)),
  ]);
  const rows = offsets[sizes.length]!;
  const r = Float64Array.from({ length: rows * K }, () => rng.normal());
  const tau = Float64Array.of(1, 0.5, 2);
  const out = new Float64Array(rows * K);
  calibrateGroups(r, offsets, K, tau, out);
  for (let g = 0; g < sizes.length; g++) {
    for (let k = 0; k < K; k++) {
      const col = Array.from({ length: sizes[g]! }, (_, i) => r[(offsets[g]! + i) * K + k]!);
      const want = calib(col, tau[k]!);
      col.forEach((_, i) =>
        assert.ok(Math.abs(out[(offsets[g]! + i) * K + k]! - want[i]!) < 1e-15)
      );
    }
  }
  assert.throws(
    () => calibrateGroups(r.subarray(0, 3), Int32Array.of(0, 1), K, tau, out),
    /group 0 as it has 1 sample/,
  );
});

Deno.test("CalibrateStream() adds rca_<k> per reward with its own temperature", async () => {
  const g = scoredGroup("p1", { aes: [0.1, 0.5, 0.9], align: [3, 1, 2] });
  const [out] = await run([g], ["aes", "align"], { align: 2 });
  assert.equal(out!.rows.length, 3);
  const aes = calib([0.1, 0.5, 0.9], 1);
  const align = calib([3, 1, 2], 2);
  out!.rows.forEach((row: Calibrated, i) => {
    assert.equal(row.sample_id, `p1:${i}`);
    assert.equal(row.reward_aes, [0.1, 0.5, 0.9][i]);
    assert.equal(row.rca_aes, aes[i]);
    assert.equal(row.rca_align, align[i]);
  });
});

Deno.test("CalibrateStream() errors on a one-sample group, naming the prompt", async () => {
  await assert.rejects(
    run([scoredGroup("lonely", { aes: [0.5] })], ["aes"]),
    /Cannot calibrate prompt 'lonely' as it has 1 sample\(s\)/,
  );
});

Deno.test("CalibrateStream() errors on a NaN, infinite or missing reward, naming sample and reward", async () => {
  await assert.rejects(
    run([scoredGroup("p", { aes: [0.5, NaN, 0.1] })], ["aes"]),
    /sample 'p:1' as reward 'aes' must be a finite number: current value is NaN/,
  );
  await assert.rejects(
    run([scoredGroup("p", { aes: [0.5, 1, -Infinity] })], ["aes"]),
    /sample 'p:2' as reward 'aes'.*-Infinity/,
  );
  await assert.rejects(
    run([scoredGroup("p", { aes: [0.5, 1] })], ["aes", "other"]),
    /sample 'p:0' as reward 'other'.*undefined/,
  );
});

Deno.test("CalibrateStream() rejects bad options, naming them", () => {
  assert.throws(
    () => new CalibrateStream({ rewards: ["aes"], tau: { aes: 0 } }),
    /tau for 'aes'.*0/,
  );
  assert.throws(
    () => new CalibrateStream({ rewards: ["aes"], tau: { aez: 1 } }),
    /unknown reward 'aez'/,
  );
  assert.throws(() => new CalibrateStream({ rewards: [] }), /at least one reward/);
});

Deno.test("CalibrateStream() emits nothing for empty input", async () => {
  assert.deepEqual(await run([], ["aes"]), []);
});

Deno.test("CalibrateStream() propagates an upstream error", async () => {
  const err = new Error("scorer died");
  const src = failingSource([scoredGroup("p", { aes: [1, 2] })], err);
  await assert.rejects(
    Array.fromAsync(src.pipeThrough(new CalibrateStream({ rewards: ["aes"] }))),
    (e) => e === err,
  );
});

Deno.test("CalibrateStream() cancels upstream when downstream cancels", async () => {
  const { stream, cancelled } = endlessSource((i) => scoredGroup(`p${i}`, { aes: [i, 0, 1] }));
  const reader = stream.pipeThrough(new CalibrateStream({ rewards: ["aes"] })).getReader();
  assert.equal((await reader.read()).value?.prompt_id, "p0");
  await reader.cancel("stop");
  assert.equal(await cancelled, "stop");
});
