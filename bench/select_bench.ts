/**
 * Throughput of calibrator + frontier sampler (issue 2, point 7): samples per second through
 * docs/method.md §3 calibration and §4.2 FRS pair selection, N = 16 samples per prompt, K = 3
 * rewards, 1M samples by default. Three measurements in the same run:
 *
 *   baseline    a straightforward implementation: one object per sample, eq. 1.3 with one
 *               sigmoid per ordered pair, FRS with arrays and filter/some;
 *   core        the packed cores (calibrateGroups + frsSelect on Float64Arrays) plus the
 *               regression targets, no per-sample objects;
 *   stream      the stages as the pipeline runs them: Group<Scored> records through
 *               CalibrateStream and SelectPairsStream (record building included).
 *
 * The baseline and the core draw FRS pairs with the same per-prompt Rng protocol, so their
 * pair counts and winner/loser checksums must agree; the bench checks that.
 *
 *   deno run --allow-read --allow-env bench/select_bench.ts [--samples 1000000]
 */
import process from "node:process";
import { Rng } from "../lib/rng.ts";
import { intFlag } from "./bench_env.ts";
import type { Group } from "../schemas/group.ts";
import type { Scored } from "../schemas/scored.ts";
import { calibrateGroups, CalibrateStream } from "../stages/calibrate/calibrate.ts";
import { FrontierScratch, frsSelect } from "../stages/select/frontier.ts";
import { SelectPairsStream } from "../stages/select/select_pairs.ts";

const N = 16;
const K = 3;
const REWARDS = ["aesthetic", "alignment", "preference"];
const SEED = 17;

export interface BenchLine {
  name: string;
  samples: number;
  /** wall-clock seconds */
  seconds: number;
  samplesPerSecond: number;
  /** CPU seconds of this process (user + system): steadier than wall time on a shared machine */
  cpuSeconds: number;
  samplesPerCpuSecond: number;
  pairs: number;
}

export interface SelectBenchResult {
  baseline: BenchLine;
  core: BenchLine;
  stream: BenchLine;
  /** baseline and core found the same pairs */
  agree: boolean;
  target: number;
}

/** Raw rewards [G*N x K]: a 1-10 aesthetic-like score, a [0,1] alignment, a logit preference. */
function makeRewards(groups: number): Float64Array {
  const rng = new Rng(SEED);
  const r = new Float64Array(groups * N * K);
  for (let i = 0; i < groups * N; i++) {
    r[i * K] = 5 + 1.5 * rng.normal();
    r[i * K + 1] = rng.next();
    r[i * K + 2] = 2 * rng.normal();
  }
  return r;
}

// ---- baseline: the straightforward implementation ------------------------------------------

interface NaiveSample {
  raw: number[];
  rca: number[];
}

function dominatesNaive(a: number[], b: number[]): boolean {
  return a.every((v, k) => v >= b[k]!) && a.some((v, k) => v > b[k]!);
}

function baseline(r: Float64Array, groups: number): { pairs: number; checksum: number } {
  let pairs = 0;
  let checksum = 0;
  for (let g = 0; g < groups; g++) {
    const samples: NaiveSample[] = [];
    for (let i = 0; i < N; i++) {
      const o = (g * N + i) * K;
      samples.push({ raw: [r[o]!, r[o + 1]!, r[o + 2]!], rca: [] });
    }
    // docs/method.md eq. 3.1 as written (tau = 1):
    //   Rca_k(x_i) = 1/(N-1) sum_{j != i} sigma(r_k(x_i) - r_k(x_j))
    for (const s of samples) {
      s.rca = s.raw.map((ri, k) => {
        let t = 0;
        for (const o of samples) if (o !== s) t += 1 / (1 + Math.exp(-(ri - o.raw[k]!)));
        return t / (N - 1);
      });
    }
    // docs/method.md §4.2 FRS
    const upper = samples.filter((x) => !samples.some((y) => dominatesNaive(y.rca, x.rca)));
    const lower = samples.filter((x) => !samples.some((y) => dominatesNaive(x.rca, y.rca)));
    const plus = upper.filter((x) => !lower.includes(x));
    const minus = lower.filter((x) => !upper.includes(x));
    if (plus.length === 0 || minus.length === 0) continue;
    const rng = Rng.derive(SEED, g);
    for (let attempt = 0; attempt <= 32; attempt++) {
      const w = plus[Math.floor(rng.next() * plus.length)]!;
      const l = minus[Math.floor(rng.next() * minus.length)]!;
      if (dominatesNaive(w.rca, l.rca)) {
        const target = (x: NaiveSample) => x.rca.reduce((a, b) => a + b, 0) / K;
        const delta = target(w) - target(l);
        pairs++;
        checksum += samples.indexOf(w) * N + samples.indexOf(l) + (delta > 0 ? 0 : 1e9);
        break;
      }
    }
  }
  return { pairs, checksum };
}

// ---- core: packed arrays -------------------------------------------------------------------

