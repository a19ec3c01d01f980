/**
 * The fine-tuning step by draws per pair (issue #19): the onnxruntime trainer at every core for
 * `train.draws_per_pair` K = 1, 2, 4 (CaPO) and the two-estimate losses capo_unbiased and
 * ipo_unbiased (K = 1: two draws), 64 pairs each, from the same base weights and batches as
 * `deno task bench train` (bench/train_steps.ts). Every draw's rows go through one batched
 * reference call and one session run, so a step's cost grows with its rows
 * (2 x pairs x draws x estimates).
 *
 *   deno task bench train_draws [--json] [--model <dir>]      (default data/models/base-eps)
 *
 * Per variant: seconds per step (wall and process CPU) and the ratio to K = 1's. First, before
 * anything else is loaded, a step of 128 pairs x 2 draws (512 rows; the step that aborted in
 * tfjs-wasm) and the process's peak RSS after it (Linux VmHWM: the whole process, model and both
 * sessions included).
 */
import { imageValues } from "../models/config.ts";
import { loadModel } from "../models/weights.ts";
import { logger } from "../lib/log.ts";
import { conditions, modelDirFromArgs } from "./bench_env.ts";
import { type Figures, figures, ratio } from "./train_bench.ts";
import { FINETUNE_PAIRS, type FinetuneVariant, ortFinetune } from "./train_steps.ts";

const log = logger("bench");

/** The fine-tuning variants of issue #19: K draws per pair and the two-estimate losses. */
export const DRAW_VARIANTS: readonly FinetuneVariant[] = [
  { loss: "capo", draws_per_pair: 1, pairs: FINETUNE_PAIRS },
  { loss: "capo", draws_per_pair: 2, pairs: FINETUNE_PAIRS },
  { loss: "capo", draws_per_pair: 4, pairs: FINETUNE_PAIRS },
  { loss: "capo_unbiased", draws_per_pair: 1, pairs: FINETUNE_PAIRS },
  { loss: "ipo_unbiased", draws_per_pair: 1, pairs: FINETUNE_PAIRS },
];

export interface DrawsRow extends FinetuneVariant {
  /** Images through the policy and the reference per step: 2 x pairs x draws x estimates. */
  rows: number;
  figures: Figures;
  /** Seconds per step over K = 1's, by wall and by CPU time. */
  over_k1: { wall: number; cpu: number } | null;
}

export interface TrainDrawsResult {
  model: string;
  conditions: string;
  threads: number;
  /** The 128-pair x 2-draw step: its figures and the process's peak RSS (MB): VmHWM where
   *  /proc/self/status is readable (Deno asks --allow-all for it), else the largest RSS sampled
   *  every 5 ms while the steps ran (onnxruntime runs off the main thread; `rss_kind`). */
  large: {
    variant: FinetuneVariant;
    figures: Figures;
    rss_mb: number;
    rss_kind: "VmHWM" | "sampled";
  };
  rows: DrawsRow[];
}

/** The step that aborted in tfjs-wasm's heap (issue #19): 128 pairs x 2 draws. */
export const LARGE_VARIANT: FinetuneVariant = { loss: "capo", draws_per_pair: 2, pairs: 128 };

/** The process's peak resident set (VmHWM) in MB, else `sampled` (bytes). */
async function peakRssMb(
  sampled: number,
): Promise<{ rss_mb: number; rss_kind: "VmHWM" | "sampled" }> {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(await Deno.readTextFile("/proc/self/status"));
    if (m) return { rss_mb: Number(m[1]) / 1024, rss_kind: "VmHWM" };
  } catch { /* not Linux, or not --allow-all */ }
  return { rss_mb: sampled / 2 ** 20, rss_kind: "sampled" };
}

export interface TrainDrawsOptions {
  /** Model directory. @default {"data/models/base-eps", or --model} */
  model?: string;
  /** Timed steps per variant after one warm-up. @default {6} */
  steps?: number;
  /** onnxruntime threads. @default {every core} */
  threads?: number;
}

export async function benchTrainDraws(opts: TrainDrawsOptions = {}): Promise<TrainDrawsResult> {
  const o = { model: modelDirFromArgs(Deno.args), ...opts };
  const steps = o.steps ?? 6;
  const threads = o.threads ?? navigator.hardwareConcurrency;
  const { config: model, weights } = await loadModel(o.model);
  const measure = async (v: FinetuneVariant, n: number): Promise<Figures> => {
    log.info("fine-tuning steps", { ...v, threads });
    try {
      return figures(await ortFinetune(model, weights, threads, n, v));
    } catch (err) {
      return { skipped: `failed: ${err instanceof Error ? err.message : err}` };
    }
  };
  let sampled = 0;
  const sampler = setInterval(() => sampled = Math.max(sampled, Deno.memoryUsage().rss), 5);
  const largeFigures = await measure(LARGE_VARIANT, 2);
  clearInterval(sampler);
  const large = { variant: LARGE_VARIANT, figures: largeFigures, ...await peakRssMb(sampled) };
  const rows: DrawsRow[] = [];
  for (const v of DRAW_VARIANTS) {
    const f = await measure(v, steps);
    const estimates = v.loss.endsWith("_unbiased") ? 2 : 1;
    rows.push({
      ...v,
      rows: 2 * v.pairs * v.draws_per_pair * estimates,
      figures: f,
      over_k1: rows.length === 0 ? null : ratio(f, rows[0]!.figures),
    });
  }
  return {
    model: `${o.model} (${model.parameterization}, ${imageValues(model)} values per image)`,
    conditions: await conditions(),
    threads,
    large,
    rows,
  };
}

export function formatTrainDraws(r: TrainDrawsResult): string {
  const f = (x: number) => x.toFixed(2);
  const L = r.large, lf = L.figures;
  return [
    `Fine-tuning steps by draws per pair, ${r.model}, onnxruntime at ${r.threads} thread(s), ` +
    `measured ${r.conditions}.`,
    "",
    "| loss | K | pairs | rows | s/step | CPU-s/step | x K=1 (wall) | x K=1 (CPU) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...r.rows.map((x) => {
      const g = x.figures;
      if ("skipped" in g) {
        return `| ${x.loss} | ${x.draws_per_pair} | ${x.pairs} | - | ${g.skipped} |`;
      }
      return `| ${x.loss} | ${x.draws_per_pair} | ${x.pairs} | ${x.rows} | ` +
        `${f(1 / g.steps_per_second)} | ${f(1 / g.steps_per_cpu_second)} | ` +
        `${x.over_k1 ? f(x.over_k1.wall) : "1.00"} | ${x.over_k1 ? f(x.over_k1.cpu) : "1.00"} |`;
    }),
    "",
    `${L.variant.pairs} pairs x ${L.variant.draws_per_pair} draws (${L.variant.loss}): ` +
    ("skipped" in lf ? `not measured: ${lf.skipped}` : `${f(1 / lf.steps_per_second)} s per step`) +
    `; peak RSS of the process (${L.rss_kind}) ${L.rss_mb.toFixed(0)} MB.`,
  ].join("\n");
}
