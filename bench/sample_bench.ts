/**
 * Diffusion model speed per CPU core (issue #4, point 5): images per second of the default
 * base at the generator's default settings (20 DDIM steps, guidance 4, so 2 x 64 network rows
 * per call; batch 64) sampled by onnxruntime (models/sampler.ts), by tfjs-wasm (the same model
 * definition in the same loop, bench/tfjs_denoiser.ts) and by PyTorch CPU (bench/torch_dit.py, the
 * same architecture read from the same safetensors). Training speed is `deno task bench train`
 * (bench/train_bench.ts).
 * Every runtime gets one thread (ORT intra-op 1, tfjs-wasm is single-threaded, torch 1).
 * Before timing PyTorch, one forward on fixed inputs must match ORT within 1e-3.
 *
 *   deno task bench sample [--model <dir>]     (default data/models/base-eps)
 *   deno run -A bench/sample_bench.ts [--model <dir>]
 */
import * as tf from "@tensorflow/tfjs";
import * as tfwasm from "@tensorflow/tfjs-backend-wasm";
import { imageValues } from "../models/config.ts";
import { samplingTimes } from "../models/sampling_steps.ts";
import { OrtDenoiser } from "../models/ort_denoiser.ts";
import { Sampler } from "../models/sampler.ts";
import { Schedule } from "../models/schedule.ts";
import { Tokenizer } from "../models/tokenizer.ts";
import { loadModel } from "../models/weights.ts";
import { logger } from "../lib/log.ts";
import { defaultsOf } from "../lib/config_table.ts";
import { GENERATE } from "../stages/generate/options.ts";

const GENERATE_DEFAULTS = defaultsOf(GENERATE);
import { Rng } from "../lib/rng.ts";
import { loadPrompts } from "../shapeworld/mod.ts";
import { conditions, modelDirFromArgs, modelFile } from "./bench_env.ts";
import { fmt, perItemRatio, type Rate, rateRow, timeEach } from "./rate_table.ts";
import { TfjsDenoiser } from "./tfjs_denoiser.ts";
import { ensureTorch, fromBase64F32, toBase64, torchRequest } from "./torch_python.ts";

const log = logger("bench");

export interface SampleBenchOptions {
  /** Model directory (model.safetensors). @default {"data/models/base-eps", or --model} */
  model?: string;
  /** Images per sampler call. @default {64: generate.batch} */
  batch?: number;
  /** @default {20: generate.steps} */
  steps?: number;
  /** @default {4: generate.guidance} */
  guidance?: number;
  /** Whole batches timed on ORT and PyTorch. @default {3} */
  batches?: number;
  /** Whole batches timed on tfjs-wasm (about 10x slower than ORT). @default {1} */
  tfjsBatches?: number;
}

export interface SampleBenchResult {
  model: string;
  conditions: string;
  batch: number;
  steps: number;
  guidance: number;
  ort: Rate;
  tfjs: Rate;
  torch: Rate;
  /** max |ORT - PyTorch| and max |ORT - tfjs| on one forward of fixed inputs, and max |ORT|
   *  (the scale: a model whose outputs are all near 0 would pass trivially). */
  parity: { torch: number | string; tfjs: number; scale: number };
}

/** max_i |a_i - b_i| (Infinity when the lengths differ). */
function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? m : Infinity;
}

export const PARITY_TOLERANCE = 1e-3;

