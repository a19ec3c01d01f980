/**
 * ShapeEval of a text-to-image sampler (docs/method.md §6.4, §8): sample every prompt with
 * `seedsPerPrompt` seeds, judge each image with ShapeWorld's exact detector, and tabulate
 * GenEval's categories. Seeds are `seedBase + promptIndex * seedsPerPrompt + k`, so a run is
 * reproducible and two models can be compared on the same initial noise.
 */
import { Progress } from "../lib/log.ts";
import { type EvalTable, evalTable, evaluateImage } from "../shapeworld/mod.ts";
import type { Sampler } from "./sampler.ts";

export interface ShapeEvalOptions {
  /** @default {4} */
  seedsPerPrompt?: number;
  /** @default {30} */
  steps?: number;
  /** @default {4} */
  guidance?: number;
  /** @default {1_000_000} kept clear of training seeds */
  seedBase?: number;
  /** Images per sampler call. @default {64} */
  chunk?: number;
  /** Progress label; none when omitted. */
  progress?: string;
}

export interface ShapeEvalItem {
  prompt: string;
  seed: number;
  category: string;
  correct: boolean;
  reason?: string;
  image: Uint8Array;
}

export interface ShapeEvalReport {
  table: EvalTable;
  items: ShapeEvalItem[];
  seconds: number;
  options: Required<Omit<ShapeEvalOptions, "progress">>;
}

export async function shapeEval(
  sampler: Sampler,
  prompts: readonly string[],
  opts: ShapeEvalOptions = {},
): Promise<ShapeEvalReport> {
  const o = { seedsPerPrompt: 4, steps: 30, guidance: 4, seedBase: 1_000_000, chunk: 64, ...opts };
  const jobs = prompts.flatMap((prompt, i) =>
    Array.from(
      { length: o.seedsPerPrompt },
      (_, k) => ({ prompt, seed: o.seedBase + i * o.seedsPerPrompt + k }),
    )
  );
  const bar = o.progress ? new Progress(o.progress, jobs.length) : null;
  const t0 = performance.now();
  const items: ShapeEvalItem[] = [];
  for (let i = 0; i < jobs.length; i += o.chunk) {
    const part = jobs.slice(i, i + o.chunk);
    const images = await sampler.sample({
      prompts: part.map((j) => j.prompt),
      seeds: part.map((j) => j.seed),
      steps: o.steps,
      guidance: o.guidance,
    });
    part.forEach((j, k) => {
      const r = evaluateImage(j.prompt, images[k]!);
      const item: ShapeEvalItem = {
        ...j,
        category: r.category,
        correct: r.correct,
        image: images[k]!,
      };
      if (r.reason !== undefined) item.reason = r.reason;
      items.push(item);
    });
    bar?.tick(part.length);
  }
  const { progress: _p, ...options } = o;
  return { table: evalTable(items), items, seconds: (performance.now() - t0) / 1000, options };
}