function core(r: Float64Array, groups: number): { pairs: number; checksum: number } {
  const offsets = new Int32Array(groups + 1);
  for (let g = 0; g <= groups; g++) offsets[g] = g * N;
  const tau = new Float64Array(K).fill(1);
  const rca = new Float64Array(r.length);
  calibrateGroups(r, offsets, K, tau, rca);
  const scratch = new FrontierScratch(N);
  const w = new Int32Array(1);
  const l = new Int32Array(1);
  const delta = new Float64Array(groups);
  let pairs = 0;
  let checksum = 0;
  for (let g = 0; g < groups; g++) {
    const found = frsSelect(rca, g * N, N, K, Rng.derive(SEED, g), 1, 32, w, l, scratch);
    if (found === 0) continue;
    let tw = 0;
    let tl = 0;
    for (let k = 0; k < K; k++) {
      tw += rca[(g * N + w[0]!) * K + k]!;
      tl += rca[(g * N + l[0]!) * K + k]!;
    }
    delta[g] = (tw - tl) / K;
    pairs++;
    checksum += w[0]! * N + l[0]! + (delta[g]! > 0 ? 0 : 1e9);
  }
  return { pairs, checksum };
}

// ---- stream: records through the stages ----------------------------------------------------

function scoredGroups(r: Float64Array, groups: number): Group<Scored>[] {
  const out: Group<Scored>[] = [];
  for (let g = 0; g < groups; g++) {
    const id = g.toString(16).padStart(16, "0");
    const rows: Scored[] = [];
    for (let i = 0; i < N; i++) {
      const o = (g * N + i) * K;
      rows.push({
        sample_id: `${id}:${i}`,
        prompt_id: id,
        prompt: "a red circle",
        sample_index: i,
        seed: i,
        reward_aesthetic: r[o]!,
        reward_alignment: r[o + 1]!,
        reward_preference: r[o + 2]!,
      });
    }
    out.push({ prompt_id: id, prompt: "a red circle", rows });
  }
  return out;
}

async function stream(input: Group<Scored>[]): Promise<number> {
  let pairs = 0;
  const out = ReadableStream.from(input)
    .pipeThrough(new CalibrateStream({ rewards: REWARDS }))
    .pipeThrough(new SelectPairsStream({ method: "frs", rewards: REWARDS, seed: SEED }));
  for await (const g of out) pairs += g.rows.length;
  return pairs;
}

async function time<T>(fn: () => T | Promise<T>): Promise<[T, number, number]> {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const v = await fn();
  return [v, (performance.now() - t0) / 1000, cpu() - c0];
}

function line(
  name: string,
  samples: number,
  seconds: number,
  cpuSeconds: number,
  pairs: number,
): BenchLine {
  return {
    name,
    samples,
    seconds,
    samplesPerSecond: samples / seconds,
    cpuSeconds,
    samplesPerCpuSecond: samples / cpuSeconds,
    pairs,
  };
}

/** Runs the three measurements on `samples` samples (rounded down to whole groups of 16). */
export async function benchSelect(samples = 1_000_000): Promise<SelectBenchResult> {
  const groups = Math.max(1, Math.floor(samples / N));
  const n = groups * N;
  const r = makeRewards(groups);
  // Warm up the JIT on a small slice of each path first.
  const warm = Math.min(groups, 2000);
  baseline(r, warm);
  core(r, warm);
  await stream(scoredGroups(r, warm));

  const [b, tb, cb] = await time(() => baseline(r, groups));
  const [c, tc, cc] = await time(() => core(r, groups));
  const input = scoredGroups(r, groups);
  const [sp, ts, cs] = await time(() => stream(input));
  return {
    baseline: line("baseline (objects, per-pair sigmoid)", n, tb, cb, b.pairs),
    core: line("core (packed Float64Array)", n, tc, cc, c.pairs),
    stream: line("stream (records through both stages)", n, ts, cs, sp),
    agree: b.pairs === c.pairs && b.checksum === c.checksum,
    target: 1_000_000,
  };
}

/** The result as the table bench/mod.ts and the standalone run print. */
export function formatSelect(res: SelectBenchResult): string {
  const out = [`calibrator + FRS sampler, N = ${N}, K = ${K}, ${res.core.samples} samples`];
  for (const l of [res.baseline, res.core, res.stream]) {
    out.push(
      `  ${l.name.padEnd(38)} ${
        (l.samplesPerSecond / 1e6).toFixed(2).padStart(5)
      } M samples/s wall` +
        ` (${l.seconds.toFixed(3)} s), ${
          (l.samplesPerCpuSecond / 1e6).toFixed(2).padStart(5)
        } M/s CPU` +
        ` (${l.cpuSeconds.toFixed(3)} s), ${l.pairs} pairs`,
    );
  }
  const met = (l: BenchLine) => (l.samplesPerSecond >= res.target ? "met" : "NOT met");
  out.push(
    `  core vs baseline (wall): ${
      (res.core.samplesPerSecond / res.baseline.samplesPerSecond).toFixed(1)
    }x;` +
      ` same pairs: ${res.agree ? "yes" : "NO"}; target ${res.target / 1e6}M samples/s (wall): ` +
      `${met(res.core)} (core), ${met(res.stream)} (stream)`,
  );
  return out.join("\n");
}

if (import.meta.main) {
  let samples: number;
  try {
    samples = intFlag(Deno.args, "samples", 1_000_000, N);
  } catch (err) {
    console.error(`select_bench: ${(err as Error).message}`);
    Deno.exit(2);
  }
  console.log(formatSelect(await benchSelect(samples)));
}