export async function benchSample(opts: SampleBenchOptions = {}): Promise<SampleBenchResult> {
  const o = {
    model: modelDirFromArgs(Deno.args),
    batch: GENERATE_DEFAULTS.batch,
    steps: GENERATE_DEFAULTS.steps,
    guidance: GENERATE_DEFAULTS.guidance,
    batches: 3,
    tfjsBatches: 1,
    ...opts,
  };
  const file = await modelFile(o.model, "bench sampling");
  const { config, weights } = await loadModel(file);
  const prompts = loadPrompts("train").slice(0, o.batch);
  const seeds = prompts.map((_, i) => i);
  const tokenizer = new Tokenizer(config.vocabulary, config.maxTokens);
  await tf.setBackend("wasm");
  await tf.ready();

  // 1. parity inputs: 4 prompts at times across [0, 1]
  const B = 4, V = imageValues(config), L = config.maxTokens;
  const px = new Rng(7).normals(B * V);
  const pt = Float32Array.from([0.001, 0.3, 0.6, 0.999]);
  const ptok = new Int32Array(B * L);
  prompts.slice(0, B).forEach((p, j) => ptok.set(tokenizer.encode(p).ids, j * L));
  const ortOne = await OrtDenoiser.create(config, weights, { intraOpThreads: 1 });
  const ref = await ortOne.predict(px, pt, ptok);
  await ortOne.release();

  // 2. ORT through the Sampler, one warm-up call at full batch
  log.info("sampling on onnxruntime", { batches: o.batches, batch: o.batch });
  const sampler = await Sampler.create(config, weights, { intraOpThreads: 1, maxBatch: o.batch });
  const req = { prompts, seeds, steps: o.steps, guidance: o.guidance };
  await sampler.sample({ ...req, steps: 1 });
  const ort: Rate = {
    ...await timeEach(o.batches, () => sampler.sample(req)),
    itemsPerBatch: o.batch,
  };
  await sampler.release();

  // 3. PyTorch right after ORT, so the two see the same load: install if needed, parity, the
  //    same loop
  let torch: Rate;
  let torchParity: number | string;
  const abar = Array.from(new Schedule(config).abar);
  const why = await ensureTorch();
  if (why !== null) {
    torch = { skipped: why };
    torchParity = "not run";
  } else {
    const base = { weights: file, abar, threads: 1 };
    const par = await torchRequest({
      ...base,
      mode: "parity",
      batch: B,
      x: toBase64(px),
      t: toBase64(pt),
      tokens: toBase64(ptok),
    });
    if (!par.ok) {
      torch = { skipped: par.reason };
      torchParity = "failed to run";
    } else {
      torchParity = maxAbsDiff(ref, fromBase64F32(par.value.prediction as string));
      if (!(torchParity <= PARITY_TOLERANCE)) {
        torch = {
          skipped: `parity failed: max |ORT - torch| ${torchParity} > ${PARITY_TOLERANCE}`,
        };
      } else {
        log.info("sampling on PyTorch", { batches: o.batches, batch: o.batch });
        const ptoks = new Int32Array(o.batch * L);
        prompts.forEach((p, j) => ptoks.set(tokenizer.encode(p).ids, j * L));
        const r = await torchRequest({
          ...base,
          mode: "sample",
          batch: o.batch,
          batches: o.batches,
          guidance: o.guidance,
          times: samplingTimes(config, new Schedule(config), o.steps),
          tokens: toBase64(ptoks),
          null_tokens: toBase64(tokenizer.nullIds()),
        });
        torch = r.ok
          ? {
            perBatch: r.value.batch_seconds as number[],
            itemsPerBatch: o.batch,
            cpuSeconds: r.value.cpu_seconds as number,
          }
          : { skipped: r.reason };
      }
    }
  }

  // 4. tfjs-wasm, same loop, same network definition
  log.info("sampling on tfjs-wasm", { batches: o.tfjsBatches, batch: o.batch });
  const tfjsNet = new TfjsDenoiser(config, weights);
  const tfjsDiff = maxAbsDiff(ref, tfjsNet.predictSync(px, pt, ptok));
  tfjsNet.predictSync(
    new Float32Array(2 * o.batch * V),
    new Float32Array(2 * o.batch),
    new Int32Array(2 * o.batch * L),
  );
  const tfjs = Sampler.over(tfjsNet, { maxBatch: o.batch });
  const tfjsRate: Rate = {
    ...await timeEach(
      o.tfjsBatches,
      () => tfjs.sample({ prompts, seeds, steps: o.steps, guidance: o.guidance }),
    ),
    itemsPerBatch: o.batch,
  };
  await tfjs.release();

  const result: SampleBenchResult = {
    model: o.model,
    conditions: `${await conditions()}; tfjs-wasm threads ${tfwasm.getThreadsCount()}`,
    batch: o.batch,
    steps: o.steps,
    guidance: o.guidance,
    ort,
    tfjs: tfjsRate,
    torch,
    parity: {
      torch: torchParity,
      tfjs: tfjsDiff,
      scale: ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
    },
  };
  if (typeof torchParity === "number" && !(torchParity <= PARITY_TOLERANCE)) {
    // A PyTorch port that computes another function must fail the bench, not just skip a column.
    console.log(formatSample(result));
    throw new Error(
      `PyTorch port differs from ORT: max abs difference ${torchParity} > ${PARITY_TOLERANCE}`,
    );
  }
  return result;
}

export function formatSample(r: SampleBenchResult): string {
  const rows = 2 * r.batch;
  const torchP = typeof r.parity.torch === "number"
    ? r.parity.torch.toExponential(2)
    : r.parity.torch;
  const lines = [
    `## Sampling speed per core: ${r.model}, ${r.steps} DDIM steps, guidance ${r.guidance} ` +
    `(${rows} network rows per call), batch ${r.batch}`,
    "",
    `Measured ${r.conditions}.`,
    "One thread per runtime: ORT intra-op threads 1, tfjs-wasm single-threaded, " +
    "torch.set_num_threads(1) (and OMP/OpenBLAS threads 1). CPU / wall below 1 means the core " +
    "was shared; per CPU-second rates correct for that.",
    "",
    "| runtime | images | wall s | images/s | best batch, images/s | images per CPU-s | CPU / wall |",
    "|---|---:|---:|---:|---:|---:|---:|",
    rateRow("onnxruntime (models/sampler.ts)", r.ort, "images"),
    rateRow("tfjs-wasm (models/denoiser.ts, bench/tfjs_denoiser.ts)", r.tfjs, "images"),
    rateRow("PyTorch CPU (bench/torch_dit.py)", r.torch, "images"),
    "",
    `Per-image time ratio ORT / PyTorch: ${perItemRatio(r.ort, r.torch)} ` +
    `(below 1: ORT is faster); tfjs-wasm / ORT: ${perItemRatio(r.tfjs, r.ort)}.`,
    `Parity, one forward of 4 fixed inputs: max |ORT - PyTorch| = ${torchP} ` +
    `(must be <= ${PARITY_TOLERANCE}), max |ORT - tfjs| = ${r.parity.tfjs.toExponential(2)}; ` +
    `outputs up to ${fmt(r.parity.scale)} in magnitude.`,
  ];
  return lines.join("\n");
}
